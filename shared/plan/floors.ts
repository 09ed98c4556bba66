/**
 * Replica floors per region: max(config min, capacity requests placed there, the load the plan sends
 * there), bounded by maxReplicas, stockouts and the GPU budget; then moved toward that target under
 * separate cooldowns (out fast, in slow).
 */
import type { RegionConfig } from '../config';
import { holdWhileRamping, holdWhileWarming } from './floor-holds';
import type { Decisions, RegionDecision } from './health';
import type { Topology } from './topology';
import type { PlannerInput, Reason, RegionObservation } from './types';
import type { WeightResult } from './weights';

export interface FloorDecision {
  minReplicas: number;
  targetReplicas: number;
  reasons: Reason[];
}

/** One region's floor before the GPU budget and the cooldowns (rules 7 and 11). */
export interface Wanted {
  name: string;
  /** The floor it has now. */
  cur: number;
  /** The largest active capacity request placed in it. */
  req: number;
  want: number;
  reasons: Reason[];
}

export function planFloors(
  input: PlannerInput,
  topo: Topology,
  decisions: readonly RegionDecision[],
  weights: WeightResult,
): FloorDecision[] {
  if ((decisions as Decisions).failOpen) return holdFloors(input, topo);
  const wanted = topo.regionConfig.map((_, i) => wantedFloor(input, topo, decisions, weights, i));
  const order = budgetOrder(wanted, weights);
  const targets = fitTargets(input, topo, wanted, order);
  const proposed = wanted.map((w, i) => stepToward(input, w, targets[i] as number));
  const mins = fitIncreases(input, topo, wanted, proposed, order);
  return wanted.map((w, i) => ({
    minReplicas: mins[i] as number,
    targetReplicas: targets[i] as number,
    reasons: w.reasons,
  }));
}

/** The floor a region has now: observed, else the previous plan's, else the config min. */
function currentFloor(input: PlannerInput, r: RegionConfig): number {
  return input.observed[r.name]?.currentMinReplicas ?? input.current?.regions[r.name]?.minReplicas ?? r.minReplicas;
}

/** Rule 10: failing open raises and lowers nothing: every floor holds where it is. */
function holdFloors(input: PlannerInput, topo: Topology): FloorDecision[] {
  return topo.regionConfig.map((r) => {
    const cur = currentFloor(input, r);
    return { minReplicas: cur, targetReplicas: cur, reasons: [] };
  });
}

/** The largest active capacity request in a region (Compute Engine combines scaling schedules by max). */
function requestedFloor(input: PlannerInput, name: string): number {
  let req = 0;
  for (const f of input.floors) {
    if (f.region === name && (f.expiresAt === undefined || f.expiresAt > input.now)) req = Math.max(req, f.replicas);
  }
  return req;
}

/** Rule 7 for one region, with rule 11's warming hold and the maxReplicas / stockout bounds. */
function wantedFloor(
  input: PlannerInput,
  topo: Topology,
  decisions: readonly RegionDecision[],
  weights: WeightResult,
  i: number,
): Wanted {
  const r = topo.regionConfig[i]!;
  const obs = input.observed[r.name];
  const cur = currentFloor(input, r);
  const w: Wanted = { name: r.name, cur, req: requestedFloor(input, r.name), want: cur, reasons: [] };
  if (obs) {
    const d = decisions[i] as RegionDecision;
    if (d.scaler <= 0) {
      // A drained region keeps its floor: it may be back soon, and scaling it in gains nothing now.
      w.want = Math.max(r.minReplicas, w.req, cur);
    } else {
      floorForLoad(input, r, weights, i, w);
      holdWhileRamping(input, topo, d, weights, i, w);
    }
    holdWhileWarming(obs, r, w);
  }
  capFloor(topo.replicaCap[i] as number, r, obs, w);
  return w;
}

/** A serving region: enough replicas for its planned rps and its capacity requests. */
function floorForLoad(input: PlannerInput, r: RegionConfig, weights: WeightResult, i: number, w: Wanted): void {
  const name = r.name;
  const rps = weights.plannedRps[i] as number;
  const utilization = input.config.guardrails.targetUtilization;
  const loadFloor = rps > 0 ? Math.ceil(rps / (r.replicaThroughputRps * utilization) - 1e-9) : 0;
  w.want = Math.max(r.minReplicas, w.req, loadFloor);
  if (w.req > r.minReplicas && w.req >= loadFloor) {
    w.reasons.push({
      subject: name,
      code: 'capacity-request',
      message: `${name}: capacity requests need ${w.req} replicas`,
    });
  } else if (loadFloor > r.minReplicas && weights.absorbs[i]) {
    w.reasons.push({
      subject: name,
      code: 'absorb-load',
      message: `${name}: absorbs load of other locations, ${rps.toFixed(1)} rps needs ${loadFloor} replicas`,
    });
  }
  if (weights.servesUnknownLoad[i] && w.want < w.cur) {
    w.want = w.cur;
    w.reasons.push({
      subject: name,
      code: 'missing-metric',
      message: `${name}: serves a location with no load metric; keeping the floor at ${w.cur}`,
    });
  }
}

