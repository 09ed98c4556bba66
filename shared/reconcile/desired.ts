/**
 * What each actuator should make true, from the plan and what observe read. Pure: no I/O, no clock
 * (time is the snapshot's), unit-tested without the emulator (test/unit/shared/reconcile/desired.test.ts).
 */
import type { CapacityDesired, DnsDesired, GeoItem, LbDesired } from '../actuate';
import type { GeorouteConfig } from '../config';
import { type Autoscaler, failed, type Snapshot } from '../observe';
import type { DerivedInput, IncidentUpdate, TrafficPlan } from '../plan';
import { isHealthy, isWarming } from '../plan';
import {
  applyIncident,
  expiredSchedules,
  readAutoscalerNote,
  readBackendNote,
  servingSet,
  writeAutoscalerNote,
  writeBackendNote,
} from '../state';

/**
 * The global backend service: each observed region's capacityScaler, and its note (incidents, healthy
 * streak) as a function of the description read at write time, so a retry after a 412 re-derives it
 * from what the other writer left. Undefined when the backend service could not be read.
 */
export function desiredLb(
  config: GeorouteConfig,
  plan: TrafficPlan,
  snapshot: Snapshot,
  derived: DerivedInput,
  incident?: IncidentUpdate,
): LbDesired | undefined {
  if (!snapshot.backendService) return undefined;
  const now = snapshot.now;
  const scalers: Record<string, number> = {};
  const notes: LbDesired['notes'] = {};
  for (const region of config.regions) {
    const ours = incident?.region === region.name;
    const withIncident = (current: string | undefined) => {
      const note = readBackendNote(current);
      return ours ? applyIncident(note, incident) : note;
    };
    const obs = derived.input.observed[region.name];
    const regionPlan = plan.regions[region.name];
    if (!obs || !regionPlan) {
      // Unobserved: leave its scaler alone, but never lose an incident about it.
      if (ours) notes[region.name] = (current) => writeBackendNote(withIncident(current));
      continue;
    }
    scalers[region.name] = regionPlan.capacityScaler;
    const healthy = isHealthy(obs);
    const warmingSince = obs.warmingSince ?? null;
    notes[region.name] = (current) => {
      const before = readBackendNote(current);
      // The first sighting of a healthy backend is kept (observe's servedAt): alerts raised before it were the start-up.
      const servedAt = before.servedAt ?? obs.servedAt ?? null;
      // An overload's end is kept: alerts raised while it lasted are that overload (plan/evidence.ts).
      const overloadedSince = obs.overloaded ? (before.overloadedSince ?? now) : null;
      const overloadEndedAt =
        !obs.overloaded && before.overloadedSince !== null ? now : (obs.overloadEndedAt ?? before.overloadEndedAt);
      const note = { ...withIncident(current), warmingSince, servedAt, overloadedSince, overloadEndedAt };
      // Warming is a start-up, not ill health: its start is kept (the warm-up window counts from it).
      if (isWarming(obs)) return writeBackendNote(note);
      if (!healthy) return writeBackendNote({ ...note, unhealthy: true, healthySince: null });
      if (note.unhealthy) return writeBackendNote({ ...note, unhealthy: false, healthySince: now });
      // Nothing to record: leave the description as it is (no write for a note that says nothing).
      const changed =
        before.warmingSince !== null ||
        before.servedAt !== servedAt ||
        before.overloadedSince !== overloadedSince ||
        before.overloadEndedAt !== overloadEndedAt;
      return ours || changed ? writeBackendNote(note) : (current ?? '');
    };
  }
  return {
    backendService: config.loadBalancer.backendService,
    scalers,
    notes,
    // Observe's copy: its fingerprint makes the patch conditional (stale → 412 → re-read).
    current: snapshot.backendService,
  };
}

/**
 * The geo record: each location's item lists the entry IPs of the regions the plan gives it; none →
 * the anycast address. Undefined when the record could not be read, or a location would get no answer.
 */
export function desiredDns(
  config: GeorouteConfig,
  plan: TrafficPlan,
  snapshot: Snapshot,
  onNoAnswer: (location: string) => void = () => undefined,
): DnsDesired | undefined {
  if (!snapshot.dnsRecord && failed(snapshot, 'read geo record')) return undefined;
  const items: GeoItem[] = [];
  for (const loc of config.clientLocations) {
    const lp = plan.locations[loc.location];
    const ips = servingSet(lp?.weights ?? {})
      .map((r) => snapshot.regions[r]?.entryIp)
      .filter((ip): ip is string => !!ip);
    if (ips.length > 0) items.push({ location: loc.location, rrdatas: [...new Set(ips)] });
    else if (snapshot.anycastIp) items.push({ location: loc.location, rrdatas: [snapshot.anycastIp] });
    else {
      onNoAnswer(loc.location);
      return undefined;
    }
  }
  return {
    managedZone: config.dns.managedZone,
    name: config.dns.recordName,
    ttl: config.dns.ttlSec,
    items,
    weights: Object.fromEntries(Object.entries(plan.locations).map(([loc, lp]) => [loc, lp.weights])),
    // The churn clock: the next step waits a TTL from now (only if the weights are rewritten).
    weightsMovedAt: snapshot.now,
    // What observe read, unless a read failed (then the actuator reads for itself).
    current: failed(snapshot, 'read geo record', 'read weights record')
      ? undefined
      : { record: snapshot.dnsRecord, weights: snapshot.dnsWeightsRecord },
  };
}

export type CapacityStep = { desired: CapacityDesired } | { region: string; autoscaler: string; skipped: string };

/**
 * Each observed region's autoscaler: its floor (minNumReplicas, with the cooldown clock in its
 * description) and expired capacity schedules retired.
 */
export function desiredCapacity(
  config: GeorouteConfig,
  plan: TrafficPlan,
  snapshot: Snapshot,
  derived: DerivedInput,
): CapacityStep[] {
  const steps: CapacityStep[] = [];
  for (const region of config.regions) {
    const regionPlan = plan.regions[region.name];
    const autoscaler = snapshot.regions[region.name]?.autoscaler;
    if (!regionPlan || !autoscaler || !derived.input.observed[region.name]) continue;
    const expired = expiredSchedules(autoscaler, snapshot.now);
    const floor = floorChange(autoscaler, regionPlan.minReplicas, snapshot.now);
    if (!floor && expired.length === 0) {
      const min = autoscaler.autoscalingPolicy?.minNumReplicas ?? 0;
      steps.push({ region: region.name, autoscaler: region.autoscaler, skipped: `floor already ${min}` });
      continue;
    }
    steps.push({
      desired: {
        region: region.name,
        autoscaler: region.autoscaler,
        minReplicas: floor?.minReplicas,
        retireSchedules: expired,
        description: floor?.description,
        current: autoscaler,
      },
    });
  }
  return steps;
}

/**
 * The autoscaler write that moves its floor (minNumReplicas) to `minReplicas`, with the cooldown
 * clock in its description; undefined when the floor is already there.
 */
export function floorChange(
  autoscaler: Autoscaler,
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
