import type { protos } from '@google-cloud/compute';
import { SCHEDULE_PREFIX } from '../actuate/capacity';
import { readRecord } from '../actuate/dns';
import { regionOfGroup } from '../actuate/lb';
import { type ActuatorDeps, plain } from '../actuate/types';
import type { GeorouteConfig, RegionConfig } from '../config';
import { isRetryable } from '../core/errors';
import type { RrsetJson } from '../gcp/dns-rest';
import type { CapacityFloor, PlannerInput, RegionObservation, TrafficPlan } from '../plan/types';
import { type AutoscalerNote, type BackendNote, readAutoscalerNote, readBackendNote } from '../state/notes';
import { decodeMovedAt, decodeWeights, servingSet, type Weights, weightsRecordName } from '../state/weights-record';

type BackendService = protos.google.cloud.compute.v1.IBackendService;
type Autoscaler = protos.google.cloud.compute.v1.IAutoscaler;

/** The custom metric georoute reads client load from: requests/s, one series per `metric.labels.location`. */
export const LOCATION_RPS_METRIC = 'custom.googleapis.com/georoute/location_rps';
/** A stockout error older than this no longer blocks growth (GPU capacity comes back). */
const STOCKOUT_WINDOW_MS = 15 * 60_000;
/** Attempts per read when it fails transiently (429/5xx) before the region is left unobserved. */
const READ_ATTEMPTS = 5;
const STOCKOUT_CODES = new Set(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS']);

export interface ObserveDeps extends ActuatorDeps {
  now(): number;
}

/** Everything read from Google Cloud in one pass: the planner's input plus the raw state actuators diff against. */
export interface Observation {
  input: Omit<PlannerInput, 'config'>;
  backendService?: BackendService;
  backendNotes: Record<string, BackendNote>;
  autoscalers: Record<string, Autoscaler>;
  autoscalerNotes: Record<string, AutoscalerNote>;
  dnsRecord?: RrsetJson;
  /** The planner weights kept beside the geo record (see shared/state/weights-record.ts). */
  dnsWeights?: Weights;
  /** That TXT record exactly as read (the DNS actuator deletes exactly what was read). */
  dnsWeightsRecord?: RrsetJson;
  /** Region → entry IP (the address DNS answers with for it). */
  entryIps: Record<string, string>;
  /** The global anycast address: DNS's last resort for a location no region may serve. */
  anycastIp?: string;
  /** Reads that failed: the region is left out of `observed` and the planner holds it. */
  errors: Array<{ what: string; region?: string; error: Error }>;
  reads: number;
}

/**
 * Reads the live state: one backend-service read, per region (in parallel) its backend health,
 * autoscaler, managed instances and errors, the geo record, and the load metric. A failed read of
 * one region leaves that region unobserved (the planner holds its state) and never blocks the others.
 */
export async function observe(deps: ObserveDeps, config: GeorouteConfig): Promise<Observation> {
  const now = deps.now();
  const observed: Record<string, RegionObservation> = {};
  const loadByLocation: Record<string, number | undefined> = {};
  const floors: CapacityFloor[] = [];
  const obs: Observation = {
    input: { observed, load: loadByLocation, floors, now, current: null },
    backendNotes: {},
    autoscalers: {},
    autoscalerNotes: {},
    entryIps: {},
    errors: [],
    reads: 0,
  };
  const attempt = async <T>(
    what: string,
    region: string | undefined,
    read: () => Promise<T>,
  ): Promise<T | undefined> => {
    obs.reads++;
    // Reads are safe to repeat, and the client retries only 503 on some of them: a 429 or 500 on
    // one of ~25 reads would otherwise leave a region unobserved (held) far more often than needed.
    for (let n = 1; ; n++) {
      try {
        return await read();
      } catch (error) {
        if (n < READ_ATTEMPTS && isRetryable(error)) {
          await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** n * (0.5 + Math.random())));
          continue;
        }
        obs.errors.push({ what, region, error: error as Error });
        return undefined;
      }
    }
  };

  // Every read is issued at once: the per-region reads do not wait for the backend service. Only
  // getHealth needs a backend's group; it is asked for the group georoute's bootstrap attaches
  // (the region's MIG) and asked again only if the backend service names another one.
  const regionReads = config.regions.map((region) => ({
    region,
    health: settle(readHealth(deps, config, migGroupLink(deps.project, region))),
    rest: Promise.all([
      attempt('get autoscaler', region.name, async () => {
        const [a] = await deps.gcp.compute.regionAutoscalers.get({
          project: deps.project,
          region: region.name,
          autoscaler: region.autoscaler,
        });
        return a;
      }),
      attempt('list managed instances', region.name, async () => {
        const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
          project: deps.project,
          region: region.name,
          instanceGroupManager: region.mig,
        });
        return list;
      }),
      attempt('list MIG errors', region.name, async () => {
        const [list] = await deps.gcp.compute.regionInstanceGroupManagers.listErrors({
          project: deps.project,
          region: region.name,
          instanceGroupManager: region.mig,
        });
        return list;
      }),
      entryIp(deps, region, (what, read) => attempt(what, region.name, read)),
    ]),
  }));
  obs.reads += config.regions.length; // the health reads

  const [backendService, record, weightsRecord, load, anycastIp] = await Promise.all([
    attempt('get backend service', undefined, async () => {
      const [bs] = await deps.gcp.compute.backendServices.get({
        project: deps.project,
        backendService: config.loadBalancer.backendService,
      });
      return bs;
    }),
    attempt('read geo record', undefined, () => readRecord(deps, config.dns.managedZone, config.dns.recordName, 'A')),
    attempt('read weights record', undefined, () =>
      readRecord(deps, config.dns.managedZone, weightsRecordName(config.dns.recordName), 'TXT'),
    ),
    attempt('read location load', undefined, () => readLoad(deps, now)),
    cachedAddress(deps, `global/${config.loadBalancer.globalAddress}`, () =>
      attempt('get anycast address', undefined, async () => {
        const [a] = await deps.gcp.compute.globalAddresses.get({
          project: deps.project,
          address: config.loadBalancer.globalAddress,
        });
        return a.address ?? undefined;
      }),
    ),
  ]);
  const weights = weightsRecord ? decodeWeights(weightsRecord.rrdatas) : undefined;
  obs.anycastIp = anycastIp;
  obs.backendService = backendService;
  obs.dnsRecord = record;
  obs.dnsWeights = weights;
  obs.dnsWeightsRecord = weightsRecord;
  obs.input.weightsMovedAt = decodeMovedAt(weightsRecord?.rrdatas) ?? null;
  for (const loc of config.clientLocations) loadByLocation[loc.location] = load?.[loc.location];

  const backendOf = (region: string) => backendService?.backends?.find((b) => regionOfGroup(b.group ?? '') === region);

  await Promise.all(
    regionReads.map(async ({ region, health: speculative, rest }) => {
      const backend = backendOf(region.name);
      const note = readBackendNote(backend?.description);
      obs.backendNotes[region.name] = note;
      let health: { healthy: number; total: number } | undefined;
      const group = backend?.group;
      if (group && resourcePath(group) === resourcePath(migGroupLink(deps.project, region))) {
        const settled = await speculative;
        if (settled.ok) health = settled.value;
        else obs.errors.push({ what: 'get backend health', region: region.name, error: settled.error });
      } else if (group) {
        health = await attempt('get backend health', region.name, () => readHealth(deps, config, group));
      }
      const [autoscaler, instances, errors, ip] = await rest;
      if (ip) obs.entryIps[region.name] = ip;
      if (autoscaler) {
        obs.autoscalers[region.name] = autoscaler;
        obs.autoscalerNotes[region.name] = readAutoscalerNote(autoscaler.description);
        floors.push(...floorsOf(region.name, autoscaler, now));
      }
      if (!backend || !health || !autoscaler || !instances || !errors) return; // unobserved: the planner holds it
      observed[region.name] = regionObservation(region, backend, note, health, autoscaler, instances, errors, now);
    }),
  );
  floors.sort((a, b) => a.region.localeCompare(b.region) || a.requestId.localeCompare(b.requestId));
  obs.input.current = currentPlan(config, backendService, record, weights, obs.entryIps, obs.autoscalers);
  return obs;
}

