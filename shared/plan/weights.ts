/**
 * Per client location: weights over regions. Demand goes to the nearest eligible regions (inside the
 * location's residency fence, not drained) while they have headroom; churn against the current plan
 * is bounded (one step of at most `maxWeightShiftPerStep` per DNS TTL), except that weight on a region
 * that may no longer serve is removed at once.
 */
import type { Decisions, RegionDecision } from './health';
import { roundWeights, WEIGHT_UNITS } from './round';
import type { Topology } from './topology';
import type { LocationPlan, PlannerInput, Reason } from './types';

export interface WeightResult {
  locations: Record<string, LocationPlan>;
  /** Per region: requests per second the plan sends there (locations with a known or expected load). */
  plannedRps: Float64Array;
  /** Per region: serves a location whose live load metric is missing — its floor must not drop. */
  servesUnknownLoad: Uint8Array;
  /** Per region: serves a location whose nearest region in its fence is another one. */
  absorbs: Uint8Array;
  reasons: Reason[];
}

const EPS = 1e-9;

/** Requests per second a region may take this step. */
function headroom(input: PlannerInput, topo: Topology, decisions: readonly RegionDecision[]): Float64Array {
  const util = input.config.guardrails.targetUtilization;
  const head = new Float64Array(topo.regions.length);
  topo.regionConfig.forEach((r, i) => {
    const d = decisions[i] as RegionDecision;
    if (d.scaler <= 0) return;
    const obs = input.observed[r.name];
    // A region that cannot grow (stockout, quota) only has the VMs it already has.
    const replicas =
      obs && (obs.stockout || obs.quotaExceeded)
        ? obs.instances.running + obs.instances.booting
        : (topo.replicaCap[i] as number);
    head[i] = replicas * r.replicaThroughputRps * util * d.scaler;
  });
  return head;
}

export function planWeights(input: PlannerInput, topo: Topology, decisions: readonly RegionDecision[]): WeightResult {
  const n = topo.regions.length;
  const cap = headroom(input, topo, decisions);
  const head = Float64Array.from(cap);
  const plannedRps = new Float64Array(n);
  const servesUnknownLoad = new Uint8Array(n);
  const absorbs = new Uint8Array(n);
  const target = new Float64Array(n);
  const base = new Float64Array(n);
  const reasons: Reason[] = [];
  const locations: Record<string, LocationPlan> = {};
  // Failing open holds the last routing: no churn step (safety moves still happen).
  const stepDue = !(decisions as Decisions).failOpen && churnStepDue(input);
  const bound = stepDue ? input.config.guardrails.maxWeightShiftPerStep : 0;

  for (const li of topo.fillOrder) {
    const name = topo.locations[li] as string;
    const cfg = topo.locationConfig[li]!;
    const fence = cfg.residency;
    let eligible = (topo.candidates[li] as number[]).filter((i) => {
      const d = decisions[i] as RegionDecision;
      return d.scaler > 0 && (!d.fenceOnly || topo.residency[i] === fence);
    });
    if (eligible.length === 0 && fence && topo.fenced[li] && input.config.residencyFallback[fence] !== 'anycast') {
      // The fence holds: its own nearest region, degraded, rather than an answer from anywhere.
      const nearest = topo.candidates[li]?.[0];
      if (nearest !== undefined) {
        eligible = [nearest];
        reasons.push({
          subject: name,
          code: 'fence-holds',
          severity: 'WARNING',
          message: `${name}: no '${fence}' region can serve; residency holds: answered by ${topo.regions[nearest]} (degraded) instead of from outside the fence`,
        });
      }
    }
    if (eligible.length === 0) {
      locations[name] = { weights: {}, fallback: 'anycast' };
      reasons.push({
        subject: name,
        code: 'fallback-anycast',
        message: `${name}: no ${fence ? `'${fence}' ` : ''}region can serve; DNS answers with the global anycast address`,
      });
      if (topo.fenced[li] && decisions.some((d) => d.scaler > 0)) {
        reasons.push({
          subject: name,
          code: 'residency-fence',
          message: `${name}: residency '${fence}' holds: healthy regions outside the fence are not used`,
        });
      }
      continue;
    }

    const live = input.load[name];
    const missing = typeof live !== 'number' || !Number.isFinite(live) || live < 0;
    const demand = missing ? cfg.expectedRps : live;
    if (missing) {
      reasons.push({
        subject: name,
        code: 'missing-metric',
        message:
          demand === undefined
            ? `${name}: load metric missing and no expectedRps; routing to the nearest region, floors held`
            : `${name}: load metric missing; planning with expectedRps ${demand}, floors held`,
      });
    }

    // 1. Target: fill nearest-first within headroom.
    if (demand === undefined || demand <= EPS) {
      const pick = eligible.find((i) => (head[i] as number) > EPS) ?? (eligible[0] as number);
      target[pick] = 1;
    } else {
      let rest = demand;
      const spilled: string[] = [];
      for (const i of eligible) {
        const take = Math.min(rest, head[i] as number);
        if (take > 0) {
          target[i] = (target[i] as number) + take;
          head[i] = (head[i] as number) - take;
          rest -= take;
        }
        if (rest <= EPS) break;
        const obs = input.observed[topo.regions[i] as string];
        if (obs && (obs.stockout || obs.quotaExceeded)) spilled.push(topo.regions[i] as string);
      }
      if (spilled.length > 0) {
        reasons.push({
          subject: name,
          code: 'stockout-spill',
          message: `${name}: ${spilled.join(', ')} cannot grow (stockout/quota); demand spills to the next-nearest region`,
        });
      }
      if (rest > EPS) {
        // Everyone in reach is full: share the excess by capacity, the autoscalers will see it.
        let capSum = 0;
        for (const i of eligible) capSum += cap[i] as number;
        for (const i of eligible) {
          const share = capSum > 0 ? (cap[i] as number) / capSum : i === eligible[0] ? 1 : 0;
          target[i] = (target[i] as number) + rest * share;
        }
        reasons.push({
          subject: name,
          code: 'overloaded',
          message: `${name}: ${rest.toFixed(1)} rps above the headroom of every region in reach; shared by capacity`,
        });
      }
      for (const i of eligible) target[i] = (target[i] as number) / demand;
    }

    // 2. Churn: start from the current weights, minus what may no longer serve.
    const final = limitChurn(input, topo, li, name, eligible, target, base, bound, decisions, reasons);

    // 3. Round, publish, account.
    const shares = eligible.map((i) => final[i] as number);
    const weights: Record<string, number> = {};
    const rounded = roundWeights(eligible, shares).sort((a, b) => a[0] - b[0]);
    const home = topo.candidates[li]?.[0];
    for (const [i, units] of rounded) {
      const w = units / WEIGHT_UNITS;
      weights[topo.regions[i] as string] = w;
      if (demand !== undefined) plannedRps[i] = (plannedRps[i] as number) + demand * w;
      if (missing) servesUnknownLoad[i] = 1;
      if (i !== home) absorbs[i] = 1;
    }
    locations[name] = { weights };
    for (const i of eligible) {
      target[i] = 0;
      base[i] = 0;
    }
  }
  return { locations: sortKeys(locations), plannedRps, servesUnknownLoad, absorbs, reasons };
}

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
function limitChurn(
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
  if (kept <= EPS) return target;
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

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}
