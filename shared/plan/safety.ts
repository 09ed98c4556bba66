/**
 * Safety rules over the region decisions (docs/PLANNER.md rules 10–12): doubt evidence that everything
 * is broken at once (fail open), and keep every residency fence served from inside.
 */
import type { Decisions, RegionDecision } from './health';
import { isHealthy, isWarming, normalise, score, stateOf } from './health';
import type { Topology } from './topology';
import type { PlannerInput, RegionObservation } from './types';

export const warmupMs = (topo: Topology, i: number): number => (topo.regionConfig[i]?.warmupSec ?? 0) * 1000;

/**
 * When more than `failOpenFraction` of the regions look unhealthy at once, the likelier cause is
 * georoute's view (a monitoring outage, a metrics gap) or a change made everywhere (a bad rollout),
 * and moving load or GPUs on it would only add an outage: every region holds its current scaler, the
 * weights and floors hold too (plan.ts), and one CRITICAL decision says why. Unobserved regions are
 * held anyway; warming ones are not counted as unhealthy.
 */
export function failOpen(input: PlannerInput, topo: Topology): Decisions | undefined {
  const n = topo.regions.length;
  const broken = topo.regions.filter((name) => {
    const obs = input.observed[name];
    return obs !== undefined && !isHealthy(obs) && !isWarming(obs);
  });
  const fraction = input.config.guardrails.failOpenFraction;
  if (n < 2 || broken.length <= fraction * n) return undefined;
  const decisions: Decisions = topo.regions.map((name): RegionDecision => {
    const obs = input.observed[name];
    const scaler = obs ? normalise(obs.currentCapacityScaler) : (input.current?.regions[name]?.capacityScaler ?? 1);
    return { state: stateOf(scaler), scaler, reasons: [] };
  });
  const first = decisions[0] as RegionDecision;
  first.reasons.push({
    subject: topo.regions[0] as string,
    code: 'fail-open',
    severity: 'CRITICAL',
    message:
      `fail open: ${broken.length} of ${n} regions look unhealthy at once (${broken.join(', ')}), more than ` +
      `guardrails.failOpenFraction ${fraction}: holding the last plan (no drain, no weight moved, no floor raised) until fewer do`,
  });
  decisions.failOpen = true;
  return decisions;
}

/**
 * "Never drain the last serving region", per residency fence: a group that fences some client
 * location keeps its best region serving even when unhealthy — degraded service inside the fence
 * beats an answer outside it.
 */
export function keepOnePerFence(input: PlannerInput, topo: Topology, out: RegionDecision[]): void {
  const fences = new Set(topo.locationConfig.flatMap((l, li) => (topo.fenced[li] && l.residency ? [l.residency] : [])));
  for (const fence of fences) {
    if (input.config.residencyFallback[fence] === 'anycast') continue; // the operator allowed leaving it
    const members = topo.regions.map((_, i) => i).filter((i) => topo.residency[i] === fence);
    if (members.some((i) => (out[i] as RegionDecision).scaler > 0)) continue;
    const observed = members.filter((i) => input.observed[topo.regions[i] as string]);
    if (observed.length === 0) continue; // nothing known of it: held as it was
    // A healthy member waiting out its recovery window ramps as usual; DNS already answers the
    // fence from it (weights.ts). Only a fence whose every member is sick keeps one serving.
    if (observed.some((i) => isHealthy(input.observed[topo.regions[i] as string] as RegionObservation))) continue;
    const best = [...observed].sort((a, b) => {
      const sa = score(input.observed[topo.regions[a] as string]);
      const sb = score(input.observed[topo.regions[b] as string]);
      return sb[0] - sa[0] || sb[1] - sa[1] || a - b;
    })[0] as number;
    const name = topo.regions[best] as string;
    const decision = out[best] as RegionDecision;
    decision.scaler = 1;
    decision.state = stateOf(1);
    decision.fenceOnly = true;
    decision.reasons = decision.reasons.filter((r) => r.code !== 'drain-unhealthy');
    const fenced = topo.locationConfig.filter((l) => l.residency === fence).map((l) => l.location);
    decision.reasons.push({
      subject: name,
      code: 'fence-holds',
      severity: 'WARNING',
      message: `${name} is unhealthy but kept serving: it is the best region of residency '${fence}', which fences ${fenced.join(', ')}`,
    });
  }
}
