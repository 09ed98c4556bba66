import { distanceKm } from './regions';
import type { GeoItem, GeoPolicy, HealthCheckTargets, RRSet, WrrItem } from './types';

/**
 * Whether a health-checked target is answered: `false` = unhealthy, `true` or `undefined` (not probed,
 * e.g. an internal load balancer, which the twin does not probe) = answered.
 */
export type HealthOf = (ip: string) => boolean | undefined;

/** What a client in one Google Cloud region is answered for one record set. */
export interface GeoAnswer {
  name: string;
  type: string;
  ttl: number;
  location: string;
  policy: 'none' | 'geo' | 'wrr' | 'primaryBackup';
  /** The addresses the answer carries (several sets: every set's, with `weighted` giving their shares). */
  rrdatas: string[];
  /** geo: the item that answered, whether it matched exactly, and how far it is. */
  matchedLocation?: string;
  exact?: boolean;
  distanceKm?: number;
  /** geo: the nearest item, when every target there was unhealthy and another item answered instead. */
  failedOverFrom?: string;
  /** wrr, primaryBackup with trickle traffic: each set's share of answers. */
  weighted?: Array<{ weight: number; share: number; rrdatas: string[] }>;
  /** primaryBackup: PRIMARY while a primary target is healthy, else BACKUP. */
  servingState?: 'PRIMARY' | 'BACKUP';
  /** Every health-checked target the answer considered, and whether it was healthy. */
  targets?: Array<{ ip: string; healthy: boolean }>;
}

const allHealthy: HealthOf = () => undefined;

/**
 * Answers a query from `location` (a Google Cloud region) the way Cloud DNS routing policies do, with
 * health from `health` (emulator/dns/health.ts). Semantics from the API reference
 * (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets):
 * - targets: "Only the healthy endpoints will be included in the response" (HealthCheckTargets);
 *   an item's plain `rrdatas` are always answered.
 * - geo: the item for that region, else the nearest (https://cloud.google.com/dns/docs/routing-policies-overview).
 *   GeoPolicy.enableFencing: "Without fencing, if health check fails for all configured items in the
 *   current geo bucket, we failover to the next nearest geo bucket. With fencing, […] as long as some
 *   targets in the current geo bucket are healthy, we return only the healthy targets. However, if all
 *   targets are unhealthy, we don't failover […]; we return all the items in the current bucket".
 * - wrr: "If all endpoints within a bucket are unhealthy, we choose a different bucket (sampled with
 *   respect to its weight)": unhealthy items drop out and the shares renormalise (no random pick here).
 * - primaryBackup: "Unhealthy endpoints are omitted […]. If all endpoints are unhealthy, we serve a
 *   response based on the backup_geo_targets"; `trickleTraffic`: "When serving state is PRIMARY, […]
 *   sending a small percentage of the traffic to the backup targets".
 * Undocumented, assumed: when no item anywhere has a healthy target, the nearest (geo) / every (wrr)
 * item answers all its targets, as fencing does.
 */
