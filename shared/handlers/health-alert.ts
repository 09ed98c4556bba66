import type { GeorouteConfig } from '../config';
import type { Logger } from '../core';
import { GeorouteError, InvalidInputError } from '../core';
import { reconcile } from '../reconcile';
import { type CloudEventLike, type PubsubDelivery, parseJson } from './envelope';
import { type IncidentNotification, IncidentNotificationSchema, parseMessage } from './messages';
import { type Outcome, runHandler } from './run';
import type { FunctionRuntime } from './runtime';

/** The policy user label that names the region an alert policy watches (bootstrap sets it). */
export const REGION_LABEL = 'georoute-region';

/**
 * `healthAlert`: a Monitoring incident (via the pubsub notification channel) about a region.
 * Open → the region is drained, taken out of DNS and its neighbours scaled (by the planner); closed
 * → it comes back through the recovery ramp. The incident is recorded in the region's backend note
 * in the same conditional write as the drain; duplicates change nothing and a close that arrives
 * before its open leaves the incident closed.
 */
export function handleHealthAlert(rt: FunctionRuntime, event: CloudEventLike): Promise<Outcome> {
  return runHandler('healthAlert', rt, event, (delivery, log) => healthAlert(rt, delivery, log));
}

async function healthAlert(rt: FunctionRuntime, delivery: PubsubDelivery, log: Logger): Promise<Outcome> {
  const notification = parseMessage(IncidentNotificationSchema, parseJson(delivery.data), 'incident notification');
  const incident = notification.incident;
  if (notification.version === 'test') {
    // "Send test notification" in the console: proves the channel works; must not drain anything.
    return { decision: 'ignored', reason: 'test notification', incidentId: incident.incident_id };
  }
  const region = regionOf(rt.config, notification);
  const now = rt.deps.now();
  const at =
    incident.state === 'closed' ? (secondsToMs(incident.ended_at) ?? now) : (secondsToMs(incident.started_at) ?? now);
  const result = await reconcile(
    rt.deps,
    rt.config,
    { kind: 'alert', eventId: delivery.eventId },
    { incident: { region, id: incident.incident_id, state: incident.state, at } },
  );
  // The incident is recorded only by the backend-service write: if that failed, or never happened
  // because the backend service could not be read, it must not be acked.
  if (!result.snapshot.backendService) {
    const read = result.errors.find((e) => e.actuator === 'observe' && e.resource === 'get backend service');
    throw new GeorouteError(
      'reconcile-failed',
      `healthAlert: the backend service could not be read, incident ${incident.incident_id} is not recorded: ${read?.message ?? 'unknown error'}`,
      { retryable: read?.retryable ?? true },
    );
  }
  const lbError = result.errors.find((e) => e.actuator === 'lb');
  const retryable = result.errors.find((e) => e.retryable && e.actuator !== 'observe');
  const failure = lbError ?? retryable;
  if (failure) {
    log.warn('reconcile after the incident left failures', { errors: result.errors });
    throw new GeorouteError('reconcile-failed', `healthAlert: ${failure.actuator} write failed: ${failure.message}`, {
      retryable: failure.retryable,
    });
  }
  const regionPlan = result.plan.regions[region];
  return {
    decision:
      incident.state === 'open'
        ? `incident open: ${region} ${regionPlan?.state}`
        : `incident closed: ${region} ${regionPlan?.state}`,
    region,
    incidentId: incident.incident_id,
    state: incident.state,
    capacityScaler: regionPlan?.capacityScaler,
    actions: result.actions.length,
  };
}

const secondsToMs = (s: number | null | undefined): number | undefined =>
  typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : undefined;

/**
 * Which configured region an incident is about, in order of precedence: the policy's
 * `georoute-region` user label; the monitored resource's region/zone/location labels; a backend,
 * MIG or backend-service name in the resource or metric labels. Unknown → bad input.
 */
export function regionOf(config: GeorouteConfig, notification: IncidentNotification): string {
  const i = notification.incident;
  const known = new Set(config.regions.map((r) => r.name));
  const labels = { ...(i.metric?.labels ?? {}), ...(i.resource?.labels ?? {}) };
  const userLabels = { ...(i.metadata?.user_labels ?? {}), ...(i.policy_user_labels ?? {}) };
  const candidates = [
    userLabels[REGION_LABEL],
    labels.region,
    labels.backend_scope,
    labels.location,
    labels.zone?.replace(/-[a-z]$/, ''),
  ];
  for (const c of candidates) if (c && known.has(c)) return c;
  const names = [
    labels.backend_name,
    labels.instance_group_name,
    labels.instance_group_manager_name,
    labels.backend_service_name,
    labels.backend_target_name,
  ];
  for (const r of config.regions) {
    if (names.some((n) => n && (n === r.mig || n === r.backend || n === r.autoscaler))) return r.name;
  }
  const seen = candidates.filter(Boolean).join(', ') || 'none';
  throw new InvalidInputError(
    `incident ${i.incident_id} names no configured region (label '${REGION_LABEL}', resource region/zone, or MIG/backend name; saw: ${seen})`,
  );
}
