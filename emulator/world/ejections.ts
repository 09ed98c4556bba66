import type { RegionPerformance } from './model';
import { type EndpointLoad, ejectionChances, maxEjected, outlierSettings } from './outlier';
import type { ServiceRef, Topology } from './topology';
import type { WorldEvent } from './types';

/**
 * Outlier detection state of every backend service the world routes through, per endpoint (VM):
 * ejected endpoints take no traffic from that backend service. State is kept per backend service,
 * because Google runs the algorithm in each load balancer's proxies independently
 * (https://cloud.google.com/compute/docs/reference/rest/v1/backendServices, `outlierDetection`): a VM
 * of a MIG that backs both the global and its region's load balancer may be ejected by one only.
 *
 * Fluid timing: ejections found over a sample interval take effect from the end of that interval for
 * `baseEjectionTime` × times ejected (Google's text, taken literally: no decay, no cap); an endpoint
 * ejected for part of an interval counts for that part of the pool.
 */

/** One endpoint's record in one backend service. */
export interface EjectionRecord {
  ejections: number;
  ejectedAt: number;
  ejectedUntil: number;
  reason: string;
}

/** backend service path → instance name → record (plain JSON, in the world's state). */
export type EjectionState = Record<string, Record<string, EjectionRecord>>;

/** What one region's endpoints served over an interval, per backend service scope. */
export interface RegionLoadShare {
  /** Requests/s through its regional load balancer (clients and probes) and through the global one. */
  regionalRps: number;
  globalRps: number;
  /** 5xx share of its responses, and the 502/503/504 part of it. */
  errorShare: number;
  gatewayShare: number;
}

const key = (service: ServiceRef) => service.path;
const regionOf = (service: ServiceRef) => (service.scope === 'global' ? undefined : service.scope.region);

/** The share of [start, end] an endpoint was in a service's pool. */
function inPoolShare(record: EjectionRecord | undefined, start: number, end: number): number {
  if (!record || record.ejectedUntil <= start) return 1;
  const span = Math.max(1, end - start);
  return 1 - Math.min(1, (Math.min(record.ejectedUntil, end) - start) / span);
}

/**
 * Per region: endpoints in the pool of its regional and of the global backend service over [start, end]
 * (healthy VMs, less the time they were ejected). Without outlier detection, every healthy VM.
 */
export function poolSizes(
  topo: Topology,
  state: EjectionState,
  endpoints: Record<string, string[]>,
  start: number,
  end: number,
): Record<string, { regional: number; global: number }> {
  const out: Record<string, { regional: number; global: number }> = {};
  const sum = (service: ServiceRef | undefined, ids: string[]) =>
    ids.reduce((s, id) => s + (service ? inPoolShare(state[key(service)]?.[id], start, end) : 1), 0);
  const global = topo.services.find((x) => x.scope === 'global');
  for (const b of topo.backends) {
    const ids = endpoints[b.region] ?? [];
    const regional = topo.services.find((x) => regionOf(x) === b.region);
    out[b.region] = { regional: sum(regional, ids), global: sum(global, ids) };
  }
  return out;
}

/**
 * The servers a region's queue effectively has when its two load balancers spread over different
 * pools: the busiest VM (in both pools) sets the pace — rate / (R / n_regional + G / n_global).
 * Requests for a pool with no endpoint left fail (`stranded`, requests/s).
 */
export function effectiveServers(
  healthy: number,
  regionalRps: number,
  globalRps: number,
  pools: { regional: number; global: number },
): { servers: number; stranded: number } {
  let stranded = 0;
  let perVm = 0;
  let routed = 0;
  for (const [rps, n] of [
    [regionalRps, pools.regional],
    [globalRps, pools.global],
  ] as const) {
    if (rps <= 0) continue;
    if (n <= 1e-9) stranded += rps;
    else {
      perVm += rps / n;
      routed += rps;
    }
  }
  if (routed <= 0 || perVm <= 0) return { servers: healthy, stranded };
  return { servers: Math.min(healthy, routed / perVm), stranded };
}

/**
 * Runs each backend service's detection over [start, end] and records new ejections. `random` decides,
 * per endpoint, whether its chance came true. Returns the ejection events.
 */
