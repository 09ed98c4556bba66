/**
 * Rules 7 and 11: when a region's floor holds where its planned load would move it — while it climbs
 * the recovery ramp (sized for the load it gets back), and while it warms up (no raise on its account).
 */
import type { RegionConfig } from '../config';
import type { Wanted } from './floors';
import { isWarming, type RegionDecision } from './health';
import type { Topology } from './topology';
import type { PlannerInput, RegionObservation } from './types';
import type { WeightResult } from './weights';

/**
 * Rule 7: a region climbing the recovery ramp is sized for the load it will have when the ramp
 * completes — the clients it is nearest to (or its planned load, if more) — and never below the floor
 * it had while drained. Its planned load alone is its ramp share (a tenth at the first step) and would lower the
 * floor; VMs scaled in at the first step, or asked for only at the last, take a GPU boot (~15 min on
 * Google's clock) to serve — longer than the whole ramp. Seen on the headline demo: floor 6 → 1 at
 * scaler 0.1, then 3, 4, 5, 7 while its p95 climbed past the SLO.
 */
export function holdWhileRamping(
  input: PlannerInput,
  topo: Topology,
  d: RegionDecision,
  weights: WeightResult,
  i: number,
  w: Wanted,
): void {
  if (d.state !== 'ramping') return;
  const r = topo.regionConfig[i] as RegionConfig;
  let home = 0;
  topo.locations.forEach((loc, l) => {
    if (topo.candidates[l]?.[0] === i) home += input.load[loc] ?? 0;
  });
  const full = Math.max(home, weights.plannedRps[i] as number);
  const perReplica = r.replicaThroughputRps * input.config.guardrails.targetUtilization;
  const want = Math.max(w.want, w.cur, r.minReplicas, Math.ceil(full / perReplica - 1e-9));
  if (want <= w.want) return;
  w.want = want;
  w.reasons.push({
    subject: w.name,
    code: 'ramp-hold',
    message: `${w.name}: recovering, floor ${want} for the ${full.toFixed(1)} rps it serves once the ramp completes`,
  });
}

/** Rule 11: its VMs are not serving yet: what they can do is unknown, so no floor is raised on its account. */
export function holdWhileWarming(obs: RegionObservation, r: RegionConfig, w: Wanted): void {
  if (!isWarming(obs) || w.want <= Math.max(w.cur, r.minReplicas)) return;
  w.want = Math.max(w.cur, r.minReplicas);
  w.reasons.push({ subject: w.name, code: 'warming', message: `${w.name}: warming up, floor held at ${w.want}` });
}
