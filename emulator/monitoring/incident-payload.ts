import { projectNumber } from '../core/project-number';
import { resourceDisplayName } from './resources';
import type { AlertPolicy, Condition, Incident, MetricDescriptor } from './types';

export { projectNumber };

function labelsText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
}

const DIRECTION: Record<string, string> = {
  COMPARISON_GT: 'above',
  COMPARISON_GE: 'above',
  COMPARISON_LT: 'below',
  COMPARISON_LE: 'below',
  COMPARISON_EQ: 'equal to',
  COMPARISON_NE: 'not equal to',
};

/**
 * The notification Cloud Monitoring publishes to a `pubsub` channel: schema version 1.2
 * (field names as in Google's "Schema structure for notifications").
 */
export function incidentPayload(
  incident: Incident,
  policy: AlertPolicy,
  condition: Condition,
  descriptor: MetricDescriptor | undefined,
): Record<string, unknown> {
  const project = incident.project;
  const metricName = descriptor?.displayName || incident.metric.type;
  const resourceName =
    incident.resource.labels.instance_id ??
    incident.resource.labels.instance_name ??
    incident.resource.labels.project_id ??
    project;
  const threshold = condition.conditionThreshold?.thresholdValue ?? 0;
  const direction = DIRECTION[condition.conditionThreshold?.comparison ?? ''] ?? 'above';
  const subject = `${metricName} for ${resourceName} with metric labels ${labelsText(incident.metric.labels)}`;
  const summary = condition.conditionAbsent
    ? incident.state === 'open'
      ? `${subject} is absent.`
      : `${subject} is no longer absent.`
    : incident.state === 'open'
      ? `${subject} is ${direction} the threshold of ${threshold} with a value of ${incident.observedValue}.`
      : `${subject} returned to normal with a value of ${incident.observedValue}.`;
  const doc = policy.documentation ?? {};
  const documentation: Record<string, unknown> = {
    content: typeof doc.content === 'string' ? doc.content : '',
    mime_type: typeof doc.mimeType === 'string' ? doc.mimeType : 'text/markdown',
  };
  if (typeof doc.subject === 'string') documentation.subject = doc.subject;
  if (Array.isArray(doc.links)) documentation.links = doc.links;
  return {
    version: '1.2',
    incident: {
      incident_id: incident.incidentId,
      scoping_project_id: project,
      scoping_project_number: projectNumber(project),
      url: `https://console.cloud.google.com/monitoring/alerting/incidents/${incident.incidentId}?project=${project}`,
      severity: policy.severity ? policy.severity.charAt(0) + policy.severity.slice(1).toLowerCase() : 'no severity',
      started_at: Math.floor(incident.startedAt / 1000),
      ended_at: incident.endedAt === null ? null : Math.floor(incident.endedAt / 1000),
      state: incident.state,
      summary,
      apigee_url: `https://console.cloud.google.com/monitoring/alerting/incidents/${incident.incidentId}?project=${project}`,
      observed_value: incident.observedValue,
      resource: { type: incident.resource.type, labels: incident.resource.labels },
      resource_type_display_name: resourceDisplayName(incident.resource.type),
      resource_id: incident.resource.labels.instance_id ?? '',
      resource_display_name: resourceName,
      resource_name: `${project} ${resourceName}`,
      metric: { type: incident.metric.type, displayName: metricName, labels: incident.metric.labels },
      metadata: { system_labels: {}, user_labels: {} },
      policy_name: policy.displayName,
      policy_user_labels: policy.userLabels,
      documentation,
      condition,
      condition_name: condition.displayName ?? '',
      threshold_value: String(threshold),
    },
  };
}
