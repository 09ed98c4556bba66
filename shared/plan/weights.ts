/**
 * Per client location: weights over regions. Demand goes to the nearest eligible regions (inside the
 * location's residency fence, not drained) while they have headroom; churn against the current plan
 * is bounded (one step of at most `maxWeightShiftPerStep` per DNS TTL), except that weight on a region
 * that may no longer serve is removed at once.
 */
import { churnStepDue, limitChurn } from './churn';
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
    // A region that cannot grow (stockout, quota) only has the VMs that serve now. Not its booting
    // ones: on Google's clock a GPU VM serves ~15 min after creation, and counting them kept a
    // stocked-out region's clients on it, shedding, for those minutes (examples/scenarios/gpu-stockout.yaml).
    // The plan is recomputed every tick: as they come up its share returns, within the churn limit.
    const replicas = obs && (obs.stockout || obs.quotaExceeded) ? obs.backendHealthy : (topo.replicaCap[i] as number);
    head[i] = replicas * r.replicaThroughputRps * util * d.scaler;
  });
  return head;
}

/** Per-region scratch state of one planWeights call, shared by the per-location steps. */
interface Fill {
  /** Headroom at the start of the plan. */
  cap: Float64Array;
  /** Headroom still free: locations filled earlier took the rest. */
  head: Float64Array;
  /** The current location's target shares (reset after each location). */
  target: Float64Array;
  /** The current location's shares after the churn limit (reset after each location). */
  base: Float64Array;
  /** Largest L1 weight shift this plan (0 while the last step is younger than a TTL). */
  bound: number;
}

export function planWeights(input: PlannerInput, topo: Topology, decisions: readonly RegionDecision[]): WeightResult {
  const n = topo.regions.length;
  const cap = headroom(input, topo, decisions);
  // Failing open holds the last routing: no churn step (safety moves still happen).
  const stepDue = !(decisions as Decisions).failOpen && churnStepDue(input);
  const fill: Fill = {
    cap,
    head: Float64Array.from(cap),
    target: new Float64Array(n),
    base: new Float64Array(n),
    bound: stepDue ? input.config.guardrails.maxWeightShiftPerStep : 0,
  };
  const result: WeightResult = {
    locations: {},
    plannedRps: new Float64Array(n),
    servesUnknownLoad: new Uint8Array(n),
    absorbs: new Uint8Array(n),
    reasons: [],
  };
  for (const li of topo.fillOrder) planLocation(input, topo, decisions, li, fill, result);
  return { ...result, locations: sortKeys(result.locations) };
}

/** Rules 4–6 for one location: eligible regions, target shares, the churn limit, then publish. */
function planLocation(
  input: PlannerInput,
  topo: Topology,
  decisions: readonly RegionDecision[],
  li: number,
  fill: Fill,
  result: WeightResult,
): void {
  const name = topo.locations[li] as string;
  const eligible = eligibleRegions(input, topo, decisions, li, result.reasons);
  if (eligible.length === 0) {
    fallBackToAnycast(topo, decisions, li, result);
    return;
  }
  const { demand, missing } = demandOf(input, topo, li, result.reasons);
  // 1. Target: fill nearest-first within headroom.
  if (demand === undefined || demand <= EPS) {
    const pick = eligible.find((i) => (fill.head[i] as number) > EPS) ?? (eligible[0] as number);
    fill.target[pick] = 1;
  } else fillNearestFirst(input, topo, name, eligible, demand, fill, result.reasons);
  // 2. Churn: start from the current weights, minus what may no longer serve.
  const final = limitChurn(
    input,
    topo,
    li,
    name,
    eligible,
    fill.target,
    fill.base,
    fill.bound,
    decisions,
    result.reasons,
  );
  // 3. Round, publish, account.
  publish(topo, li, eligible, final, demand, missing, result);
  for (const i of eligible) {
    fill.target[i] = 0;
    fill.base[i] = 0;
  }
}

/**
 * Rules 4, 5 and 12: the regions in the location's fence that may serve it, nearest first — or, when
 * none can and the fence has no anycast fallback, its own nearest region (the fence holds).
 */