export function resolveRRSet(rrset: RRSet, location: string, health: HealthOf = allHealthy): GeoAnswer {
  const base = { name: rrset.name, type: rrset.type, ttl: rrset.ttl, location };
  const policy = rrset.routingPolicy;
  const seen = new Map<string, boolean>();
  const check: HealthOf = (ip) => {
    const h = health(ip);
    seen.set(ip, h !== false);
    return h;
  };
  const targets = () => (seen.size > 0 ? { targets: [...seen].map(([ip, healthy]) => ({ ip, healthy })) } : {});
  if (!policy) return { ...base, policy: 'none', rrdatas: [...(rrset.rrdatas ?? [])] };
  if (policy.geo) return { ...base, policy: 'geo', ...resolveGeo(policy.geo, location, check), ...targets() };
  if (policy.wrr) {
    const weighted = resolveWrr(policy.wrr.items, check);
    return {
      ...base,
      policy: 'wrr',
      rrdatas: unique(weighted.flatMap((w) => w.rrdatas)),
      weighted,
      ...targets(),
    };
  }
  const pb = policy.primaryBackup;
  if (!pb) return { ...base, policy: 'primaryBackup', rrdatas: [] };
  const primary = answered(undefined, pb.primaryTargets, check);
  const backup = () => resolveGeo(pb.backupGeoTargets, location, check);
  if (primary.healthy.length === 0) {
    return { ...base, policy: 'primaryBackup', servingState: 'BACKUP', ...backup(), ...targets() };
  }
  const trickle = pb.trickleTraffic ?? 0;
  if (trickle <= 0) {
    return { ...base, policy: 'primaryBackup', servingState: 'PRIMARY', rrdatas: primary.healthy, ...targets() };
  }
  const back = backup();
  const weighted = [
    { weight: 1 - trickle, share: 1 - trickle, rrdatas: primary.healthy },
    { weight: trickle, share: trickle, rrdatas: back.rrdatas },
  ].filter((w) => w.share > 0);
  return {
    ...base,
    policy: 'primaryBackup',
    servingState: 'PRIMARY',
    rrdatas: unique(weighted.flatMap((w) => w.rrdatas)),
    weighted,
    ...targets(),
  };
}

function resolveGeo(
  geo: GeoPolicy,
  location: string,
  health: HealthOf,
): Pick<GeoAnswer, 'rrdatas' | 'matchedLocation' | 'exact' | 'distanceKm' | 'failedOverFrom'> {
  const km = (item: GeoItem) => (item.location === location ? 0 : distanceKm(location, item.location));
  // Nearest first; ties go to the earlier item, so the answer is deterministic.
  const byDistance = geo.items.map((item, i) => ({ item, i, km: km(item) })).sort((a, b) => a.km - b.km || a.i - b.i);
  const nearest = byDistance[0]!;
  const answer = (pick: (typeof byDistance)[number], rrdatas: string[], from?: string) => ({
    rrdatas,
    matchedLocation: pick.item.location,
    exact: pick.item.location === location,
    distanceKm: Math.round(pick.km),
    ...(from ? { failedOverFrom: from } : {}),
  });
  const first = answered(nearest.item.rrdatas, nearest.item.healthCheckedTargets, health);
  if (first.healthy.length > 0) return answer(nearest, first.healthy);
  if (!geo.enableFencing) {
    for (const next of byDistance.slice(1)) {
      const a = answered(next.item.rrdatas, next.item.healthCheckedTargets, health);
      if (a.healthy.length > 0) return answer(next, a.healthy, nearest.item.location);
    }
  }
  return answer(nearest, first.all);
}

function resolveWrr(items: WrrItem[], health: HealthOf): NonNullable<GeoAnswer['weighted']> {
  const live = items
    .filter((i) => i.weight > 0)
    .map((i) => ({ weight: i.weight, ...answered(i.rrdatas, i.healthCheckedTargets, health) }));
  const up = live.filter((i) => i.healthy.length > 0);
  const serving =
    up.length > 0
      ? up.map((i) => ({ weight: i.weight, rrdatas: i.healthy }))
      : live.map((i) => ({ weight: i.weight, rrdatas: i.all }));
  const total = serving.reduce((s, i) => s + i.weight, 0);
  return serving.map((i) => ({ weight: i.weight, share: i.weight / total, rrdatas: i.rrdatas }));
}

/** An item's addresses: all of them, and those answered (plain rrdatas and healthy targets). */
function answered(
  rrdatas: string[] | undefined,
  targets: HealthCheckTargets | undefined,
  health: HealthOf,
): { all: string[]; healthy: string[] } {
  const all = [...(rrdatas ?? [])];
  const healthy = [...(rrdatas ?? [])];
  const ips = [
    ...(targets?.internalLoadBalancers ?? []).map((lb) => lb.ipAddress).filter((ip): ip is string => !!ip),
    ...(targets?.externalEndpoints ?? []),
  ];
  for (const ip of ips) {
    all.push(ip);
    if (health(ip) !== false) healthy.push(ip);
  }
  return { all: unique(all), healthy: unique(healthy) };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
