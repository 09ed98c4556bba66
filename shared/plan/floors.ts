/**
 * Replica floors per region: max(config min, capacity requests placed there, the load the plan sends
 * there), bounded by maxReplicas, stockouts and the GPU budget; then moved toward that target under
 * separate cooldowns (out fast, in slow).
 */
import { type Decisions, isWarming, type RegionDecision } from './health';
import type { Topology } from './topology';
import type { PlannerInput, Reason } from './types';
import type { WeightResult } from './weights';

export interface FloorDecision {
  minReplicas: number;
  targetReplicas: number;
  reasons: Reason[];
}

export function planFloors(
  input: PlannerInput,
  topo: Topology,
  decisions: readonly RegionDecision[],
  weights: WeightResult,
): FloorDecision[] {
  const g = input.config.guardrails;
  const n = topo.regions.length;
  const out: FloorDecision[] = [];
  const desired: number[] = [];
  const current: number[] = [];
  const requested: number[] = [];
  if ((decisions as Decisions).failOpen) {
    // Failing open raises and lowers nothing: every floor holds where it is.
    return topo.regionConfig.map((r) => {
      const cur =
        input.observed[r.name]?.currentMinReplicas ?? input.current?.regions[r.name]?.minReplicas ?? r.minReplicas;
      return { minReplicas: cur, targetReplicas: cur, reasons: [] };
    });
  }

  for (let i = 0; i < n; i++) {
    const r = topo.regionConfig[i]!;
    const name = r.name;
    const obs = input.observed[name];
    const reasons: Reason[] = [];
    const cur = obs?.currentMinReplicas ?? input.current?.regions[name]?.minReplicas ?? r.minReplicas;
    let req = 0;
    for (const f of input.floors) {
      if (f.region === name && (f.expiresAt === undefined || f.expiresAt > input.now)) req = Math.max(req, f.replicas);
    }
    let want: number;
    if (!obs) want = cur;
    else if ((decisions[i] as RegionDecision).scaler <= 0) {
      // A drained region keeps its floor: it may be back soon, and scaling it in gains nothing now.
      want = Math.max(r.minReplicas, req, cur);
    } else {
      const rps = weights.plannedRps[i] as number;
      const loadFloor = rps > 0 ? Math.ceil(rps / (r.replicaThroughputRps * g.targetUtilization) - 1e-9) : 0;
      want = Math.max(r.minReplicas, req, loadFloor);
      if (req > r.minReplicas && req >= loadFloor) {
        reasons.push({
          subject: name,
          code: 'capacity-request',
          message: `${name}: capacity requests need ${req} replicas`,
        });
      } else if (loadFloor > r.minReplicas && weights.absorbs[i]) {
        reasons.push({
          subject: name,
          code: 'absorb-load',
          message: `${name}: absorbs load of other locations, ${rps.toFixed(1)} rps needs ${loadFloor} replicas`,
        });
      }
      if (weights.servesUnknownLoad[i] && want < cur) {
        want = cur;
        reasons.push({
          subject: name,
          code: 'missing-metric',
          message: `${name}: serves a location with no load metric; keeping the floor at ${cur}`,
        });
      }
    }
    if (obs && isWarming(obs) && want > Math.max(cur, r.minReplicas)) {
      // Its VMs are not serving yet: what they can do is unknown, so no floor is raised on its account.
      want = Math.max(cur, r.minReplicas);
      reasons.push({ subject: name, code: 'warming', message: `${name}: warming up, floor held at ${want}` });
    }
    let limit = topo.replicaCap[i] as number;
    let limitCode: Reason['code'] = 'max-replicas';
    if (obs?.stockout || obs?.quotaExceeded) {
      const still = Math.max(cur, r.minReplicas);
      if (still < limit) {
        limit = still;
        limitCode = obs.stockout ? 'stockout-spill' : 'quota-exceeded';
      }
    }
    if (want > limit) {
      reasons.push({
        subject: name,
        code: limitCode,
        message:
          limitCode === 'max-replicas'
            ? `${name}: wants ${want} replicas, capped at ${limit} (maxReplicas / perRegionMax)`
            : `${name}: ${limitCode === 'stockout-spill' ? 'GPU stockout' : 'quota exceeded'}, no floor increase beyond ${limit}; demand spills to the next region`,
      });
      want = limit;
    }
    desired.push(want);
    current.push(cur);
    requested.push(req);
    out.push({ minReplicas: cur, targetReplicas: want, reasons });
  }

  // Whom the budget serves first: capacity requests, then absorbing regions, then by load, then name.
  const order = topo.regions.map((_, i) => i);
  order.sort(
    (a, b) =>
      Number((requested[b] as number) > 0) - Number((requested[a] as number) > 0) ||
      (weights.absorbs[b] as number) - (weights.absorbs[a] as number) ||
      (weights.plannedRps[b] as number) - (weights.plannedRps[a] as number) ||
      a - b,
  );
  const budget = input.config.gpuBudget.maxTotalAccelerators;
  const mins = topo.regionConfig.map((r) => r.minReplicas);
  const targets = fitBudget(mins, desired, order, topo.accelerators, budget);

  const proposed = targets.map((t, i) => {
    const cur = current[i] as number;
    const f = out[i]!;
    const obs = input.observed[topo.regions[i] as string];
    f.targetReplicas = t;
    if (t < (desired[i] as number)) {
      f.reasons.push({
        subject: topo.regions[i] as string,
        code: 'gpu-budget',
        message: `${topo.regions[i]}: wants ${desired[i]} replicas, GPU budget allows ${t}`,
      });
    }
    if (!obs || t === cur) return cur;
    const since = (at: number | null) => (at === null ? Number.POSITIVE_INFINITY : input.now - at);
    const name = topo.regions[i] as string;
    if (t > cur) {
      if (since(obs.lastScaleOutAt) >= g.scaleOutCooldownSec * 1000) {
        f.reasons.push({ subject: name, code: 'scale-out', message: `${name}: floor ${cur} → ${t}` });
        return t;
      }
      f.reasons.push({
        subject: name,
        code: 'scale-out-cooldown',
        message: `${name}: floor stays ${cur} (wants ${t}): scaled out less than ${g.scaleOutCooldownSec}s ago`,
      });
      return cur;
    }
    const inMs = g.scaleInCooldownSec * 1000;
    if (since(obs.lastScaleInAt) >= inMs && since(obs.lastScaleOutAt) >= inMs) {
      f.reasons.push({ subject: name, code: 'scale-in', message: `${name}: floor ${cur} → ${t}` });
      return t;
    }
    f.reasons.push({
      subject: name,
      code: 'scale-in-cooldown',
      message: `${name}: floor stays ${cur} (wants ${t}): last scale event less than ${g.scaleInCooldownSec}s ago`,
    });
    return cur;
  });

  // Increases this step must fit next to what every region keeps (the world may already be over budget).
  const kept = proposed.map((p, i) => Math.min(p, current[i] as number));
  const mins2 = fitBudget(kept, proposed, order, topo.accelerators, budget);
  mins2.forEach((m, i) => {
    const f = out[i]!;
    if (m < (proposed[i] as number) && m >= (current[i] as number)) {
      f.reasons.push({
        subject: topo.regions[i] as string,
        code: 'gpu-budget',
        message: `${topo.regions[i]}: floor increase limited to ${m} by the GPU budget`,
      });
    }
    f.minReplicas = m;
  });
  return out;
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