export function detectOutliers(
  topo: Topology,
  state: EjectionState,
  endpoints: Record<string, string[]>,
  loads: Record<string, RegionLoadShare>,
  start: number,
  end: number,
  random: () => number,
): WorldEvent[] {
  const events: WorldEvent[] = [];
  const intervalSec = Math.max(0.001, (end - start) / 1000);
  for (const service of topo.services) {
    const settings = outlierSettings(service.outlierDetection);
    const records = state[key(service)] ?? {};
    const regions = service.scope === 'global' ? topo.backends.map((b) => b.region) : [service.scope.region];
    const pool: Array<EndpointLoad & { region: string }> = [];
    for (const region of regions) {
      const ids = endpoints[region] ?? [];
      const load = loads[region];
      const shares = ids.map((id) => inPoolShare(records[id], start, end));
      const n = shares.reduce((s, x) => s + x, 0);
      const rps = load ? (service.scope === 'global' ? load.globalRps : load.regionalRps) : 0;
      ids.forEach((id, i) => {
        pool.push({
          id,
          region,
          rps: n > 0 ? rps / n : 0,
          errorShare: load?.errorShare ?? 0,
          gatewayShare: load?.gatewayShare ?? 0,
          inPoolSec: (shares[i] as number) * intervalSec,
        });
      });
    }
    // Endpoints that left the pool (unhealthy, deleted) are forgotten.
    const live = new Set(pool.map((e) => e.id));
    for (const id of Object.keys(records)) if (!live.has(id)) delete records[id];
    if (!settings || pool.length === 0) {
      if (Object.keys(records).length > 0) state[key(service)] = records;
      continue;
    }
    let ejected = pool.filter((e) => (records[e.id]?.ejectedUntil ?? 0) > end).length;
    const cap = maxEjected(settings, pool.length);
    const byId = new Map(pool.map((e) => [e.id, e]));
    for (const chance of ejectionChances(settings, pool).sort((a, b) => a.id.localeCompare(b.id))) {
      const e = byId.get(chance.id)!;
      if ((records[e.id]?.ejectedUntil ?? 0) > end || chance.probability <= 0) continue;
      const u = random();
      if (u >= chance.probability || ejected >= cap) continue;
      const at = Math.round(start + (u / chance.probability) * e.inPoolSec * 1000);
      const ejections = (records[e.id]?.ejections ?? 0) + 1;
      const until = at + settings.baseEjectionMs * ejections;
      records[e.id] = { ejections, ejectedAt: at, ejectedUntil: until, reason: chance.reason };
      ejected++;
      events.push({
        at: end,
        kind: 'ejection',
        service: service.name,
        region: e.region,
        instance: e.id,
        reason: chance.reason,
        ejectedAt: at,
        until,
        ejections,
      });
    }
    state[key(service)] = records;
  }
  return events;
}

/** Per region: its endpoints ejected at `at` by its regional and by the global backend service. */
export function ejectedCounts(
  topo: Topology,
  state: EjectionState,
  endpoints: Record<string, string[]>,
  at: number,
): Record<string, { regional: number; global: number }> {
  const global = topo.services.find((x) => x.scope === 'global');
  const count = (service: ServiceRef | undefined, ids: string[]) =>
    service ? ids.filter((id) => (state[key(service)]?.[id]?.ejectedUntil ?? 0) > at).length : 0;
  const out: Record<string, { regional: number; global: number }> = {};
  for (const b of topo.backends) {
    const ids = endpoints[b.region] ?? [];
    out[b.region] = {
      regional: count(
        topo.services.find((x) => regionOf(x) === b.region),
        ids,
      ),
      global: count(global, ids),
    };
  }
  return out;
}

/** A region's performance with `stranded` requests/s (no endpoint left in their pool) failing with 503. */
export function withStranded(p: RegionPerformance, rps: number, stranded: number): RegionPerformance {
  if (stranded <= 0 || rps <= 0) return p;
  const f = stranded / rps;
  return { ...p, errorRatio: f + (1 - f) * p.errorRatio, shedRatio: f + (1 - f) * p.shedRatio };
}
