/**
 * The planner: inputs → one desired TrafficPlan and the reasons for it. Pure: no I/O, no clock (time
 * is `input.now`), same input → same output, keys sorted.
 */
import { planFloors } from './floors';
import { decideRegions } from './health';
import { topologyOf } from './topology';
import type { PlannerInput, PlanResult, Reason, RegionPlan } from './types';
import { planWeights } from './weights';

export function plan(input: PlannerInput): PlanResult {
  const topo = topologyOf(input.config);
  const decisions = decideRegions(input, topo);
  const weights = planWeights(input, topo, decisions);
  const floors = planFloors(input, topo, decisions, weights);

  const regions: Record<string, RegionPlan> = {};
  const reasons: Reason[] = [];
  topo.regions.forEach((name, i) => {
    const d = decisions[i]!;
    const f = floors[i]!;
    const own = [...d.reasons, ...f.reasons];
    reasons.push(...own);
    regions[name] = {
      state: d.state,
      capacityScaler: d.scaler,
      minReplicas: f.minReplicas,
      targetReplicas: f.targetReplicas,
      reasons: [...new Set(own.map((r) => r.code))].sort(),
    };
  });
  reasons.push(...weights.reasons);
  reasons.sort((a, b) => cmp(a.subject, b.subject) || cmp(a.code, b.code) || cmp(a.message, b.message));
  return { plan: { locations: weights.locations, regions }, reasons };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
