import { mixturePercentile, type RegionPerformance, rttMs } from './model';
import type { Resolver } from './resolvers';
import { ANYCAST, type Topology } from './topology';
import type { LocationSample, RegionSample } from './types';

/** The region an IP leads to, `anycast` for the global load balancer; undefined when it leads nowhere. */
export const routeName = (topo: Topology, ip: string): string | undefined => {
  const route = topo.routes.get(ip);
  return route ? (route.kind === 'regional' ? route.region : ANYCAST) : undefined;
};

/** Where each location's requests went over one interval, before the global load balancer's spread. */
export interface Routed {
  /** location → region → requests/s through the region's regional load balancer (spread added later). */
  direct: Record<string, Record<string, number>>;
  /** location → requests/s to IPs that lead nowhere (they fail). */
  unroutable: Record<string, number>;
  /** Requests/s per location to the global load balancer's anycast IP. */
  anycast: Array<{ location: string; rps: number }>;
  /** location → the regions (or `anycast`) its resolvers' current answer points to. */
  answers: Record<string, string[]>;
}

/**
 * Each location's requests over the IPs its resolvers hold: the current answer, and the previous one
 * for a share falling linearly to 0 over the record's TTL; an answer's IPs split equally, or by their
 * weights (WRR, failover trickle traffic).
 */
export function routeLocations(
  locations: string[],
  state: { load: Record<string, number>; resolvers: Record<string, Resolver> },
  topo: Topology,
  now: number,
): Routed {
  const regions = new Set(topo.backends.map((b) => b.region));
  const out: Routed = { direct: {}, unroutable: {}, anycast: [], answers: {} };
  for (const location of locations) {
    const rps = state.load[location] ?? 0;
    const r = state.resolvers[location];
    const served: Record<string, number> = {};
    out.direct[location] = served;
    if (!r) continue;
    const old = r.previous.length > 0 ? Math.max(0, Math.min(1, 1 - (now - r.changedAt) / Math.max(1, r.ttlMs))) : 0;
    let viaAnycast = 0;
    for (const [ips, share, weights] of [
      [r.ips, 1 - old, r.weights],
      [r.previous, old, r.previousWeights],
    ] as const) {
      if (share <= 0 || ips.length === 0) continue;
      for (const ip of ips) {
        const part = rps * share * (weights?.[ip] ?? 1 / ips.length);
        const route = topo.routes.get(ip);
        if (route?.kind === 'anycast') viaAnycast += part;
        else if (route && regions.has(route.region)) served[route.region] = (served[route.region] ?? 0) + part;
        else out.unroutable[location] = (out.unroutable[location] ?? 0) + part;
      }
    }
    if (viaAnycast > 0) out.anycast.push({ location, rps: viaAnycast });
    out.answers[location] = [...new Set(r.ips.map((ip) => routeName(topo, ip) ?? ip))].sort();
  }
  return out;
}

/** What each location saw: the regions that served it, errors, latency (the region's plus the round trip). */
export function locationSamples(
  locations: string[],
  load: Record<string, number>,
  routed: Pick<Routed, 'direct' | 'unroutable' | 'answers'>,
  regions: Record<string, RegionSample>,
  perf: Record<string, RegionPerformance>,
): Record<string, LocationSample> {
  const out: Record<string, LocationSample> = {};
  for (const location of locations) {
    const served = routed.direct[location] ?? {};
    const rps = load[location] ?? 0;
    const ok = (region: string) => (served[region] ?? 0) * (1 - (regions[region]?.errorRatio ?? 1));
    const parts = (pick: (p: RegionPerformance) => number) =>
      Object.keys(served).map((region) => ({ share: ok(region), ms: pick(perf[region]!) + rttMs(location, region) }));
    const failed = Object.keys(served).reduce((sum, region) => sum + (served[region] ?? 0) - ok(region), 0);
    out[location] = {
      rps,
      answer: routed.answers[location] ?? [],
      served,
      p50Ms: mixturePercentile(
        parts((p) => p.p50Ms),
        50,
      ),
      p95Ms: mixturePercentile(
        parts((p) => p.p95Ms),
        95,
      ),
      errorRatio: rps > 0 ? Math.min(1, (failed + (routed.unroutable[location] ?? 0)) / rps) : 0,
    };
  }
  return out;
}