function regionObservation(
  region: RegionConfig,
  backend: protos.google.cloud.compute.v1.IBackend,
  note: BackendNote,
  health: { healthy: number; total: number },
  autoscaler: Autoscaler,
  instances: protos.google.cloud.compute.v1.IManagedInstance[],
  errors: protos.google.cloud.compute.v1.IInstanceManagedByIgmError[],
  now: number,
): RegionObservation {
  let running = 0;
  let booting = 0;
  let failed = 0;
  for (const i of instances) {
    const status = i.instanceStatus ?? '';
    if (status === 'RUNNING' && (i.currentAction ?? 'NONE') === 'NONE') running++;
    else if ((i.lastAttempt?.errors?.errors?.length ?? 0) > 0 || status === 'TERMINATED') failed++;
    else booting++;
  }
  const recent = errors.filter((e) => now - Date.parse(e.timestamp ?? '') <= STOCKOUT_WINDOW_MS);
  const zonesOut = new Set(
    recent
      .filter((e) => STOCKOUT_CODES.has(e.error?.code ?? ''))
      .map((e) => zoneOf(e.instanceActionDetails?.instance ?? '')),
  );
  const stockout = region.zones.every((z) => zonesOut.has(z));
  const quotaExceeded = recent.some((e) => e.error?.code === 'QUOTA_EXCEEDED');
  const asNote = readAutoscalerNote(autoscaler.description);
  const healthy = note.open && Object.keys(note.open).length === 0 && health.healthy > 0;
  return {
    backendHealthy: health.healthy,
    backendTotal: health.total,
    openIncidents: Object.entries(note.open)
      .map(([id, startedAt]) => ({ id, startedAt }))
      .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id)),
    instances: { running, booting, failed },
    stockout,
    quotaExceeded,
    currentCapacityScaler: backend.capacityScaler ?? 1,
    currentMinReplicas: autoscaler.autoscalingPolicy?.minNumReplicas ?? 0,
    // A region seen healthy right now after being unhealthy starts its streak now.
    lastHealthyTransitionAt: healthy && note.unhealthy ? now : note.healthySince,
    lastScaleOutAt: asNote.lastScaleOutAt,
    lastScaleInAt: asNote.lastScaleInAt,
  };
}

