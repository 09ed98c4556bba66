/**
 * observe: reads the live state georoute plans from, and nothing else. Every read is issued at once;
 * transient failures are retried (shared/gcp/retry.ts), and a read that still fails is recorded in
 * `errors` and leaves its field absent: the planner then holds that region's state, and a failed read
 * never blocks the others. Interpretation (health, stockouts, floors, the current plan) is the planner
 * input's job (shared/plan/input.ts), so this file only knows where things are.
 */
import type { GeorouteConfig, RegionConfig } from '../config';
import type { Logger } from '../core';
import type { GcpClients } from '../gcp';
import { readRecord, withRetry } from '../gcp';
import { weightsRecordName } from '../state';
import { migGroupLink, regionOfGroup, resourcePath } from './links';
import type { BackendHealth, RegionSnapshot, Snapshot } from './snapshot';

/** The custom metric georoute reads client load from: requests/s, one series per `metric.labels.location`. */
export const LOCATION_RPS_METRIC = 'custom.googleapis.com/georoute/location_rps';

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

export async function observe(deps: ObserveDeps, config: GeorouteConfig): Promise<Snapshot> {
  const snapshot: Snapshot = { now: deps.now(), regions: {}, errors: [], reads: 0 };
  const read = async <T>(what: string, region: string | undefined, call: () => Promise<T>): Promise<T | undefined> => {
    snapshot.reads++;
    try {
      return await withRetry(call, { policy: deps.gcp.retry.read });
    } catch (error) {
      snapshot.errors.push({ what, region, error: error as Error });
      return undefined;
    }
  };
  const project = deps.project;

  // getHealth needs a backend's group: it is asked at once for the group georoute's bootstrap attaches
  // (the region's MIG), and again only if the backend service names another one.
  const regionReads = config.regions.map((region) => ({
    region,
    health: settle(readHealth(deps, config, migGroupLink(project, region))),
    rest: Promise.all([
      read('get autoscaler', region.name, async () => {
        const [a] = await deps.gcp.compute.regionAutoscalers.get({
          project,
          region: region.name,
          autoscaler: region.autoscaler,
        });
        return a;
      }),
      read('list managed instances', region.name, async () => {
        const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
          project,
          region: region.name,
          instanceGroupManager: region.mig,
        });
        return list;
      }),
      read('list MIG errors', region.name, async () => {
        const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listErrors({
          project,
          region: region.name,
          instanceGroupManager: region.mig,
        });
        return list;
      }),
      entryIp(deps, region, (what, call) => read(what, region.name, call)),
    ]),
  }));
  snapshot.reads += config.regions.length; // the health reads

  const [backendService, dnsRecord, dnsWeightsRecord, load, anycastIp] = await Promise.all([
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
    read('read location load', undefined, () => readLoad(deps, snapshot.now)),
    cachedAddress(deps, `global/${config.loadBalancer.globalAddress}`, () =>
      read('get anycast address', undefined, async () => {
        const [a] = await deps.gcp.compute.globalAddresses.get({ project, address: config.loadBalancer.globalAddress });
        return a.address ?? undefined;
      }),
    ),
  ]);
  Object.assign(snapshot, { backendService, dnsRecord, dnsWeightsRecord, load, anycastIp });

  await Promise.all(
    regionReads.map(async ({ region, health: speculative, rest }) => {
      const rs: RegionSnapshot = {};
      snapshot.regions[region.name] = rs;
      const group = backendService?.backends?.find((b) => regionOfGroup(b.group ?? '') === region.name)?.group;
      if (group && resourcePath(group) === resourcePath(migGroupLink(project, region))) {
        const settled = await speculative;
        if (settled.ok) rs.health = settled.value;
        else snapshot.errors.push({ what: 'get backend health', region: region.name, error: settled.error });
      } else if (group) {
        rs.health = await read('get backend health', region.name, () => readHealth(deps, config, group));
      }
      const [autoscaler, instances, migErrors, ip] = await rest;
      Object.assign(rs, { autoscaler, instances, migErrors, entryIp: ip });
    }),
  );
  return snapshot;
}

/** A promise that never rejects (an unused speculative read must not become an unhandled rejection). */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error as Error }),
  );
}

async function readHealth(deps: ObserveDeps, config: GeorouteConfig, group: string): Promise<BackendHealth> {
  const [res] = await withRetry(
    () =>
      deps.gcp.compute.backendServices.getHealth({
        project: deps.project,
        backendService: config.loadBalancer.backendService,
        resourceGroupReferenceResource: { group },
      }),
    { policy: deps.gcp.retry.read },
  );
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

async function readLoad(deps: ObserveDeps, now: number): Promise<Record<string, number>> {
  const end = Math.floor(now / 1000);
  const [series] = await deps.gcp.monitoring.metrics.listTimeSeries({
    name: `projects/${deps.project}`,
    filter: `metric.type = "${LOCATION_RPS_METRIC}"`,
    interval: { startTime: { seconds: end - 300 }, endTime: { seconds: end } },
    aggregation: { alignmentPeriod: { seconds: 300 }, perSeriesAligner: 'ALIGN_MEAN' },
    view: 'FULL',
  });
  const load: Record<string, number> = {};
  for (const s of series) {
    const location = s.metric?.labels?.location;
    const point = s.points?.[0]?.value;
    const value =
      point?.doubleValue ??
      (point?.int64Value !== undefined && point?.int64Value !== null ? Number(point.int64Value) : undefined);
    if (location && value !== undefined && value !== null && Number.isFinite(value)) load[location] = value;
  }
  return load;
}
