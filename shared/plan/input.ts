/**
 * The planner's input, derived from what observe read (shared/observe/snapshot.ts): per region its
 * health, VMs, stockouts and cooldown clocks; the capacity floors in force; the plan live state
 * expresses now. Pure: the same snapshot gives the same input.
 */
import type { GeorouteConfig, RegionConfig } from '../config';
import type { Autoscaler, BackendService, ManagedInstance, RegionSnapshot, Snapshot } from '../observe';
import { regionOfGroup, zoneOfInstance } from '../observe';
import {
  applyIncident,
  type BackendNote,
  decodeMovedAt,
  decodeWeights,
  liveSchedules,
  readAutoscalerNote,
  readBackendNote,
  servingSet,
} from '../state';
import { type LocationDemand, locationDemand } from './demand';
import { overloadedNow, weighIncidents } from './evidence';
import type { CapacityFloor, PlannerInput, RegionObservation, TrafficPlan } from './types';

/** A stockout error older than this no longer blocks growth (GPU capacity comes back). */
const STOCKOUT_WINDOW_MS = 15 * 60_000;
/** https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-vm-creation#resource_availability */
const STOCKOUT_CODES = new Set(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS']);

export interface IncidentUpdate {
  region: string;
  id: string;
  state: 'open' | 'closed';
  /** Epoch ms the incident started (open) or ended (closed). */
  at: number;
}

export interface DerivedInput {
  input: Omit<PlannerInput, 'config'>;
  /** Client demand per location and where it came from. */
  demand: LocationDemand;
  /** Each region's backend note as read, with the incident being recorded applied. */
  notes: Record<string, BackendNote>;
}

/** The backend of a region in the global backend service. */
export const backendOf = (bs: BackendService | undefined, region: string) =>
  bs?.backends?.find((b) => regionOfGroup(b.group ?? '') === region);

/**
 * `incident`, when given, is applied as if already recorded, so the plan reflects it: it is written
 * into the region's note by the same conditional write as the drain (desired.ts).
 */
export function plannerInput(config: GeorouteConfig, snapshot: Snapshot, incident?: IncidentUpdate): DerivedInput {
  const now = snapshot.now;
  const observed: Record<string, RegionObservation> = {};
  const notes: Record<string, BackendNote> = {};
  const floors: CapacityFloor[] = [];
  for (const region of config.regions) {
    const rs = snapshot.regions[region.name] ?? {};
    const backend = backendOf(snapshot.backendService, region.name);
    let note = readBackendNote(backend?.description);
    if (incident?.region === region.name) note = applyIncident(note, incident);
    notes[region.name] = note;
    if (rs.autoscaler) floors.push(...floorsOf(region.name, rs.autoscaler, now));
    const t = snapshot.regionTraffic?.[region.name];
    const traffic = t && t.rps > 0 ? { rps: t.rps, errorRatio: t.errorRps / t.rps } : undefined;
    const obs = regionObservation(region, rs, backend?.capacityScaler ?? 1, note, now, config.alerts, traffic);
    if (backend && obs) observed[region.name] = obs; // else unobserved: the planner holds it
  }
  floors.sort((a, b) => a.region.localeCompare(b.region) || a.requestId.localeCompare(b.requestId));
  const demand = locationDemand(config, snapshot.demand);
  return {
    input: {
      observed,
      load: demand.load,
      floors,
      now,
      current: currentPlan(config, snapshot),
      weightsMovedAt: decodeMovedAt(snapshot.dnsWeightsRecord?.rrdatas) ?? null,
    },
    notes,
    demand,
  };
}

function regionObservation(
  region: RegionConfig,
  rs: RegionSnapshot,
  capacityScaler: number,
  note: BackendNote,
  now: number,
  alerts: GeorouteConfig['alerts'],
  traffic: RegionObservation['traffic'],
): RegionObservation | undefined {
  const { health, autoscaler, instances, migErrors } = rs;
  if (!health || !autoscaler || !instances || !migErrors) return undefined;
  let running = 0;
  let booting = 0;
  let failed = 0;
  for (const i of instances) {
    const status = i.instanceStatus ?? '';
    if (status === 'RUNNING' && (i.currentAction ?? 'NONE') === 'NONE') running++;
    else if ((i.lastAttempt?.errors?.errors?.length ?? 0) > 0 || status === 'TERMINATED') failed++;
    else booting++;
  }
  const startingUp = health.healthy === 0 && instances.length > 0 && instances.every(isNew);
  const recent = migErrors.filter((e) => now - Date.parse(e.timestamp ?? '') <= STOCKOUT_WINDOW_MS);
  const zonesOut = new Set(
    recent
      .filter((e) => STOCKOUT_CODES.has(e.error?.code ?? ''))
      .map((e) => zoneOfInstance(e.instanceActionDetails?.instance ?? '')),
  );
  const asNote = readAutoscalerNote(autoscaler.description);
  const incidents = Object.entries(note.open)
    .map(([id, startedAt]) => ({ id, startedAt }))
    .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
  // A region that never served is warming while it starts up, alerts or not (they are its start-up).
  // One that served before and now has only new VMs and none healthy is not starting up: its VMs are
  // being recreated after a failure (autohealing), and its clients get nothing meanwhile.
  // The window opens only when every VM is new (a region already failing when georoute first sees it
  // is not starting up), and once open it lasts until the first serve or its end, whatever the MIG
  // says of each VM meanwhile: the MIG verifies a VM with its autohealing check, the region's load
  // balancer judges it with its own check, probed apart and read apart (getHealth and
  // listManagedInstances are two reads), so a VM can be verified (NONE) while the load balancer does
  // not count it yet. That is still the start-up, not "0/N backends healthy".
  const neverServed = note.servedAt === null && health.healthy === 0;
  const warmingSince = neverServed && (startingUp || note.warmingSince !== null) ? (note.warmingSince ?? now) : null;
  const warming = warmingSince !== null && now - warmingSince < region.warmupSec * 1000;
  // The first sighting of a healthy backend is kept (desired.ts writes it): alerts raised before it
  // were the start-up. Passed as is to the evidence, so the sighting itself discounts them too.
  const servedAt = note.servedAt ?? (health.healthy > 0 ? now : null);
  // The tick that sees an overload end discounts by that end already (as the first sighting does).
  const overloaded = overloadedNow({ region, healthy: health.healthy, traffic });
  const overloadEndedAt = !overloaded && note.overloadedSince !== null ? now : note.overloadEndedAt;
  const { counted, discounted } = weighIncidents({
    region,
    alerts,
    incidents,
    healthy: health.healthy,
    warming,
    servedAt,
    traffic,
    overloadEndedAt,
    now,
  });
  const healthy = counted.length === 0 && health.healthy > 0;
  return {
    backendHealthy: health.healthy,
    backendTotal: health.total,
    openIncidents: counted,
    discountedIncidents: discounted,
    traffic,
    servedAt,
    overloaded,
    overloadEndedAt,
    instances: { running, booting, failed },
    warming,
    warmingSince,
    stockout: region.zones.every((z) => zonesOut.has(z)),
    quotaExceeded: recent.some((e) => e.error?.code === 'QUOTA_EXCEEDED'),
    currentCapacityScaler: capacityScaler,
    currentMinReplicas: autoscaler.autoscalingPolicy?.minNumReplicas ?? 0,
    // A region seen healthy after being unhealthy starts its healthy streak now (the ramp counts from it).
    lastHealthyTransitionAt: healthy ? (note.unhealthy ? now : note.healthySince) : null,
    lastScaleOutAt: asNote.lastScaleOutAt,
    lastScaleInAt: asNote.lastScaleInAt,
  };
}

/**
 * A VM the MIG is still bringing up: being created, restarted or recreated, or verified — "waiting until
 * [the autohealing] health check reports HEALTHY" (ManagedInstance.currentAction,
 * https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/listManagedInstances).
 */
function isNew(i: ManagedInstance): boolean {
  const action = i.currentAction ?? 'NONE';
  if (
    ['CREATING', 'CREATING_WITHOUT_RETRIES', 'RECREATING', 'VERIFYING', 'RESTARTING', 'STARTING', 'RESUMING'].includes(
      action,
    )
  )
    return true;
  return ['PROVISIONING', 'STAGING'].includes(i.instanceStatus ?? '');
}

/** The capacity floors in force: georoute scaling schedules (shared/state/schedules.ts). */
export function floorsOf(region: string, autoscaler: Autoscaler, now: number): CapacityFloor[] {
  return liveSchedules(autoscaler, now).map(({ schedule, meta }) => ({
    requestId: meta.requestId,
    region,
    replicas: schedule.minRequiredReplicas ?? 0,
    expiresAt: meta.expiresAt,
  }));
}

/**
 * The plan live state expresses: scalers and floors as read; per location the weights kept beside the
 * geo record when they agree with what the geo item serves, else equal shares of the item's regions
 * (someone edited DNS by hand: what DNS serves wins).
 */
export function currentPlan(config: GeorouteConfig, snapshot: Snapshot): TrafficPlan | null {
  const bs = snapshot.backendService;
  const record = snapshot.dnsRecord;
  if (!bs || !record) return null;
  const weights = snapshot.dnsWeightsRecord ? decodeWeights(snapshot.dnsWeightsRecord.rrdatas) : undefined;
  const regionByIp = new Map(
    Object.entries(snapshot.regions).flatMap(([r, rs]) => (rs.entryIp ? [[rs.entryIp, r] as const] : [])),
  );
  const plan: TrafficPlan = { locations: {}, regions: {} };
  for (const region of config.regions) {
    const scaler = backendOf(bs, region.name)?.capacityScaler ?? 1;
    const min = snapshot.regions[region.name]?.autoscaler?.autoscalingPolicy?.minNumReplicas ?? region.minReplicas;
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
