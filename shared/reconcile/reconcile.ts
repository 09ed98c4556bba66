import { applyCapacity, SCHEDULE_PREFIX } from '../actuate/capacity';
import { applyDns, type GeoItem } from '../actuate/dns';
import { applyLb } from '../actuate/lb';
import type { ActuationResult } from '../actuate/types';
import type { GeorouteConfig } from '../config';
import { isRetryable } from '../core/errors';
import { type Observation, type ObserveDeps, observe, parseScheduleDescription } from '../observe/observe';
import { isHealthy } from '../plan/health';
import { plan as computePlan } from '../plan/plan';
import type { Reason, RegionObservation, TrafficPlan } from '../plan/types';
import {
  applyIncident,
  type BackendNote,
  emptyBackendNote,
  readAutoscalerNote,
  readBackendNote,
  writeAutoscalerNote,
  writeBackendNote,
} from '../state/notes';
import { servingSet } from '../state/weights-record';

export interface Trigger {
  kind: 'tick' | 'alert' | 'capacity' | 'manual';
  /** Id of the triggering event: derives every write's requestId (a redelivery repeats none). */
  eventId: string;
}

export interface Action {
  actuator: 'lb' | 'dns' | 'capacity';
  resource: string;
  changes: string[];
  retries: number;
}

export interface Skip {
  actuator: 'lb' | 'dns' | 'capacity';
  resource: string;
  reason: string;
}

export interface Failure {
  actuator: 'lb' | 'dns' | 'capacity' | 'observe';
  resource: string;
  message: string;
  retryable: boolean;
}

export interface ReconcileResult {
  plan: TrafficPlan;
  reasons: Reason[];
  actions: Action[];
  skipped: Skip[];
  errors: Failure[];
  reads: number;
  writes: number;
  /** Precondition races (412/409) resolved by re-reading. */
  retries: number;
  observation: Observation;
}

export interface IncidentUpdate {
  region: string;
  id: string;
  state: 'open' | 'closed';
  /** Epoch ms the incident started (open) or ended (closed). */
  at: number;
}

export interface ReconcileOptions {
  /** Compute and print, but write nothing (`georoute plan`). */
  dryRun?: boolean;
  /**
   * An incident to record. It is applied to the observation before planning and written into the
   * region's backend note in the same conditional backend-service write as the drain itself: one
   * write, and no window where the drain exists without its cause or the reverse.
   */
  incident?: IncidentUpdate;
}

/**
 * The level-triggered loop (DESIGN §2): observe the live state, compute the one desired plan,
 * and make Google Cloud match it with the fewest, safest writes. Every trigger ends here, so a
 * lost, repeated or reordered event is harmless. The three actuators run in parallel and fail
 * independently: a region whose write fails does not block the others, and the next reconcile
 * converges whatever was left.
 */
