import { distanceKm } from './regions';
import type { GeoPolicy, HealthCheckTargets, RRSet } from './types';

/** What a client in one Google Cloud region is answered for one record set. */
export interface GeoAnswer {
  name: string;
  type: string;
  ttl: number;
  location: string;
  policy: 'none' | 'geo' | 'wrr' | 'primaryBackup';
  /** The addresses the answer carries (for WRR: every item with weight > 0, see `weighted`). */
  rrdatas: string[];
  /** geo: the item that answered, whether it matched exactly, and how far it is. */
  matchedLocation?: string;
  exact?: boolean;
  distanceKm?: number;
  /** wrr: each item's share of answers (weight / total). */
  weighted?: Array<{ weight: number; share: number; rrdatas: string[] }>;
}

/**
 * Answers a query from `location` (a Google Cloud region) the way Cloud DNS routing policies do:
 * plain data as is; geo → the item for that region, else the nearest item by great-circle
 * distance; WRR → the weighted set; primary/backup → the primary targets. Health checking is not
 * simulated: every target is taken as healthy, so fencing and failover never trigger.
 */
export function resolveRRSet(rrset: RRSet, location: string): GeoAnswer {
  const base = { name: rrset.name, type: rrset.type, ttl: rrset.ttl, location };
  const policy = rrset.routingPolicy;
  if (!policy) return { ...base, policy: 'none', rrdatas: [...(rrset.rrdatas ?? [])] };
  if (policy.geo) return { ...base, policy: 'geo', ...resolveGeo(policy.geo, location) };
  if (policy.wrr) {
    const live = policy.wrr.items.filter((i) => i.weight > 0);
    const total = live.reduce((s, i) => s + i.weight, 0);
    const weighted = live.map((i) => ({
      weight: i.weight,
      share: i.weight / total,
      rrdatas: addresses(i.rrdatas, i.healthCheckedTargets),
    }));
    return { ...base, policy: 'wrr', rrdatas: unique(weighted.flatMap((w) => w.rrdatas)), weighted };
  }
  const pb = policy.primaryBackup;
  return { ...base, policy: 'primaryBackup', rrdatas: pb ? addresses(undefined, pb.primaryTargets) : [] };
}

function resolveGeo(
  geo: GeoPolicy,
  location: string,
): Pick<GeoAnswer, 'rrdatas' | 'matchedLocation' | 'exact' | 'distanceKm'> {
  let best = geo.items[0]!;
  let bestKm = Number.POSITIVE_INFINITY;
  for (const item of geo.items) {
    const km = item.location === location ? 0 : distanceKm(location, item.location);
    // Ties go to the earlier item, so the answer is deterministic.
    if (km < bestKm) {
      best = item;
      bestKm = km;
    }
  }
  return {
    rrdatas: addresses(best.rrdatas, best.healthCheckedTargets),
    matchedLocation: best.location,
    exact: best.location === location,
    distanceKm: Math.round(bestKm),
  };
}

function addresses(rrdatas: string[] | undefined, targets: HealthCheckTargets | undefined): string[] {
  const out = [...(rrdatas ?? [])];
  for (const lb of targets?.internalLoadBalancers ?? []) if (lb.ipAddress) out.push(lb.ipAddress);
  out.push(...(targets?.externalEndpoints ?? []));
  return unique(out);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
