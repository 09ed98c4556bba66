import type { DnsState, EndpointHealth, RoutingPolicy } from './types';

/**
 * Health checking of a routing policy's external endpoints (public zones). Cloud DNS probes each
 * `healthCheckedTargets.externalEndpoints` IP with the Compute health check the policy names
 * (`routingPolicy.healthCheck`: a global health check with 3 `sourceRegions`, interval ≥ 30 s —
 * https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks) and answers only healthy
 * targets (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets, HealthCheckTargets:
 * "Only the healthy endpoints will be included in the response";
 * https://cloud.google.com/dns/docs/routing-policies-overview). An endpoint changes state after the
 * health check's `unhealthyThreshold` failed / `healthyThreshold` passed probes in a row, one probe
 * per `checkIntervalSec` on the virtual clock — the health check concepts Google documents for every
 * health check (https://cloud.google.com/load-balancing/docs/health-check-concepts).
 *
 * Not documented by Google, so chosen and said in docs/emulator/dns.md: how many of the 3 source
 * regions must see an endpoint fail (the twin's world answers every region alike, so any quorum gives
 * the same result), a delay between the state change and the name servers' answers (none here), and the
 * state of an endpoint before its first probes (healthy).
 */

/** What a probe needs of the Compute health check a policy names. */
export interface DnsHealthCheck {
  /** Canonical `projects/{p}/global/healthChecks/{name}`: probes' state is kept per check and IP. */
  path: string;
  type: string;
  port: number;
  /** HTTP / HTTPS only. */
  requestPath?: string;
  checkIntervalSec: number;
  timeoutSec: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  sourceRegions: string[];
}

/** What one probe got: `ok` is a pass; `detail` says why (e.g. `503: no healthy backend`). */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * Injected by the emulator (emulator/index.ts): Compute's health checks, and what a probe sent to an IP
 * gets — the world follows the IP through the load balancer it belongs to (emulator/world/probe.ts).
 */
export interface DnsHealthSource {
  healthCheck(project: string, link: string): DnsHealthCheck | undefined;
  probe(ip: string, check: DnsHealthCheck, now: number): ProbeResult;
}

/** The external endpoints a policy health-checks. */
export function externalEndpoints(policy: RoutingPolicy): string[] {
  const ips: string[] = [];
  for (const item of policy.geo?.items ?? []) ips.push(...(item.healthCheckedTargets?.externalEndpoints ?? []));
  for (const item of policy.wrr?.items ?? []) ips.push(...(item.healthCheckedTargets?.externalEndpoints ?? []));
  const pb = policy.primaryBackup;
  if (pb) {
    ips.push(...(pb.primaryTargets.externalEndpoints ?? []));
    for (const item of pb.backupGeoTargets.items) ips.push(...(item.healthCheckedTargets?.externalEndpoints ?? []));
  }
  return [...new Set(ips)];
}

const keyOf = (checkPath: string, ip: string): string => `${checkPath} ${ip}`;

/**
 * Probes every external endpoint of the record sets the name servers serve, on the virtual clock.
 * State lives in `DnsState.health` (plain JSON, saved with the rest).
 */
export class EndpointProber {
  private source?: DnsHealthSource;

  constructor(private readonly state: () => DnsState) {}

  setSource(source: DnsHealthSource | undefined): void {
    this.source = source;
  }

  /** Runs every probe due by `now`; forgets endpoints no served policy names any more. */
  run(now: number): void {
    const source = this.source;
    const state = this.state();
    state.health ??= {};
    const health = state.health;
    if (!source) return;
    const live = new Set<string>();
    for (const [project, zones] of Object.entries(state.projects)) {
      for (const zone of Object.values(zones)) {
        for (const rrset of zone.served) {
          const policy = rrset.routingPolicy;
          if (!policy?.healthCheck) continue;
          const check = source.healthCheck(project, policy.healthCheck);
          if (!check) continue; // a missing health check probes nothing: its endpoints keep their state
          for (const ip of externalEndpoints(policy)) {
            const key = keyOf(check.path, ip);
            live.add(key);
            const h = health[key] ?? newEndpoint(project, check.path, ip, now);
            health[key] = h;
            probeDue(h, check, source, now);
          }
        }
      }
    }
    for (const key of Object.keys(health)) if (!live.has(key)) delete health[key];
  }

  /**
   * Whether Cloud DNS would answer `ip` for a policy of `project` (undefined: not health-checked by a
   * known health check, so answered as is).
   */
  healthy(project: string, link: string | undefined, ip: string): boolean | undefined {
    if (!link || !this.source) return undefined;
    const check = this.source.healthCheck(project, link);
    if (!check) return undefined;
    return this.state().health?.[keyOf(check.path, ip)]?.healthy;
  }

  /** Every probed endpoint of a project (optionally only those a policy names). */
  endpoints(project: string, policy?: RoutingPolicy): EndpointHealth[] {
    const all = Object.values(this.state().health ?? {}).filter((h) => h.project === project);
    if (!policy) return all;
    const ips = new Set(externalEndpoints(policy));
    const check = policy.healthCheck && this.source?.healthCheck(project, policy.healthCheck);
    return all.filter((h) => ips.has(h.ip) && (!check || h.healthCheck === check.path));
  }
}

function newEndpoint(project: string, healthCheck: string, ip: string, now: number): EndpointHealth {
  // First probe at once; until a threshold of failures the endpoint is answered (healthy).
  return { project, healthCheck, ip, healthy: true, successes: 0, failures: 0, since: now, nextProbeAt: now };
}

/**
 * The probes due by `now`, one per `checkIntervalSec`. Missed probes (the clock jumped) are all taken
 * with the state at `now`: drive the clock in steps of at most an interval to see transitions on time.
 */
function probeDue(h: EndpointHealth, check: DnsHealthCheck, source: DnsHealthSource, now: number): void {
  const intervalMs = Math.max(1, check.checkIntervalSec) * 1000;
  while (h.nextProbeAt <= now) {
    const at = h.nextProbeAt;
    const result = source.probe(h.ip, check, at);
    h.lastProbeAt = at;
    h.lastResult = result.ok;
    h.lastDetail = result.detail;
    if (result.ok) {
      h.successes++;
      h.failures = 0;
      if (!h.healthy && h.successes >= check.healthyThreshold) {
        h.healthy = true;
        h.since = at;
      }
    } else {
      h.failures++;
      h.successes = 0;
      if (h.healthy && h.failures >= check.unhealthyThreshold) {
        h.healthy = false;
        h.since = at;
      }
    }
    h.nextProbeAt = at + intervalMs;
  }
}
