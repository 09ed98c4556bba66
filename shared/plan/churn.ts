/**
 * Rule 6, churn: weights move from the current plan toward the target one bounded step per DNS TTL,
 * except that weight on a region that may no longer serve is removed at once.
 */
import type { RegionDecision } from './health';
import type { Topology } from './topology';
import type { PlannerInput, Reason } from './types';

const EPS = 1e-9;

/**
 * Whether the weights may take a churn step now: one step per DNS TTL after they last moved. A
 * resolver keeps the previous answer for up to a TTL, so stepping again sooner moves before the last
 * step has taken effect; and a step per *call* would let a repeated event, or a burst of them, finish
 * in one instant a shift the limit spreads out. In practice a step lands on the first tick at least
 * about a TTL after the last (churnSlackMs). A time more than a TTL ahead of `now` (a skewed clock)
 * does not freeze the weights.
 */
export function churnStepDue(input: PlannerInput): boolean {
  const movedAt = input.weightsMovedAt;
  if (movedAt === undefined || movedAt === null || !input.current) return true;
  const ttlMs = input.config.dns.ttlSec * 1000;
  const elapsed = input.now - movedAt;
  return elapsed >= ttlMs - churnSlackMs(ttlMs) || elapsed < -ttlMs;
}

/**
 * Ticks come once a minute, give or take scheduler jitter: with a TTL of a minute, a tick landing a
 * few ms short of it must still step, or every other tick would hold and a shift move at half speed.
 */
function churnSlackMs(ttlMs: number): number {
  return Math.min(5_000, ttlMs / 10);
}

/**
 * Moves from the current weights toward `target` by at most `bound` (L1; 0 while the last step is less
 * than a TTL old); unsafe weight goes at once.
 */
export function limitChurn(
  input: PlannerInput,
  topo: Topology,
  li: number,
  name: string,
  eligible: readonly number[],
  target: Float64Array,
  base: Float64Array,
  bound: number,
  decisions: readonly RegionDecision[],
  reasons: Reason[],
): Float64Array {
  const prev = input.current?.locations[name]?.weights;
  if (!prev) return target;
  let prevSum = 0;
  for (const region in prev) {
    const w = prev[region] as number;
    if (w > 0) prevSum += w;
  }
  if (!(prevSum > 0)) return target;
  const kept = keepServable(topo, li, name, prev, prevSum, base, decisions, reasons);
  if (kept <= EPS) return target;
  return stepToward(input, name, eligible, target, base, kept, bound, reasons);
}

/**
 * Rule 6: the current weights, normalised into `base`, on the regions that may still serve the
 * location; weight anywhere else is removed at once (safety beats churn). Returns the share kept.
 */
function keepServable(
  topo: Topology,
  li: number,
  name: string,
  prev: Record<string, number>,
  prevSum: number,
  base: Float64Array,
  decisions: readonly RegionDecision[],
  reasons: Reason[],
): number {
  const fence = topo.locationConfig[li]?.residency;
  let kept = 0;
  const removed: string[] = [];
  for (const region in prev) {
    const w = prev[region] as number;
    if (!(w > 0)) continue;
    const i = topo.regionIndex.get(region);
    const d = i === undefined ? undefined : (decisions[i] as RegionDecision);
    const ok =
      i !== undefined &&
      d !== undefined &&
      d.scaler > 0 &&
      (fence === undefined || topo.residency[i] === fence) &&
      (!d.fenceOnly || topo.residency[i] === fence);
    if (ok) {
      base[i] = w / prevSum;
      kept += w / prevSum;
    } else removed.push(region);
  }
  if (removed.length > 0) {
    reasons.push({
      subject: name,
      code: 'unhealthy-weight-removed',
      message: `${name}: weight on ${removed.sort().join(', ')} removed at once (may not serve)`,
    });
  }
  return kept;
}

/** Rule 6: one convex step of at most `bound` (L1) from `base` toward `target`, or none while waiting. */
function stepToward(
  input: PlannerInput,
  name: string,
  eligible: readonly number[],
  target: Float64Array,
  base: Float64Array,
  kept: number,
  bound: number,
  reasons: Reason[],
): Float64Array {
  // What was removed goes where the target wants it; that move is safety, not churn.
  const lost = Math.max(0, 1 - kept);
  let delta = 0;
  for (const i of eligible) {
    base[i] = (base[i] as number) + lost * (target[i] as number);
    delta += Math.abs((target[i] as number) - (base[i] as number));
  }
  if (delta <= bound + EPS) return target;
  if (bound <= 0) {
    reasons.push({
      subject: name,
      code: 'churn-wait',
      message: `${name}: weights hold: they moved less than a DNS TTL (${input.config.dns.ttlSec}s) ago, one step per TTL`,
    });
    return base;
  }
  const alpha = bound / delta;
  for (const i of eligible) base[i] = (base[i] as number) + alpha * ((target[i] as number) - (base[i] as number));
  reasons.push({
    subject: name,
    code: 'churn-limit',
    message: `${name}: weights move ${bound} of the ${delta.toFixed(4)} needed this step (maxWeightShiftPerStep)`,
  });
  return base;
}