export async function reconcile(
  deps: ObserveDeps,
  config: GeorouteConfig,
  trigger: Trigger,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const log = deps.logger.child({ trigger: trigger.kind, eventId: trigger.eventId });
  const observation = await observe(deps, config);
  if (options.incident) recordIncident(observation, options.incident);
  const { plan, reasons } = computePlan({ config, ...observation.input });
  const result: ReconcileResult = {
    plan,
    reasons,
    actions: [],
    skipped: [],
    errors: observation.errors.map((e) => ({
      actuator: 'observe',
      resource: e.region ? `${e.what} (${e.region})` : e.what,
      message: e.error.message.slice(0, 300),
      retryable: isRetryable(e.error),
    })),
    reads: observation.reads,
    writes: 0,
    retries: 0,
    observation,
  };
  for (const r of reasons) log.info(r.message, { decision: r.code, subject: r.subject });
  for (const e of result.errors) log.warn(`could not observe: ${e.resource}`, { error: e.message });
  if (options.dryRun) return result;

  const now = observation.input.now;
  const ctx = { eventId: trigger.eventId };
  const tasks: Array<Promise<void>> = [];
  const run = (actuator: Action['actuator'], resource: string, work: () => Promise<ActuationResult>) =>
    tasks.push(
      work().then(
        (r) => {
          result.reads += r.reads;
          result.writes += r.writes;
          result.retries += r.retries;
          if (r.changed) {
            result.actions.push({ actuator, resource: r.resource, changes: r.changes, retries: r.retries });
            log.info(`${actuator}: ${r.changes.join('; ')}`, { actuator, resource: r.resource, decision: 'write' });
          } else {
            result.skipped.push({ actuator, resource: r.resource, reason: r.skipped ?? 'no change' });
            log.info(`${actuator}: no action because ${r.skipped ?? 'nothing differs'}`, {
              actuator,
              resource: r.resource,
              decision: 'no-op',
            });
          }
        },
        (err: unknown) => {
          const error = err as Error;
          result.errors.push({ actuator, resource, message: error.message.slice(0, 500), retryable: isRetryable(err) });
          log.error(`${actuator}: write failed: ${error.message.slice(0, 300)}`, {
            actuator,
            resource,
            decision: 'error',
          });
        },
      ),
    );

  // LB: capacityScalers, and each region's note (healthy streak) derived from what is read at write time.
  if (observation.backendService) {
    const scalers: Record<string, number> = {};
    const notes: Record<string, (current: string | undefined) => string> = {};
    const incident = options.incident;
    for (const region of config.regions) {
      const obs = observation.input.observed[region.name];
      const regionPlan = plan.regions[region.name];
      const withIncident = (note: BackendNote) =>
        incident?.region === region.name ? applyIncident(note, incident) : note;
      if (!obs || !regionPlan) {
        // Unobserved: leave its scaler alone, but never lose an incident about it.
        if (incident?.region === region.name)
          notes[region.name] = (current) => writeBackendNote(withIncident(readBackendNote(current)));
        continue;
      }
      scalers[region.name] = regionPlan.capacityScaler;
      const healthy = isHealthy(obs);
      notes[region.name] = (current) => {
        const note = withIncident(readBackendNote(current));
        if (incident?.region === region.name && !healthy)
          return writeBackendNote({ ...note, unhealthy: true, healthySince: null });
        if (!healthy) return writeBackendNote({ ...note, unhealthy: true, healthySince: null });
        if (note.unhealthy) return writeBackendNote({ ...note, unhealthy: false, healthySince: now });
        // Nothing to record: leave the description as it is (no write for a note that says nothing).
        return incident?.region === region.name ? writeBackendNote(note) : (current ?? '');
      };
    }
    run('lb', `backendServices/${config.loadBalancer.backendService}`, () =>
      // Observe's copy: its fingerprint makes the patch conditional (stale → 412 → the actuator
      // re-reads), so reading again first would only add a round trip. A duplicate of this event
      // racing it sends the same requestId with the same fingerprint, which Google answers with the
      // first one's operation (one change); any other writer in between makes it 412.
      applyLb(
        deps,
        {
          backendService: config.loadBalancer.backendService,
          scalers,
          notes,
          current: observation.backendService,
        },
        ctx,
      ),
    );
  }

  // DNS: each location's item lists the entry IPs of the regions the plan gives it.
  if (observation.dnsRecord || !observation.errors.some((e) => e.what === 'read geo record')) {
    const items = geoItems(config, plan, observation, log);
    if (items) {
      run('dns', `rrsets/${config.dns.recordName}`, () =>
        applyDns(
          deps,
          {
            managedZone: config.dns.managedZone,
            name: config.dns.recordName,
            ttl: config.dns.ttlSec,
            items,
            weights: Object.fromEntries(Object.entries(plan.locations).map(([loc, lp]) => [loc, lp.weights])),
            // The churn clock: the next step waits a TTL from now (only if the weights are rewritten).
            weightsMovedAt: now,
            // What observe read, unless a read failed (then the actuator reads for itself).
            current: observation.errors.some((e) => e.what === 'read geo record' || e.what === 'read weights record')
              ? undefined
              : { record: observation.dnsRecord, weights: observation.dnsWeightsRecord },
          },
          ctx,
        ),
      );
    }
  }

  // Capacity: each observed region's autoscaler floor (cooldown clocks ride in its description),
  // and expired capacity-request schedules retired.
  for (const region of config.regions) {
    const regionPlan = plan.regions[region.name];
    const autoscaler = observation.autoscalers[region.name];
    if (!regionPlan || !autoscaler || !observation.input.observed[region.name]) continue;
    const currentMin = autoscaler.autoscalingPolicy?.minNumReplicas ?? 0;
    const expired = expiredSchedules(autoscaler, now);
    const floor = floorChange(autoscaler, regionPlan.minReplicas, now);
    const floorChanges = floor !== undefined;
    if (!floorChanges && expired.length === 0) {
      result.skipped.push({
        actuator: 'capacity',
        resource: `autoscalers/${region.autoscaler}`,
        reason: `floor already ${currentMin}`,
      });
      continue;
    }
    const description = floor?.description;
    run('capacity', `regions/${region.name}/autoscalers/${region.autoscaler}`, () =>
      applyCapacity(
        deps,
        {
          region: region.name,
          autoscaler: region.autoscaler,
          minReplicas: floorChanges ? regionPlan.minReplicas : undefined,
          disableSchedules: expired,
          description,
          current: autoscaler,
        },
        ctx,
      ),
    );
  }

  await Promise.all(tasks);
  result.actions.sort((a, b) => a.resource.localeCompare(b.resource));
  result.skipped.sort((a, b) => a.resource.localeCompare(b.resource));
  log.info(
    `reconcile done: ${result.actions.length} change(s), ${result.errors.length} error(s), ${result.reads} read(s), ${result.writes} write(s)`,
    { decision: 'summary', writes: result.writes, reads: result.reads },
  );
  return result;
}

