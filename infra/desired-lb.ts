/**
 * The two load-balancing tiers over the same regional MIGs (docs/ARCHITECTURE.md "One traffic path"):
 *
 * - **global external Application Load Balancer** (anycast fallback): global backend service (one
 *   backend per MIG; `capacityScaler` is the drain) → URL map → target proxy → global forwarding rule.
 * - per region, a **regional external Application Load Balancer** (what Cloud DNS answers for the
 *   region): regional backend service → regional URL map → regional target proxy → regional forwarding
 *   rule on the same port, in the VPC whose proxy-only subnet it uses.
 *   https://cloud.google.com/load-balancing/docs/https
 *
 * Both backend services use the same balancing mode for a MIG: "the backends must use compatible
 * balancing modes" (https://cloud.google.com/load-balancing/docs/backend-service).
 */
import { type GeorouteConfig, type RegionConfig, regionalLb } from '../shared/config';
import { type NetworkIds, networkLink } from './desired-network';
import { outlierDetection } from './native';
import { computeLink, res } from './resource';
import type { Json, Resource } from './types';

/** The named port of the model server on every MIG, used by both backend services. */
export const NAMED_PORT = 'http';

export { regionalLb } from '../shared/config';

const https = (config: GeorouteConfig) => config.serving.sslCertificates.length > 0;
/** Both tiers serve one port: 443 with certificates, else 80. */
export const servingPort = (config: GeorouteConfig) => (https(config) ? '443-443' : '80-80');

function backendOf(config: GeorouteConfig, r: RegionConfig): Json {
  const link = computeLink(config.project, `regions/${r.name}/instanceGroups/${r.mig}`);
  return config.serving.balancingMode === 'RATE'
    ? { group: link, balancingMode: 'RATE', maxRatePerInstance: r.replicaThroughputRps }
    : { group: link, balancingMode: 'UTILIZATION', maxUtilization: config.guardrails.targetUtilization };
}

/** Fields both tiers' backend services share. */
function serviceFields(config: GeorouteConfig): Json {
  return {
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    protocol: 'HTTP',
    portName: NAMED_PORT,
    // Google's default 30 s cuts streamed LLM responses.
    timeoutSec: config.serving.timeoutSec,
    connectionDraining: { drainingTimeoutSec: config.serving.drainingTimeoutSec },
    // Both profiles: see infra/native.ts.
    outlierDetection: outlierDetection(config),
  };
}

export function globalLbResources(config: GeorouteConfig, healthCheckId: string, migIds: string[]): Resource[] {
  const p = config.project;
  const lb = config.loadBalancer;
  const link = (path: string) => computeLink(p, path);
  const backends = config.regions.map((r) => backendOf(config, r));
  // capacityScaler is the runtime's (drains): set to 1 at creation, never compared.
  const bsOwned = { ...serviceFields(config), healthChecks: [link(`global/healthChecks/${lb.healthCheck}`)], backends };
  const bs = res('backendService', lb.backendService, {
    body: { ...bsOwned, backends: backends.map((b) => ({ ...b, capacityScaler: 1 })) },
    owned: bsOwned,
    dependsOn: [healthCheckId, ...migIds],
    immutable: ['loadBalancingScheme'],
  });
  const umOwned = { defaultService: link(`global/backendServices/${lb.backendService}`) };
  const um = res('urlMap', lb.urlMap, { body: umOwned, owned: umOwned, dependsOn: [bs.id] });
  const certs = config.serving.sslCertificates.map((c) => (c.includes('/') ? c : link(`global/sslCertificates/${c}`)));
  const proxyOwned: Json = {
    urlMap: link(`global/urlMaps/${lb.urlMap}`),
    ...(https(config) ? { sslCertificates: certs } : {}),
  };
  const proxy = res(https(config) ? 'targetHttpsProxy' : 'targetHttpProxy', lb.targetProxy, {
    body: proxyOwned,
    owned: proxyOwned,
    dependsOn: [um.id],
  });
  const ga = res('globalAddress', lb.globalAddress, { body: { ipVersion: 'IPV4' } });
  const target = link(`global/${https(config) ? 'targetHttpsProxies' : 'targetHttpProxies'}/${lb.targetProxy}`);
  const ruleOwned = { target, portRange: servingPort(config) };
  const rule = res('globalForwardingRule', lb.forwardingRule, {
    body: {
      ...ruleOwned,
      IPAddress: link(`global/addresses/${lb.globalAddress}`),
      IPProtocol: 'TCP',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
    },
    owned: ruleOwned,
    dependsOn: [proxy.id, ga.id],
    immutable: ['portRange'],
  });
  return [bs, um, proxy, ga, rule];
}

