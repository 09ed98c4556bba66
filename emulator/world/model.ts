/**
 * The world simulation's pure models: network RTT, the global load balancer's spread, per-region
 * queueing and the latency a client location sees. Deterministic given their inputs.
 */
import { distanceKm } from '../dns/regions';

/** Round trip between two regions, ms: 2 × distance / (200 km/ms in fibre) × 1.5 route factor + 4 ms. */
export function rttMs(from: string, to: string): number {
  if (from === to) return 1;
  return Math.round(((2 * distanceKm(from, to)) / 200) * 1.5 + 4);
}

/** A small seeded PRNG (mulberry32): the same seed gives the same jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LbBackend {
  region: string;
  /** Requests/s the backend may take: serving endpoints (healthy, not ejected) × maxRatePerInstance × capacityScaler. */
  capacity: number;
  healthy: number;
  capacityScaler: number;
}

/**
 * The global external Application Load Balancer's default "waterfall by region": "Direct traffic to the
 * nearest region with endpoints and capacity before spilling over to other regions"
 * (WATERFALL_BY_REGION, https://cloud.google.com/load-balancing/docs/service-lb-policy; capacity per
 * backend = serving endpoints × maxRatePerInstance × capacityScaler — the per-instance target and the
 * scaler are https://cloud.google.com/load-balancing/docs/backend-service's, counting only the
 * endpoints that get traffic is the twin's reading). Every location offers its unserved
 * requests to its nearest backend, then its second nearest, and so on; a backend asked for more than it
 * has left shares it among the locations asking in proportion to what they ask — so a region's capacity
 * goes first to the clients it is nearest to, whatever the order of the locations. Requests no backend
 * has room for are spread over the backends in proportion to their capacity (they overload; Google does
 * not document this case), or, with no capacity anywhere, go to the nearest backend that still serves.
 */
export function spreadAnycast(
  demand: Array<{ location: string; rps: number }>,
  backends: LbBackend[],
): Record<string, Record<string, number>> {
  const left = new Map(backends.map((b) => [b.region, b.capacity]));
  const total = backends.reduce((s, b) => s + b.capacity, 0);
  const out: Record<string, Record<string, number>> = {};
  const rest = new Map<string, number>();
  const nearest = new Map<string, LbBackend[]>();
  for (const { location, rps } of demand) {
    out[location] = {};
    rest.set(location, (rest.get(location) ?? 0) + Math.max(0, rps));
    nearest.set(
      location,
      [...backends].sort(
        (a, b) => rttMs(location, a.region) - rttMs(location, b.region) || a.region.localeCompare(b.region),
      ),
    );
  }
  const add = (location: string, region: string, rps: number) => {
    const served = out[location]!;
    served[region] = (served[region] ?? 0) + rps;
  };
  for (let rank = 0; rank < backends.length; rank++) {
    const asks = new Map<string, Array<[string, number]>>();
    for (const [location, rps] of rest) {
      const b = nearest.get(location)?.[rank];
      if (!b || rps <= 1e-9) continue;
      asks.set(b.region, [...(asks.get(b.region) ?? []), [location, rps]]);
    }
    for (const [region, list] of asks) {
      const room = left.get(region) ?? 0;
      if (room <= 0) continue;
      const asked = list.reduce((s, [, rps]) => s + rps, 0);
      const granted = Math.min(room, asked);
      for (const [location, rps] of list) {
        const take = (rps * granted) / asked;
        add(location, region, take);
        rest.set(location, (rest.get(location) ?? 0) - take);
      }
      left.set(region, room - granted);
    }
  }
  for (const [location, rps] of rest) {
    if (rps <= 1e-9) continue;
    if (total > 0) {
      for (const b of backends) if (b.capacity > 0) add(location, b.region, (rps * b.capacity) / total);
    } else {
      const list = nearest.get(location) ?? [];
      const fallback = list.find((b) => b.capacityScaler > 0) ?? list[0];
      if (fallback) add(location, fallback.region, rps);
    }
  }
  return out;
}

export interface RegionLoad {
  /** Requests/s arriving (clients and probes). */
  rps: number;
  healthy: number;
  replicaRps: number;
  /** Injected application error ratio (0..1). */
  errorRate: number;
  baseLatencyMs: number;
}

export interface RegionPerformance {
  utilization: number;
  errorRatio: number;
  /** The part of errorRatio the load balancer answers 503 for: no serving replica, or the excess load shed. */
  shedRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The mean queueing delay never grows past this: the model server sheds what would wait longer. */
const MAX_WAIT_MS = 10_000;
/** Utilization at which the queue is taken as saturated. */
const RHO_CAP = 0.97;

/**
 * One region as a queue of `healthy` servers: utilization ρ = rate / (healthy × per-replica throughput).
 * Latency is the service time plus the mean M/M/c wait (Sakasegawa's approximation
 * `S × ρ^(√(2(c+1))−1) / (c(1−ρ))`, capped), scaled per percentile (the wait is exponential: p95 ≈ 3 ×
 * its mean). Errors: no healthy replica → every request fails; ρ > 1 → the excess fails (the model
 * server sheds it); an injected error rate fails that share of the rest.
 */
export function regionPerformance(load: RegionLoad, jitter = 1): RegionPerformance {
  const c = load.healthy;
  const capacity = c * load.replicaRps;
  if (capacity <= 0) {
    const busy = load.rps > 0;
    return {
      utilization: busy ? Number.POSITIVE_INFINITY : 0,
      errorRatio: busy ? 1 : 0,
      shedRatio: busy ? 1 : 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
    };
  }
  const rho = load.rps / capacity;
  const overload = rho > 1 ? 1 - 1 / rho : 0;
  const errorRatio = 1 - (1 - overload) * (1 - Math.min(1, Math.max(0, load.errorRate)));
  const r = Math.min(rho, RHO_CAP);
  const wait = Math.min(MAX_WAIT_MS, (load.baseLatencyMs * r ** (Math.sqrt(2 * (c + 1)) - 1)) / (c * (1 - r)));
  const base = load.baseLatencyMs * jitter;
  return {
    utilization: rho,
    errorRatio,
    shedRatio: overload,
    p50Ms: base + wait * 0.7,
    p95Ms: base * 1.4 + wait * 3,
    p99Ms: base * 1.6 + wait * 4.6,
  };
}

/**
 * The p-th percentile of a mixture: each part is a share of the requests with its own percentile
 * latency. Parts sorted slowest first; the answer is the latency of the part where the slowest
 * (100 − p) % of the requests end. Parts with no successful request are left out.
 */
export function mixturePercentile(parts: Array<{ share: number; ms: number }>, p: number): number | null {
  const live = parts.filter((x) => x.share > 0);
  const total = live.reduce((s, x) => s + x.share, 0);
  if (total <= 0) return null;
  const tail = (1 - p / 100) * total;
  let acc = 0;
  const sorted = [...live].sort((a, b) => b.ms - a.ms);
  for (const x of sorted) {
    acc += x.share;
    if (acc >= tail) return x.ms;
  }
  return sorted[sorted.length - 1]?.ms ?? null;
}
