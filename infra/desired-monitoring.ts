import { ALERT_LABELS, type AlertKind, type GeorouteConfig, regionalLb } from '../shared/config';
import { type Resource, resourceId } from './types';

/** Placeholder for the notification channel's server-assigned name, resolved by the adapter. */
export const CHANNEL_REF = (displayName: string): string => `@channel:${displayName}`;

/** The `pubsub` channel that turns incidents into messages on the healthAlerts topic. */
export function notificationChannel(config: GeorouteConfig): Resource {
  const name = config.alerts.channelName;
  const owned = {
    type: 'pubsub',
    displayName: name,
    labels: { topic: `projects/${config.project}/topics/${config.pubsub.healthAlerts}` },
  };
  return {
    kind: 'notificationChannel',
    name,
    id: resourceId('notificationChannel', name),
    body: {
      ...owned,
      enabled: { value: true },
      description: 'georoute: Monitoring incidents to the healthAlert function',
    },
    owned,
    immutable: ['type'],
    dependsOn: [resourceId('pubsubTopic', config.pubsub.healthAlerts)],
  };
}

type Condition = Record<string, unknown>;

/** 5xx share of requests over `windowSec`, as a ratio condition (denominatorFilter) aligned per minute. */
function errorShare(title: string, requests: string, groupBy: string, threshold: number, windowSec: number): Condition {
  // ALIGN_RATE over 60 s: Google's minimum alignment period for alerting on these 60 s-sampled metrics.
  const sumRate = [
    {
      alignmentPeriod: { seconds: 60 },
      perSeriesAligner: 'ALIGN_RATE',
      crossSeriesReducer: 'REDUCE_SUM',
      groupByFields: [groupBy],
    },
  ];
  return {
    displayName: title,
    conditionThreshold: {
      filter: `${requests} AND metric.label.response_code_class = 500`,
      aggregations: sumRate,
      denominatorFilter: requests,
      denominatorAggregations: sumRate,
      comparison: 'COMPARISON_GT',
      thresholdValue: threshold,
      duration: { seconds: windowSec },
      trigger: { count: 1 },
    },
  };
}

/**
 * Per region, on the load balancer its DNS clients use: its regional external Application Load Balancer
 * (`loadbalancing.googleapis.com/https/external/regional/*` on `http_external_regional_lb_rule`,
 * https://cloud.google.com/monitoring/api/metrics_gcp): region unhealthy (most responses 5xx over a
 * minute), error ratio (5xx share over the window) and p99 backend latency. And, for the anycast
 * fallback, the global load balancer's 5xx share of the region's backend (`https_lb_rule`). Each is
 * labelled with its region, kind and path, so an incident names its region and healthAlert can tell
 * georoute's incidents from anyone else's (docs/ARCHITECTURE.md, "Alerts").
 */
export function alertPolicies(config: GeorouteConfig, channelId: string): Resource[] {
  const a = config.alerts;
  const out: Resource[] = [];
  for (const r of config.regions) {
    const n = regionalLb(r);
    const regional =
      `resource.type = "http_external_regional_lb_rule" AND resource.label.region = "${r.name}"` +
      ` AND resource.label.forwarding_rule_name = "${n.forwardingRule}"`;
    const regionalRequests = `metric.type = "loadbalancing.googleapis.com/https/external/regional/request_count" AND ${regional}`;
    const global =
      `resource.type = "https_lb_rule" AND resource.label.backend_target_name = "${config.loadBalancer.backendService}"` +
      ` AND resource.label.backend_name = "${r.mig}"`;
    const globalRequests = `metric.type = "loadbalancing.googleapis.com/https/backend_request_count" AND ${global}`;
    const latency: Condition = {
      displayName: `p99 backend latency above ${a.latencyP99Ms} ms`,
      conditionThreshold: {
        filter: `metric.type = "loadbalancing.googleapis.com/https/external/regional/backend_latencies" AND ${regional}`,
        aggregations: [
          {
            alignmentPeriod: { seconds: 60 },
            perSeriesAligner: 'ALIGN_PERCENTILE_99',
            crossSeriesReducer: 'REDUCE_MAX',
            groupByFields: ['resource.label.region'],
          },
        ],
        comparison: 'COMPARISON_GT',
        thresholdValue: a.latencyP99Ms,
        duration: { seconds: a.windowSec },
        trigger: { count: 1 },
      },
    };
    const byRegion = 'resource.label.region';
    const policies: Array<[AlertKind, 'regional' | 'global', Condition]> = [
      [
        'backend-unhealthy',
        'regional',
        errorShare(
          `5xx share above ${a.unhealthyErrorRatio} for 1 min`,
          regionalRequests,
          byRegion,
          a.unhealthyErrorRatio,
          60,
        ),
      ],
      [
        'error-ratio',
        'regional',
        errorShare(`5xx share above ${a.errorRatio}`, regionalRequests, byRegion, a.errorRatio, a.windowSec),
      ],
      ['latency', 'regional', latency],
      [
        'global-error-ratio',
        'global',
        errorShare(
          `global LB: 5xx share above ${a.errorRatio}`,
          globalRequests,
          'resource.label.backend_name',
          a.errorRatio,
          a.windowSec,
        ),
      ],
    ];
    for (const [kind, path, condition] of policies) {
      const name = `georoute ${r.name} ${kind}`;
      const owned = {
        displayName: name,
        combiner: 'OR',
        conditions: [condition],
        notificationChannels: [CHANNEL_REF(a.channelName)],
        userLabels: { [ALERT_LABELS.region]: r.name, [ALERT_LABELS.kind]: kind, [ALERT_LABELS.path]: path },
        enabled: { value: true },
      };
      out.push({
        kind: 'alertPolicy',
        name,
        id: resourceId('alertPolicy', name),
        body: { ...owned, alertStrategy: { autoClose: { seconds: 1800 } } },
        owned,
        dependsOn: [channelId],
      });
    }
  }
  return out;
}