function eligibleRegions(
  input: PlannerInput,
  topo: Topology,
  decisions: readonly RegionDecision[],
  li: number,
  reasons: Reason[],
): number[] {
  const name = topo.locations[li] as string;
  const fence = topo.locationConfig[li]?.residency;
  const eligible = (topo.candidates[li] as number[]).filter((i) => {
    const d = decisions[i] as RegionDecision;
    return d.scaler > 0 && (!d.fenceOnly || topo.residency[i] === fence);
  });
  if (eligible.length > 0 || !fence || !topo.fenced[li] || input.config.residencyFallback[fence] === 'anycast') {
    return eligible;
  }
  // The fence holds: its own nearest region, degraded, rather than an answer from anywhere.
  const nearest = topo.candidates[li]?.[0];
  if (nearest === undefined) return eligible;
  reasons.push({
    subject: name,
    code: 'fence-holds',
    severity: 'WARNING',
    message: `${name}: no '${fence}' region can serve; residency holds: answered by ${topo.regions[nearest]} (degraded) instead of from outside the fence`,
  });
  return [nearest];
}

/** Rule 5: nothing can serve the location: DNS answers it with the global anycast address. */
function fallBackToAnycast(
  topo: Topology,
  decisions: readonly RegionDecision[],
  li: number,
  result: WeightResult,
): void {
  const name = topo.locations[li] as string;
  const fence = topo.locationConfig[li]?.residency;
  result.locations[name] = { weights: {}, fallback: 'anycast' };
  result.reasons.push({
    subject: name,
    code: 'fallback-anycast',
    message: `${name}: no ${fence ? `'${fence}' ` : ''}region can serve; DNS answers with the global anycast address`,
  });
  if (topo.fenced[li] && decisions.some((d) => d.scaler > 0)) {
    result.reasons.push({
      subject: name,
      code: 'residency-fence',
      message: `${name}: residency '${fence}' holds: healthy regions outside the fence are not used`,
    });
  }
}

/** Rule 4: live load, else `expectedRps`; a missing metric is never read as "idle". */
function demandOf(
  input: PlannerInput,
  topo: Topology,
  li: number,
  reasons: Reason[],
): { demand: number | undefined; missing: boolean } {
  const name = topo.locations[li] as string;
  const live = input.load[name];
  const missing = typeof live !== 'number' || !Number.isFinite(live) || live < 0;
  const demand = missing ? topo.locationConfig[li]?.expectedRps : live;
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
  return { demand, missing };
}

/**
 * Rule 4: the demand goes to the nearest regions while they have headroom (spilling past those that
 * cannot grow); what is left is shared by capacity. Leaves the target as shares of the demand.
 */
function fillNearestFirst(
  input: PlannerInput,
  topo: Topology,
  name: string,
  eligible: readonly number[],
  demand: number,
  fill: Fill,
  reasons: Reason[],
): void {
  const { head, target } = fill;
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
  if (rest > EPS) shareExcess(name, eligible, rest, fill, reasons);
  for (const i of eligible) target[i] = (target[i] as number) / demand;
}

/** Everyone in reach is full: share the excess by capacity, the autoscalers will see it. */
function shareExcess(name: string, eligible: readonly number[], rest: number, fill: Fill, reasons: Reason[]): void {
  const { cap, target } = fill;
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

/** Rounds the shares into the location's weights and accounts what each region now serves. */
function publish(
  topo: Topology,
  li: number,
  eligible: readonly number[],
  final: Float64Array,
  demand: number | undefined,
  missing: boolean,
  result: WeightResult,
): void {
  const shares = eligible.map((i) => final[i] as number);
  const weights: Record<string, number> = {};
  const rounded = roundWeights(eligible, shares).sort((a, b) => a[0] - b[0]);
  const home = topo.candidates[li]?.[0];
  for (const [i, units] of rounded) {
    const w = units / WEIGHT_UNITS;
    weights[topo.regions[i] as string] = w;
    if (demand !== undefined) result.plannedRps[i] = (result.plannedRps[i] as number) + demand * w;
    if (missing) result.servesUnknownLoad[i] = 1;
    if (i !== home) result.absorbs[i] = 1;
  }
  result.locations[topo.locations[li] as string] = { weights };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}
