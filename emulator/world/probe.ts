import type { ComputeService } from '../compute';
import { canonicalPath } from '../compute/links';
import type { ComputeResource } from '../compute/state';
import type { DnsHealthCheck, ProbeResult } from '../dns/health';
import { ipOf } from './topology';

/** Health check type → its sub-object (https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks). */
const SUB: Record<string, { field: string; port: number }> = {
  HTTP: { field: 'httpHealthCheck', port: 80 },
  HTTPS: { field: 'httpsHealthCheck', port: 443 },
  HTTP2: { field: 'http2HealthCheck', port: 443 },
  TCP: { field: 'tcpHealthCheck', port: 80 },
  SSL: { field: 'sslHealthCheck', port: 443 },
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The Compute health check a routing policy names (`routingPolicy.healthCheck`), as its probes use it. */
export function dnsHealthCheck(compute: ComputeService, project: string, link: string): DnsHealthCheck | undefined {
  let path: string;
  try {
    path = canonicalPath(link, project, 'routingPolicy.healthCheck');
  } catch {
    return undefined;
  }
  const hc = compute.state.resources[path];
  if (hc?.kind !== 'compute#healthCheck') return undefined;
  const type = str(hc.type);
  const spec = SUB[type];
  const sub = (spec ? hc[spec.field] : undefined) as Record<string, unknown> | undefined;
  return {
    path,
    type,
    port: Number(sub?.port ?? spec?.port ?? 80),
    ...(typeof sub?.requestPath === 'string' ? { requestPath: sub.requestPath } : {}),
    checkIntervalSec: Number(hc.checkIntervalSec ?? 5),
    timeoutSec: Number(hc.timeoutSec ?? 5),
    healthyThreshold: Number(hc.healthyThreshold ?? 2),
    unhealthyThreshold: Number(hc.unhealthyThreshold ?? 2),
    sourceRegions: Array.isArray(hc.sourceRegions) ? (hc.sourceRegions as string[]) : [],
  };
}

/**
 * What a Cloud DNS health-check probe sent to `ip` gets, found by following the resources as Google's
 * data plane would: the forwarding rule answering on that IP and port → target proxy → URL map's
 * default service → backend service → its instance groups' health (what `getHealth` answers).
 *
 * - No rule on the IP: the probe times out. A port outside the rule's `portRange`: refused.
 * - TCP: the proxy accepts the connection whatever its backends — a TCP check cannot see a dead region.
 * - HTTP / HTTPS (must match the proxy's protocol): the proxy forwards the request to a serving
 *   backend (healthy, `capacityScaler` > 0); the model server answers its health path with 200, so
 *   the probe passes while one backend VM passes the load balancer's own health check, and gets the
 *   load balancer's 503 when none does. An application fault (world `setFault`) fails client requests
 *   but not the health path: it does not fail the probe.
 * Path rules of the URL map are not followed (the default service answers), and every source region
 * sees the same answer (the world has no per-path network faults).
 */
export function probeLoadBalancer(compute: ComputeService, ip: string, check: DnsHealthCheck): ProbeResult {
  const resources = compute.state.resources;
  const found = Object.entries(resources).find(
    ([path, r]) => r.kind === 'compute#forwardingRule' && ipOf(r, (l) => get(l, project(path))) === ip,
  );
  if (!found) return { ok: false, detail: 'timeout: no forwarding rule answers on this IP' };
  const [rulePath, rule] = found;
  const p = project(rulePath);
  if (!inPortRange(check.port, str(rule.portRange))) {
    return { ok: false, detail: `refused: the rule serves ${str(rule.portRange) || 'no port'}, not ${check.port}` };
  }
  const target = get(rule.target, p);
  if (check.type === 'TCP') return { ok: true, detail: 'connected (a TCP probe does not reach the backends)' };
  const https = target !== undefined && /Https/i.test(target.kind);
  if ((check.type === 'HTTPS') !== https) {
    return { ok: false, detail: `protocol: a ${check.type} probe to an ${https ? 'HTTPS' : 'HTTP'} proxy` };
  }
  const urlMap = target ? get(target.urlMap, p) : undefined;
  const service = urlMap ? get(urlMap.defaultService, p) : get(rule.backendService, p);
  if (!service) return { ok: false, detail: '404: the load balancer has no backend service' };
  const backends = Array.isArray(service.backends) ? (service.backends as Array<Record<string, unknown>>) : [];
  for (const b of backends) {
    if (b.capacityScaler === 0) continue;
    let group: string;
    try {
      group = canonicalPath(str(b.group), p, 'group');
    } catch {
      continue;
    }
    if (compute.sim.groupHealth(group).some((h) => h.healthState === 'HEALTHY')) {
      return { ok: true, detail: `200 from ${group.slice(group.lastIndexOf('/') + 1)}` };
    }
  }
  return { ok: false, detail: '503: no healthy backend' };

  function get(link: unknown, proj: string): ComputeResource | undefined {
    try {
      return resources[canonicalPath(str(link), proj, 'link')];
    } catch {
      return undefined;
    }
  }
}

const project = (path: string): string => path.split('/')[1] ?? '';

/** `80`, `80-80`, `8080-8090`; an empty range serves nothing. */
function inPortRange(port: number, range: string): boolean {
  const m = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = Number(m[2] ?? m[1]);
  return port >= lo && port <= hi;
}