/** Rule 7's bounds: maxReplicas / perRegionMax, and no increase in a region in stockout or over quota. */
function capFloor(replicaCap: number, r: RegionConfig, obs: RegionObservation | undefined, w: Wanted): void {
  let limit = replicaCap;
  let limitCode: Reason['code'] = 'max-replicas';
  if (obs?.stockout || obs?.quotaExceeded) {
    const still = Math.max(w.cur, r.minReplicas);
    if (still < limit) {
      limit = still;
      limitCode = obs.stockout ? 'stockout-spill' : 'quota-exceeded';
    }
  }
  if (w.want <= limit) return;
  w.reasons.push({
    subject: w.name,
    code: limitCode,
    message:
      limitCode === 'max-replicas'
        ? `${w.name}: wants ${w.want} replicas, capped at ${limit} (maxReplicas / perRegionMax)`
        : `${w.name}: ${limitCode === 'stockout-spill' ? 'GPU stockout' : 'quota exceeded'}, no floor increase beyond ${limit}; demand spills to the next region`,
  });
  w.want = limit;
}

/** Rule 8: whom the budget serves first: capacity requests, then absorbing regions, then by load, then name. */
function budgetOrder(wanted: readonly Wanted[], weights: WeightResult): number[] {
  const order = wanted.map((_, i) => i);
  order.sort(
    (a, b) =>
      Number((wanted[b] as Wanted).req > 0) - Number((wanted[a] as Wanted).req > 0) ||
      (weights.absorbs[b] as number) - (weights.absorbs[a] as number) ||
      (weights.plannedRps[b] as number) - (weights.plannedRps[a] as number) ||
      a - b,
  );
  return order;
}

/** Rule 8: the targets fitted into the GPU budget from the config mins upward. */
function fitTargets(
  input: PlannerInput,
  topo: Topology,
  wanted: readonly Wanted[],
  order: readonly number[],
): number[] {
  const budget = input.config.gpuBudget.maxTotalAccelerators;
  const mins = topo.regionConfig.map((r) => r.minReplicas);
  const targets = fitBudget(
    mins,
    wanted.map((w) => w.want),
    order,
    topo.accelerators,
    budget,
  );
  wanted.forEach((w, i) => {
    const t = targets[i] as number;
    if (t < w.want) {
      w.reasons.push({
        subject: w.name,
        code: 'gpu-budget',
        message: `${w.name}: wants ${w.want} replicas, GPU budget allows ${t}`,
      });
    }
  });
  return targets;
}

/** Rule 9: the floor proposed now — the target when its cooldown allows, else the current floor. */
function stepToward(input: PlannerInput, w: Wanted, t: number): number {
  const g = input.config.guardrails;
  const obs = input.observed[w.name];
  const { name, cur } = w;
  if (!obs || t === cur) return cur;
  const since = (at: number | null) => (at === null ? Number.POSITIVE_INFINITY : input.now - at);
  if (t > cur) {
    if (since(obs.lastScaleOutAt) >= g.scaleOutCooldownSec * 1000) {
      w.reasons.push({ subject: name, code: 'scale-out', message: `${name}: floor ${cur} → ${t}` });
      return t;
    }
    w.reasons.push({
      subject: name,
      code: 'scale-out-cooldown',
      message: `${name}: floor stays ${cur} (wants ${t}): scaled out less than ${g.scaleOutCooldownSec}s ago`,
    });
    return cur;
  }
  const inMs = g.scaleInCooldownSec * 1000;
  if (since(obs.lastScaleInAt) >= inMs && since(obs.lastScaleOutAt) >= inMs) {
    w.reasons.push({ subject: name, code: 'scale-in', message: `${name}: floor ${cur} → ${t}` });
    return t;
  }
  w.reasons.push({
    subject: name,
    code: 'scale-in-cooldown',
    message: `${name}: floor stays ${cur} (wants ${t}): last scale event less than ${g.scaleInCooldownSec}s ago`,
  });
  return cur;
}

/** Increases this step must fit next to what every region keeps (the world may already be over budget). */
function fitIncreases(
  input: PlannerInput,
  topo: Topology,
  wanted: readonly Wanted[],
  proposed: readonly number[],
  order: readonly number[],
): number[] {
  const kept = proposed.map((p, i) => Math.min(p, (wanted[i] as Wanted).cur));
  const mins = fitBudget(kept, proposed, order, topo.accelerators, input.config.gpuBudget.maxTotalAccelerators);
  mins.forEach((m, i) => {
    const w = wanted[i] as Wanted;
    if (m < (proposed[i] as number) && m >= w.cur) {
      w.reasons.push({
        subject: w.name,
        code: 'gpu-budget',
        message: `${w.name}: floor increase limited to ${m} by the GPU budget`,
      });
    }
  });
  return mins;
}

/** Grants `want - base` per region in `order` while accelerators remain. */
function fitBudget(
  base: readonly number[],
  want: readonly number[],
  order: readonly number[],
  accelerators: readonly number[],
  budget: number,
): number[] {
  const out = [...base];
  let left = budget;
  base.forEach((b, i) => {
    left -= b * (accelerators[i] as number);
  });
  for (const i of order) {
    const extra = Math.max(0, (want[i] as number) - (base[i] as number));
    const per = accelerators[i] as number;
    const grant = Math.max(0, Math.min(extra, Math.floor(left / per)));
    out[i] = (base[i] as number) + grant;
    left -= grant * per;
  }
  return out;
}