/** The instance group of a region's MIG, as georoute's bootstrap attaches it to the backend service. */
const migGroupLink = (project: string, region: RegionConfig): string =>
  `https://www.googleapis.com/compute/v1/projects/${project}/regions/${region.name}/instanceGroups/${region.mig}`;

/** `projects/…` of a resource link, whatever host or API version prefixes it. */
const resourcePath = (link: string): string => link.slice(Math.max(0, link.indexOf('projects/')));

/** A promise that never rejects (an unused speculative read must not become an unhandled rejection). */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error as Error }),
  );
}

const zoneOf = (instanceUrl: string): string => /\/zones\/([^/]+)\//.exec(instanceUrl)?.[1] ?? '';

async function readHealth(
  deps: ObserveDeps,
  config: GeorouteConfig,
  group: string,
): Promise<{ healthy: number; total: number }> {
  const [res] = await deps.gcp.compute.backendServices.getHealth({
    project: deps.project,
    backendService: config.loadBalancer.backendService,
    resourceGroupReferenceResource: { group },
  });
  const statuses = res.healthStatus ?? [];
  return { healthy: statuses.filter((s) => s.healthState === 'HEALTHY').length, total: statuses.length };
}

/** Reserved addresses do not move once made: read each once per process. */
const ipCache = new Map<string, string>();
async function cachedAddress(
  deps: ObserveDeps,
  key: string,
  read: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const cacheKey = `${deps.gcp.endpoints.emulator ?? 'google'}/${deps.project}/${key}`;
  const cached = ipCache.get(cacheKey);
  if (cached) return cached;
  const ip = await read();
  if (ip) ipCache.set(cacheKey, ip);
  return ip;
}

