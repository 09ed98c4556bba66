/**
 * The `native` profile (issue 16): the same stack with georoute's functions off, configured as a careful
 * engineer would with only what Google Cloud does by itself. What differs from georoute's profile is the
 * geo record: one item per serving region, answering that region's regional Application Load Balancer
 * IP as a health-checked external endpoint, probed by the DNS health check (`dnsHealthCheck`, a global
 * health check with 3 source regions); Cloud DNS then drops a region whose load balancer fails its
 * probes (https://cloud.google.com/dns/docs/zones/manage-routing-policies,
 * https://cloud.google.com/dns/docs/routing-policies-overview). Every setting and its source:
 * docs/BENCHMARKS.md, "The native baseline".
 */
import { effectiveResidency, type GeorouteConfig } from '../shared/config';

export type Profile = 'georoute' | 'native';

/**
 * Residency groups whose client locations must stay inside them: a fenced location (config
 * `clientLocations[].residency`) whose group has no allowed fallback (`residencyFallback`).
 */
export function fencedGroups(config: GeorouteConfig): Set<string> {
  return new Set(
    config.clientLocations
      .map((l) => l.residency)
      .filter((g): g is string => g !== undefined && config.residencyFallback[g] !== 'anycast'),
  );
}

/**
 * `enableFencing` is one flag for the whole policy (GeoPolicy.enableFencing,
 * https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets): without it, a bucket whose
 * targets are all unhealthy fails over "to the next nearest geo bucket" — across a residency fence when
 * the fence's regions are all down; with it, never out of the bucket. A careful engineer who must keep
 * fenced locations inside their fence turns it on, and then can only fail over *inside* a bucket: so
 * each bucket holds every region of its residency group (healthy ones answered, with equal weight),
 * which costs latency while all is well (a location's answers spread over its group's regions, not
 * the nearest) and buys failover within the group. Without fences: single-region buckets, nearest
 * region first, failover to the next nearest healthy one.
 */
export function nativeGeoPolicy(
  config: GeorouteConfig,
  entryIps: Record<string, string>,
  healthCheck: string,
): { healthCheck: string; geo: { enableFencing: boolean; items: Array<Record<string, unknown>> } } {
  const fencing = fencedGroups(config).size > 0;
  const groupOf = (region: string) => effectiveResidency(config.regions.find((r) => r.name === region)!);
  const ipsOfGroup = (group: string, first?: string) =>
    config.regions
      .filter((r) => entryIps[r.name] && effectiveResidency(r) === group)
      .sort((a, b) => (a.name === first ? -1 : b.name === first ? 1 : a.name.localeCompare(b.name)))
      .map((r) => entryIps[r.name] as string);
  const item = (location: string, ips: string[]) => ({
    location,
    healthCheckedTargets: { externalEndpoints: ips },
  });
  const items = config.regions
    .filter((r) => entryIps[r.name])
    .map((r) => item(r.name, fencing ? ipsOfGroup(groupOf(r.name), r.name) : [entryIps[r.name] as string]));
  if (fencing) {
    // A fenced location with no region of its own is matched to the nearest bucket, which may be another
    // group's: give it its own bucket of its group's regions.
    const taken = new Set(items.map((i) => i.location));
    for (const l of config.clientLocations) {
      if (!l.residency || taken.has(l.location) || !fencedGroups(config).has(l.residency)) continue;
      const ips = ipsOfGroup(l.residency);
      if (ips.length > 0) items.push(item(l.location, ips));
      taken.add(l.location);
    }
  }
  return {
    healthCheck,
    geo: { enableFencing: fencing, items: items.sort((a, b) => a.location.localeCompare(b.location)) },
  };
}

/**
 * Outlier detection on both tiers' backend services, in both profiles ("the same stack": it acts in
 * the load balancers' data plane within seconds, beside anything georoute does). Google's fields and
 * defaults (https://cloud.google.com/compute/docs/reference/rest/v1/backendServices, OutlierDetection;
 * https://cloud.google.com/load-balancing/docs/backend-service#outlier-detection), chosen to be the
 * strongest that are safe for regions of a few GPU VMs whose model servers shed overload with 503:
 * - success-rate ejection on, at its defaults (enforced 100 %, 5 hosts, 100 requests, mean − 1.9 σ): it
 *   ejects a VM that fails more than its peers (a bad GPU), never a whole busy region's VMs (they fail
 *   alike). Its `interval` is lengthened so that one replica at the planned utilisation reaches the 100
 *   requests in it — at Google's 1 s default a GPU replica serving a few requests a second never does;
 * - consecutive-5xx and consecutive-gateway-failure ejection **off** (`enforcingConsecutiveErrors` 0 is
 *   Google's default; `enforcingConsecutiveGatewayFailure` defaults to 100 and is set to 0): both count
 *   the 503s an overloaded model server sheds, so during a failover they eject healthy VMs of the region
 *   absorbing the load exactly when its capacity is short — on the twin, half of us-central1's VMs went
 *   in and out for ten minutes of the regional-outage scenario (docs/BENCHMARKS.md, "The native baseline");
 * - `maxEjectionPercent` 50 and `baseEjectionTime` 30 s (defaults, written out): never more than half
 *   of a pool out, and back soon.
 */
export function outlierDetection(config: GeorouteConfig): Record<string, unknown> {
  const volume = 100;
  const slowest = Math.min(...config.regions.map((r) => r.replicaThroughputRps)) * config.guardrails.targetUtilization;
  const intervalSec = Math.min(300, Math.max(1, Math.ceil(volume / Math.max(slowest, 0.01))));
  return {
    enforcingSuccessRate: 100,
    successRateMinimumHosts: 5,
    successRateRequestVolume: volume,
    successRateStdevFactor: 1900,
    interval: { seconds: String(intervalSec) },
    consecutiveErrors: 5,
    enforcingConsecutiveErrors: 0,
    consecutiveGatewayFailure: 3,
    enforcingConsecutiveGatewayFailure: 0,
    baseEjectionTime: { seconds: '30' },
    maxEjectionPercent: 50,
  };
}
