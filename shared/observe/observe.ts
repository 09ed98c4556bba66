/**
 * observe: reads the live state georoute plans from, and nothing else. Every read is issued at once;
 * transient failures are retried (shared/gcp/retry.ts), and a read that still fails is recorded in
 * `errors` and leaves its field absent: the planner then holds that region's state, and a failed read
 * never blocks the others. Interpretation (health, stockouts, floors, the current plan) is the planner
 * input's job (shared/plan/input.ts), so this file only knows where things are.
 */
import { type GeorouteConfig, type RegionConfig, regionalLb } from '../config';
import type { Logger } from '../core';
import type { GcpClients } from '../gcp';
import { readRecord, withRetry } from '../gcp';
import { weightsRecordName } from '../state';
import { migGroupLink } from './links';
import type { BackendHealth, RegionSnapshot, RegionTraffic, Snapshot } from './snapshot';

export interface ObserveDeps {
  gcp: GcpClients;
  logger: Logger;
  project: string;
  now(): number;
  /**
   * Reserved addresses, read once per function instance (they do not move while they exist): an
   * explicit cache owned by whoever built the deps, never module state.
   */
  addresses?: Map<string, string>;
}

/** One read: retried when transient; a read that still fails is recorded and answers undefined. */
type Read = <T>(what: string, region: string | undefined, call: () => Promise<T>) => Promise<T | undefined>;

export async function observe(deps: ObserveDeps, config: GeorouteConfig): Promise<Snapshot> {
  const snapshot: Snapshot = { now: deps.now(), regions: {}, errors: [], reads: 0 };
  const read: Read = async (what, region, call) => {
    snapshot.reads++;
    try {
      return await withRetry(call, { policy: deps.gcp.retry.read });
    } catch (error) {
      snapshot.errors.push({ what, region, error: error as Error });
      return undefined;
    }
  };
  // Every read at once: the regions' and the global ones.
  const regions = config.regions.map(async (region) => [region.name, await readRegion(deps, region, read)] as const);
  Object.assign(snapshot, await readGlobal(deps, config, read, snapshot.now));
  for (const [name, rs] of await Promise.all(regions)) snapshot.regions[name] = rs;
  return snapshot;
}

/** Health as the load balancer DNS answers for the region sees it (its regional backend service), its VMs. */
async function readRegion(deps: ObserveDeps, region: RegionConfig, read: Read): Promise<RegionSnapshot> {
  const { project } = deps;
  const at = { project, region: region.name };
  const [health, autoscaler, instances, migErrors, ip] = await Promise.all([
    read('get backend health', region.name, () => readHealth(deps, region, migGroupLink(project, region))),
    read('get autoscaler', region.name, async () => {
      const [a] = await deps.gcp.compute.regionAutoscalers.get({ ...at, autoscaler: region.autoscaler });
      return a;
    }),
    read('list managed instances', region.name, async () => {
      const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
        ...at,
        instanceGroupManager: region.mig,
      });
      return list;
    }),
    read('list MIG errors', region.name, async () => {
      const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listErrors({
        ...at,
        instanceGroupManager: region.mig,
      });
      return list;
    }),
    entryIp(deps, region, (what, call) => read(what, region.name, call)),
  ]);
  return { health, autoscaler, instances, migErrors, entryIp: ip };
}

/** The global backend service, the geo and weights records, the load balancers' traffic, the anycast IP. */
async function readGlobal(
  deps: ObserveDeps,
  config: GeorouteConfig,
  read: Read,
  now: number,
): Promise<
  Pick<Snapshot, 'backendService' | 'dnsRecord' | 'dnsWeightsRecord' | 'demand' | 'regionTraffic' | 'anycastIp'>
> {
  const { project } = deps;
  const [backendService, dnsRecord, dnsWeightsRecord, traffic, anycastIp] = await Promise.all([
    read('get backend service', undefined, async () => {
      const [bs] = await deps.gcp.compute.backendServices.get({
        project,
        backendService: config.loadBalancer.backendService,
      });
      return bs;
    }),
    read('read geo record', undefined, () =>
      readRecord(deps.gcp.dns, config.dns.managedZone, config.dns.recordName, 'A'),
    ),
    read('read weights record', undefined, () =>
      readRecord(deps.gcp.dns, config.dns.managedZone, weightsRecordName(config.dns.recordName), 'TXT'),
    ),
    read('read client demand', undefined, () => readLbTraffic(deps, config, now)),
    cachedAddress(deps, `global/${config.loadBalancer.globalAddress}`, () =>
      read('get anycast address', undefined, async () => {
        const [a] = await deps.gcp.compute.globalAddresses.get({ project, address: config.loadBalancer.globalAddress });
        return a.address ?? undefined;
      }),
    ),
  ]);
  return {
    backendService,
    dnsRecord,
    dnsWeightsRecord,
    demand: traffic?.byCountry,
    regionTraffic: traffic?.byRegion,
    anycastIp,
  };
}

