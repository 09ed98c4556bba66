/**
 * Where a capacity request should go: its region (or the regions nearest to `near`) first, then the
 * next-nearest inside the same residency group, skipping drained, stocked-out and over-quota regions,
 * within maxReplicas, perRegionMax and the GPU budget. Pure, like the planner.
 *
 * `replicas` is a floor (as a Compute Engine scaling schedule's minRequiredReplicas is): it is met in
 * a region when the region's floor is at least that; only the increase over the region's current
 * floor costs budget.
 */
import { effectiveResidency } from '../config';
import { decideRegions } from './health';
import { type Topology, topologyOf } from './topology';
import type { CapacityFloor, PlannerInput } from './types';

export interface CapacityRequest {
  requestId: string;
  /** Serve in this region (spilling to its nearest neighbours if it cannot)… */
  region?: string;
  /** …or near this client location / region. */
  near?: string;
  /** Only regions with this accelerator type (e.g. `nvidia-l4`). */
  accelerator?: string;
  replicas: number;
  /** Fence; default: the residency of `region`, or of the client location `near`. */
  residency?: string;
}

export interface Placement {
  region: string;
  replicas: number;
}

export interface PlacementResult {
  placements: Placement[];
  status: 'granted' | 'partial' | 'rejected';
  reason: string;
}

export function placeCapacity(input: PlannerInput, request: CapacityRequest): PlacementResult {
  const topo = topologyOf(input.config);
  const active = input.floors.filter((f) => f.expiresAt === undefined || f.expiresAt > input.now);
  // Redelivered request: what was placed before is the answer.
  const mine = active.filter((f) => f.requestId === request.requestId);
  if (mine.length > 0) return alreadyPlaced(mine, request);
  const rejected = invalid(topo, request);
  if (rejected) return rejected;
  const fence =
    request.residency ??
    (request.region !== undefined
      ? topo.residency[topo.regionIndex.get(request.region) as number]
      : topo.locationConfig.find((l) => l.location === request.near)?.residency);
  const spill = spillNearestFirst(input, topo, active, request, fence);
  return outcome(request, fence, spill);
}

function alreadyPlaced(mine: readonly CapacityFloor[], request: CapacityRequest): PlacementResult {
  const placements = mine
    .map((f) => ({ region: f.region, replicas: f.replicas }))
    .sort((a, b) => (a.region < b.region ? -1 : 1));
  const total = placements.reduce((s, p) => s + p.replicas, 0);
  return {
    placements,
    status: total >= request.replicas ? 'granted' : 'partial',
    reason: 'already placed (same requestId)',
  };
}

function invalid(topo: Topology, request: CapacityRequest): PlacementResult | undefined {
  if (!(Number.isInteger(request.replicas) && request.replicas > 0)) {
    return {
      placements: [],
      status: 'rejected',
      reason: `replicas must be a positive integer, got ${request.replicas}`,
    };
  }
  if ((request.region ?? request.near) === undefined)
    return { placements: [], status: 'rejected', reason: 'request names neither region nor near' };
  if (request.region !== undefined && !topo.regionIndex.has(request.region)) {
    return { placements: [], status: 'rejected', reason: `region ${request.region} is not configured` };
  }
  return undefined;
}

/** Where the request went so far, and the GPU budget it left. */
interface Spill {
  placements: Placement[];
  /** Why regions in reach took less than asked, or nothing. */
  skipped: string[];
  remaining: number;
  /** Accelerators of the budget still free. */
  left: number;
}

/** Every region's floor now: config min, observed min, and the active requests placed there. */
function floorsNow(input: PlannerInput, topo: Topology, active: readonly CapacityFloor[]): number[] {
  return topo.regionConfig.map((r) => {
    let floor = Math.max(r.minReplicas, input.observed[r.name]?.currentMinReplicas ?? 0);
    for (const f of active) if (f.region === r.name) floor = Math.max(floor, f.replicas);
    return floor;
  });
}

/** The regions in reach, nearest to the origin first: each takes what it can, the rest spills on. */
function spillNearestFirst(
  input: PlannerInput,
  topo: Topology,
  active: readonly CapacityFloor[],
  request: CapacityRequest,
  fence: string | undefined,
): Spill {
  // invalid() rejected a request naming neither region nor near.
  const origin = (request.region ?? request.near) as string;
  const decisions = decideRegions(input, topo);
  const cur = floorsNow(input, topo, active);
  let left = input.config.gpuBudget.maxTotalAccelerators;
  cur.forEach((c, i) => {
    left -= c * (topo.accelerators[i] as number);
  });
  const spill: Spill = { placements: [], skipped: [], remaining: request.replicas, left };
  const order = topo.regions
    .map((name, i) => ({ i, ms: topo.rtt(origin, name) }))
    .sort((a, b) => (a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.i - b.i));
  for (const { i, ms } of order) {
    if (spill.remaining <= 0) break;
    const r = topo.regionConfig[i]!;
    if (!Number.isFinite(ms)) continue;
    if (fence !== undefined && effectiveResidency(r) !== fence) continue;
    if (request.accelerator !== undefined && r.accelerator.type !== request.accelerator) continue;
    const obs = input.observed[r.name];
    if ((decisions[i]?.scaler ?? 0) <= 0) spill.skipped.push(`${r.name}: drained`);
    else if (obs?.stockout || obs?.quotaExceeded) {
      spill.skipped.push(`${r.name}: ${obs.stockout ? 'stockout' : 'quota exceeded'}`);
    } else grant(topo, i, cur[i] as number, spill);
  }
  return spill;
}

/** Region i takes up to its cap; past its current floor `c` only as far as the GPU budget allows. */
function grant(topo: Topology, i: number, c: number, spill: Spill): void {
  const name = topo.regions[i] as string;
  const per = topo.accelerators[i] as number;
  const cap = topo.replicaCap[i] as number;
  let replicas = Math.min(spill.remaining, cap);
  if (replicas > c) replicas = Math.min(replicas, c + Math.max(0, Math.floor(spill.left / per)));
  if (replicas <= 0) {
    spill.skipped.push(`${name}: no room`);
    return;
  }
  if (replicas < Math.min(spill.remaining, cap)) spill.skipped.push(`${name}: GPU budget`);
  else if (replicas < spill.remaining) spill.skipped.push(`${name}: maxReplicas ${cap}`);
  spill.left -= Math.max(0, replicas - c) * per;
  spill.remaining -= replicas;
  spill.placements.push({ region: name, replicas });
}

function outcome(request: CapacityRequest, fence: string | undefined, spill: Spill): PlacementResult {
  const { placements, skipped, remaining } = spill;
  const placed = request.replicas - remaining;
  const detail = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
  const where = fence !== undefined ? ` within residency '${fence}'` : '';
  if (placed <= 0) return { placements, status: 'rejected', reason: `no region${where} can take it${detail}` };
  if (remaining > 0) {
    return { placements, status: 'partial', reason: `placed ${placed} of ${request.replicas}${where}${detail}` };
  }
  return { placements, status: 'granted', reason: `placed ${placed} replicas${where}${detail}` };
}
