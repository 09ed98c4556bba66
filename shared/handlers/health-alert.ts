import { ALERT_KINDS, ALERT_LABELS, type GeorouteConfig } from '../config';
import type { Logger } from '../core';
import { GeorouteError } from '../core';
import { reconcile } from '../reconcile';
import { type CloudEventLike, type PubsubDelivery, parseJson } from './envelope';
import { type IncidentNotification, IncidentNotificationSchema, parseMessage } from './messages';
import { type Outcome, runHandler } from './run';
import type { FunctionRuntime } from './runtime';

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
  const foreign = whyNotOurs(rt.config, notification);
  if (foreign)
    return { decision: 'ignored', reason: `not georoute's incident: ${foreign}`, incidentId: incident.incident_id };
  const region = regionOf(notification);
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
 * Why an incident is not georoute's to act on, or undefined when it is. A notification channel can
 * carry incidents of other policies and of other projects in the metrics scope
 * (https://cloud.google.com/monitoring/support/notification-options: `scoping_project_id`,
 * `policy_user_labels`), so only incidents of this project whose policy carries the labels the bootstrap
 * writes (region and alert kind) are acted on. Anything else is acknowledged, untouched: it is not
 * malformed, just someone else's.
 */
export function whyNotOurs(config: GeorouteConfig, notification: IncidentNotification): string | undefined {
  const i = notification.incident;
  const scope = (i as { scoping_project_id?: unknown }).scoping_project_id;
  if (scope !== config.project)
    return `scoping project ${typeof scope === 'string' ? `'${scope.slice(0, 64)}'` : '(none)'} is not ${config.project}`;
  const labels = i.policy_user_labels ?? {};
  const kind = labels[ALERT_LABELS.kind];
  if (!kind || !(ALERT_KINDS as readonly string[]).includes(kind))
    return `policy '${(i.policy_name ?? '').slice(0, 128)}' carries no georoute alert label (${ALERT_LABELS.kind})`;
  const region = labels[ALERT_LABELS.region];
  if (!region || !config.regions.some((r) => r.name === region))
    return `policy label ${ALERT_LABELS.region}='${(region ?? '').slice(0, 64)}' names no configured region`;
  return undefined;
}

/** The region of one of georoute's incidents: its policy's region label (whyNotOurs checked it). */
export function regionOf(notification: IncidentNotification): string {
  return notification.incident.policy_user_labels?.[ALERT_LABELS.region] as string;
}