/** The region's MIG as its regional Application Load Balancer's backend service sees it. */
async function readHealth(deps: ObserveDeps, region: RegionConfig, group: string): Promise<BackendHealth> {
  const [res] = await deps.gcp.compute.regionBackendServices.getHealth({
    project: deps.project,
    region: region.name,
    backendService: regionalLb(region).backendService,
    resourceGroupReferenceResource: { group },
  });
  const statuses = res.healthStatus ?? [];
  return { healthy: statuses.filter((s) => s.healthState === 'HEALTHY').length, total: statuses.length };
}

async function cachedAddress(
  deps: ObserveDeps,
  key: string,
  read: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const cached = deps.addresses?.get(key);
  if (cached) return cached;
  const ip = await read();
  if (ip) deps.addresses?.set(key, ip);
  return ip;
}

/** The entry IP from config, else the reserved regional address. */
function entryIp(
  deps: ObserveDeps,
  region: RegionConfig,
  read: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
): Promise<string | undefined> {
  if (region.entry.ip) return Promise.resolve(region.entry.ip);
  return cachedAddress(deps, `${region.name}/${region.entry.addressName}`, () =>
    read('get entry address', async () => {
      const [a] = await deps.gcp.compute.addresses.get({
        project: deps.project,
        region: region.name,
        address: region.entry.addressName,
      });
      return a.address ?? undefined;
    }),
  );
}

/**
 * What Google's load balancers counted over the last five minutes Monitoring shows, on the regional
 * Application Load Balancers DNS answers and on the global one (anycast fallback): requests/s per
 * `client_country` (client demand) and per region with its 5xx share (what the region was offered and
 * how it answered). Each series family has its own visibility delay: regional data is not visible for
 * up to 90 s, global for up to 210 s (https://cloud.google.com/monitoring/api/metrics_gcp), so each
 * window ends that long ago. Country is the finest client location these metrics carry. One call per
 * family, grouped by country, region and response class.
 */
async function readLbTraffic(
  deps: ObserveDeps,
  config: GeorouteConfig,
  now: number,
): Promise<{ byCountry: Record<string, number>; byRegion: Record<string, RegionTraffic> }> {
  const rules = config.regions.map((r) => JSON.stringify(regionalLb(r).forwardingRule)).join(', ');
  const families = [
    {
      delaySec: 90,
      region: 'resource.label.region',
      filter:
        'metric.type = "loadbalancing.googleapis.com/https/external/regional/request_count" AND ' +
        `resource.type = "http_external_regional_lb_rule" AND resource.label.forwarding_rule_name = one_of(${rules})`,
    },
    {
      delaySec: 210,
      // The global LB's series carry the serving backend's region as backend_scope.
      region: 'resource.label.backend_scope',
      filter:
        'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule" AND ' +
        `resource.label.forwarding_rule_name = "${config.loadBalancer.forwardingRule}"`,
    },
  ];
  const byCountry: Record<string, number> = {};
  const byRegion: Record<string, RegionTraffic> = {};
  const lists = await Promise.all(
    families.map(async ({ delaySec, region, filter }) => {
      const end = Math.floor(now / 1000) - delaySec;
      const [series] = await deps.gcp.monitoring.metrics.listTimeSeries({
        name: `projects/${deps.project}`,
        filter,
        interval: { startTime: { seconds: end - 300 }, endTime: { seconds: end } },
        aggregation: {
          alignmentPeriod: { seconds: 300 },
          perSeriesAligner: 'ALIGN_RATE',
          crossSeriesReducer: 'REDUCE_SUM',
          groupByFields: ['metric.label.client_country', region, 'metric.label.response_code_class'],
        },
        view: 'FULL',
      });
      return { series, regionLabel: region.slice(region.lastIndexOf('.') + 1) };
    }),
  );
  for (const { series, regionLabel } of lists) {
    for (const s of series) {
      const value = s.points?.[0]?.value?.doubleValue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
      const country = s.metric?.labels?.client_country;
      if (country) byCountry[country] = (byCountry[country] ?? 0) + value;
      const region = s.resource?.labels?.[regionLabel];
      if (!region) continue;
      byRegion[region] ??= { rps: 0, errorRps: 0 };
      const t = byRegion[region];
      t.rps += value;
      if (s.metric?.labels?.response_code_class === '500') t.errorRps += value;
    }
  }
  return { byCountry, byRegion };
}