/** The entry IP from config, else the reserved regional address. */
function entryIp(
  deps: ObserveDeps,
  region: RegionConfig,
  attempt: <T>(what: string, read: () => Promise<T>) => Promise<T | undefined>,
): Promise<string | undefined> {
  if (region.entry.ip) return Promise.resolve(region.entry.ip);
  return cachedAddress(deps, `${region.name}/${region.entry.addressName}`, () =>
    attempt('get entry address', async () => {
      const [a] = await deps.gcp.compute.addresses.get({
        project: deps.project,
        region: region.name,
        address: region.entry.addressName,
      });
      return a.address ?? undefined;
    }),
  );
}

/** Capacity requests live as georoute scaling schedules whose description carries the request. */
export function floorsOf(region: string, autoscaler: Autoscaler, now: number): CapacityFloor[] {
  const schedules = plain(autoscaler.autoscalingPolicy?.scalingSchedules ?? {}) as Record<
    string,
    protos.google.cloud.compute.v1.IAutoscalingPolicyScalingSchedule
  >;
  const floors: CapacityFloor[] = [];
  for (const [name, s] of Object.entries(schedules)) {
    if (!name.startsWith(SCHEDULE_PREFIX) || s.disabled) continue;
    const meta = parseScheduleDescription(s.description);
    if (!meta) continue;
    if (meta.expiresAt !== undefined && meta.expiresAt <= now) continue;
    floors.push({ requestId: meta.requestId, region, replicas: s.minRequiredReplicas ?? 0, expiresAt: meta.expiresAt });
  }
  return floors;
}

export function parseScheduleDescription(
  description: string | null | undefined,
): { requestId: string; expiresAt?: number } | undefined {
  if (!description?.startsWith('georoute/v1 ')) return undefined;
  try {
    const v = JSON.parse(description.slice('georoute/v1 '.length)) as { r?: unknown; e?: unknown };
    if (typeof v.r !== 'string') return undefined;
    return { requestId: v.r, expiresAt: typeof v.e === 'number' ? v.e : undefined };
  } catch {
    return undefined;
  }
}

/**
 * The plan live state expresses: scalers and floors as read; per location the weights kept beside the
 * geo record when they agree with what the geo item serves, else equal shares of the item's regions
 * (someone edited DNS by hand: what DNS serves wins).
 */
function currentPlan(
  config: GeorouteConfig,
  bs: BackendService | undefined,
  record: RrsetJson | undefined,
  weights: Weights | undefined,
  entryIps: Record<string, string>,
  autoscalers: Record<string, Autoscaler>,
): TrafficPlan | null {
  if (!bs || !record) return null;
  const regionByIp = new Map(Object.entries(entryIps).map(([r, ip]) => [ip, r]));
  const plan: TrafficPlan = { locations: {}, regions: {} };
  for (const region of config.regions) {
    const backend = bs.backends?.find((b) => regionOfGroup(b.group ?? '') === region.name);
    const scaler = backend?.capacityScaler ?? 1;
    const min = autoscalers[region.name]?.autoscalingPolicy?.minNumReplicas ?? region.minReplicas;
    plan.regions[region.name] = {
      state: scaler <= 0 ? 'drained' : scaler >= 1 ? 'serving' : 'ramping',
      capacityScaler: scaler,
      minReplicas: min,
      targetReplicas: min,
      reasons: [],
    };
  }
  for (const item of record.routingPolicy?.geo?.items ?? []) {
    const regions = (item.rrdatas ?? []).map((ip) => regionByIp.get(ip)).filter((r): r is string => !!r);
    if (regions.length === 0) {
      plan.locations[item.location] = { weights: {}, fallback: 'anycast' };
      continue;
    }
    const kept = weights?.[item.location];
    if (kept && servingSet(kept).join() === [...new Set(regions)].sort().join()) {
      plan.locations[item.location] = { weights: { ...kept } };
      continue;
    }
    const w = 1 / regions.length;
    plan.locations[item.location] = { weights: Object.fromEntries(regions.map((r) => [r, w])) };
  }
  return plan;
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