/** Per region, the regional external Application Load Balancer DNS answers with. Returns the rule ids too. */
export function regionalLbResources(
  config: GeorouteConfig,
  net: NetworkIds,
  migIds: string[],
): { resources: Resource[]; ruleIds: string[] } {
  const out: Resource[] = [];
  const ruleIds: string[] = [];
  const inst = config.instance;
  for (const r of config.regions) {
    const n = regionalLb(r);
    const link = (path: string) => computeLink(config.project, `regions/${r.name}/${path}`);
    const deps: string[] = [net.proxyOnly[r.name] as string];
    let ipAddress = r.entry.ip;
    if (!ipAddress) {
      // Premium tier, as the forwarding rule (their tiers must match): https://cloud.google.com/compute/docs/reference/rest/v1/forwardingRules
      const addr = res('address', r.entry.addressName, {
        body: { addressType: 'EXTERNAL', networkTier: 'PREMIUM' },
        region: r.name,
      });
      out.push(addr);
      deps.push(addr.id);
      ipAddress = link(`addresses/${r.entry.addressName}`);
    }
    const hcOwned = {
      type: 'HTTP',
      httpHealthCheck: { port: inst.port, requestPath: inst.healthCheckPath },
      checkIntervalSec: 10,
      timeoutSec: 5,
    };
    const hc = res('regionHealthCheck', n.healthCheck, { body: hcOwned, owned: hcOwned, region: r.name });
    const bsOwned = {
      ...serviceFields(config),
      healthChecks: [link(`healthChecks/${n.healthCheck}`)],
      backends: [backendOf(config, r)],
    };
    const bs = res('regionBackendService', n.backendService, {
      body: bsOwned,
      owned: bsOwned,
      dependsOn: [hc.id, ...migIds],
      region: r.name,
      immutable: ['loadBalancingScheme'],
    });
    const umOwned = { defaultService: link(`backendServices/${n.backendService}`) };
    const um = res('regionUrlMap', n.urlMap, { body: umOwned, owned: umOwned, dependsOn: [bs.id], region: r.name });
    const secure = https(config);
    const certs = r.entry.sslCertificates.map((c) => (c.includes('/') ? c : link(`sslCertificates/${c}`)));
    const proxyOwned: Json = { urlMap: link(`urlMaps/${n.urlMap}`), ...(secure ? { sslCertificates: certs } : {}) };
    const proxy = res(secure ? 'regionTargetHttpsProxy' : 'regionTargetHttpProxy', n.proxy, {
      body: proxyOwned,
      owned: proxyOwned,
      dependsOn: [um.id],
      region: r.name,
    });
    const target = link(`${secure ? 'targetHttpsProxies' : 'targetHttpProxies'}/${n.proxy}`);
    const ruleOwned = { target, portRange: servingPort(config) };
    const rule = res('forwardingRule', n.forwardingRule, {
      body: {
        ...ruleOwned,
        IPAddress: ipAddress,
        IPProtocol: 'TCP',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        // The VPC whose proxy-only subnet the load balancer uses: https://cloud.google.com/load-balancing/docs/https
        network: networkLink(config),
        networkTier: 'PREMIUM',
      },
      owned: ruleOwned,
      dependsOn: [proxy.id, ...deps],
      region: r.name,
      immutable: ['portRange', 'target'],
    });
    out.push(hc, bs, um, proxy, rule);
    ruleIds.push(rule.id);
  }
  return { resources: out, ruleIds };
}
