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
import { topologyOf } from './topology';
import type { PlannerInput } from './types';

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
  if (mine.length > 0) {
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
  if (!(Number.isInteger(request.replicas) && request.replicas > 0)) {
    return {
      placements: [],
      status: 'rejected',
      reason: `replicas must be a positive integer, got ${request.replicas}`,
    };
  }
  const origin = request.region ?? request.near;
  if (origin === undefined)
    return { placements: [], status: 'rejected', reason: 'request names neither region nor near' };
  if (request.region !== undefined && !topo.regionIndex.has(request.region)) {
    return { placements: [], status: 'rejected', reason: `region ${request.region} is not configured` };
  }
  const fence =
    request.residency ??
    (request.region !== undefined
      ? topo.residency[topo.regionIndex.get(request.region) as number]
      : topo.locationConfig.find((l) => l.location === request.near)?.residency);

  const decisions = decideRegions(input, topo);
  const cur = topo.regionConfig.map((r) => {
    let floor = Math.max(r.minReplicas, input.observed[r.name]?.currentMinReplicas ?? 0);
    for (const f of active) if (f.region === r.name) floor = Math.max(floor, f.replicas);
    return floor;
  });
  let left = input.config.gpuBudget.maxTotalAccelerators;
  cur.forEach((c, i) => {
    left -= c * (topo.accelerators[i] as number);
  });

  const order = topo.regions
    .map((name, i) => ({ i, ms: topo.rtt(origin, name) }))
    .sort((a, b) => (a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.i - b.i));
  const skipped: string[] = [];
  const placements: Placement[] = [];
  let remaining = request.replicas;
  for (const { i, ms } of order) {
    if (remaining <= 0) break;
    const r = topo.regionConfig[i]!;
    if (!Number.isFinite(ms)) continue;
    if (fence !== undefined && effectiveResidency(r) !== fence) continue;
    if (request.accelerator !== undefined && r.accelerator.type !== request.accelerator) continue;
    const obs = input.observed[r.name];
    if ((decisions[i]?.scaler ?? 0) <= 0) {
      skipped.push(`${r.name}: drained`);
      continue;
    }
    if (obs?.stockout || obs?.quotaExceeded) {
      skipped.push(`${r.name}: ${obs.stockout ? 'stockout' : 'quota exceeded'}`);
      continue;
    }
    const per = topo.accelerators[i] as number;
    const c = cur[i] as number;
    let grant = Math.min(remaining, topo.replicaCap[i] as number);
    if (grant > c) grant = Math.min(grant, c + Math.max(0, Math.floor(left / per)));
    if (grant <= 0) {
      skipped.push(`${r.name}: no room`);
      continue;
    }
    if (grant < Math.min(remaining, topo.replicaCap[i] as number)) skipped.push(`${r.name}: GPU budget`);
    else if (grant < remaining) skipped.push(`${r.name}: maxReplicas ${topo.replicaCap[i]}`);
    left -= Math.max(0, grant - c) * per;
    remaining -= grant;
    placements.push({ region: r.name, replicas: grant });
  }
  const placed = request.replicas - remaining;
  const detail = skipped.length > 0 ? ` (${skipped.join('; ')})` : '';
  const where = fence !== undefined ? ` within residency '${fence}'` : '';
  if (placed <= 0) return { placements, status: 'rejected', reason: `no region${where} can take it${detail}` };
  if (remaining > 0) {
    return { placements, status: 'partial', reason: `placed ${placed} of ${request.replicas}${where}${detail}` };
  }
  return { placements, status: 'granted', reason: `placed ${placed} replicas${where}${detail}` };
}