/**
 * The autoscaler write that moves its floor (minNumReplicas) to `minReplicas`, with the cooldown
 * clock in its description; undefined when the floor is already there.
 */
export function floorChange(
  autoscaler: NonNullable<Observation['autoscalers'][string]>,
  minReplicas: number,
  now: number,
): { minReplicas: number; description: string } | undefined {
  const currentMin = autoscaler.autoscalingPolicy?.minNumReplicas ?? 0;
  if (minReplicas === currentMin) return undefined;
  const note = readAutoscalerNote(autoscaler.description);
  return {
    minReplicas,
    description: writeAutoscalerNote(
      minReplicas > currentMin ? { ...note, lastScaleOutAt: now } : { ...note, lastScaleInAt: now },
    ),
  };
}

/** Applies an incident being recorded to what was observed, so the plan already reflects it. */
function recordIncident(observation: Observation, incident: IncidentUpdate): void {
  const note = applyIncident(observation.backendNotes[incident.region] ?? emptyBackendNote(), incident);
  observation.backendNotes[incident.region] = note;
  const observed = observation.input.observed[incident.region];
  if (!observed) return;
  const openIncidents = Object.entries(note.open)
    .map(([id, startedAt]) => ({ id, startedAt }))
    .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
  const healthy = openIncidents.length === 0 && observed.backendHealthy > 0;
  (observation.input.observed as Record<string, RegionObservation>)[incident.region] = {
    ...observed,
    openIncidents,
    // A close that makes the region healthy starts its healthy streak now (the ramp counts from it).
    lastHealthyTransitionAt: healthy
      ? note.unhealthy
        ? observation.input.now
        : observed.lastHealthyTransitionAt
      : null,
  };
}

/** georoute capacity-request schedules whose request has expired and that still run. */
function expiredSchedules(autoscaler: NonNullable<Observation['autoscalers'][string]>, now: number): string[] {
  const schedules = autoscaler.autoscalingPolicy?.scalingSchedules ?? {};
  return Object.entries(schedules)
    .filter(([name, s]) => {
      if (!name.startsWith(SCHEDULE_PREFIX) || s.disabled) return false;
      const meta = parseScheduleDescription(s.description);
      return meta?.expiresAt !== undefined && meta.expiresAt <= now;
    })
    .map(([name]) => name)
    .sort();
}

/** The geo items of a plan: regions with weight → their entry IPs; none → the anycast address. */
function geoItems(
  config: GeorouteConfig,
  plan: TrafficPlan,
  observation: Observation,
  log: ObserveDeps['logger'],
): GeoItem[] | undefined {
  const items: GeoItem[] = [];
  for (const loc of config.clientLocations) {
    const lp = plan.locations[loc.location];
    const ips = servingSet(lp?.weights ?? {})
      .map((r) => observation.entryIps[r])
      .filter((ip): ip is string => !!ip);
    if (ips.length > 0) {
      items.push({ location: loc.location, rrdatas: [...new Set(ips)] });
      continue;
    }
    if (!observation.anycastIp) {
      log.error('no serving region and no anycast address for a location: leaving DNS as it is', {
        location: loc.location,
      });
      return undefined;
    }
    items.push({ location: loc.location, rrdatas: [observation.anycastIp] });
  }
  return items;
}
