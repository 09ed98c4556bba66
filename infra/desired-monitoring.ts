import type { GeorouteConfig } from '../shared/config';
import { type Json, type Resource, resourceId } from './types';

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

/**
 * Per region: backend unhealthy (most backend responses are 5xx over one minute), error ratio (5xx share
 * over the window) and latency (p99 backend latency). All on Google's built-in load-balancing metrics of
 * the global backend service, scoped to the region's backends, labelled `georoute-region: <region>` so the
 * healthAlert function knows which region an incident is about.
 */
export function alertPolicies(config: GeorouteConfig, channelId: string): Resource[] {
  const a = config.alerts;
  const out: Resource[] = [];
  for (const r of config.regions) {
    const scope =
      `resource.type = "https_lb_rule" AND resource.label.backend_target_name = "${config.loadBalancer.backendService}"` +
      ` AND resource.label.backend_scope = "${r.name}"`;
    const requests = `metric.type = "loadbalancing.googleapis.com/https/backend_request_count" AND ${scope}`;
    const errors = `${requests} AND metric.label.response_code_class = 500`;
    const sumRate = (periodSec: number) => [
      {
        alignmentPeriod: { seconds: periodSec },
        perSeriesAligner: 'ALIGN_RATE',
        crossSeriesReducer: 'REDUCE_SUM',
        groupByFields: ['resource.label.backend_scope'],
      },
    ];
    const ratio = (title: string, threshold: number, windowSec: number) => ({
      displayName: title,
      conditionThreshold: {
        filter: errors,
        aggregations: sumRate(60),
        denominatorFilter: requests,
        denominatorAggregations: sumRate(60),
        comparison: 'COMPARISON_GT',
        thresholdValue: threshold,
        duration: { seconds: windowSec },
        trigger: { count: 1 },
      },
    });
    const latency = {
      displayName: `p99 backend latency above ${a.latencyP99Ms} ms`,
      conditionThreshold: {
        filter: `metric.type = "loadbalancing.googleapis.com/https/backend_latencies" AND ${scope}`,
        aggregations: [
          {
            alignmentPeriod: { seconds: 60 },
            perSeriesAligner: 'ALIGN_PERCENTILE_99',
            crossSeriesReducer: 'REDUCE_MAX',
            groupByFields: ['resource.label.backend_scope'],
          },
        ],
        comparison: 'COMPARISON_GT',
        thresholdValue: a.latencyP99Ms,
        duration: { seconds: a.windowSec },
        trigger: { count: 1 },
      },
    };
    const policies: Array<[string, Json]> = [
      ['backend-unhealthy', ratio(`5xx share above ${a.unhealthyErrorRatio} for 1 min`, a.unhealthyErrorRatio, 60)],
      ['error-ratio', ratio(`5xx share above ${a.errorRatio}`, a.errorRatio, a.windowSec)],
      ['latency', latency],
    ];
    for (const [what, condition] of policies) {
      const name = `georoute ${r.name} ${what}`;
      const owned = {
        displayName: name,
        combiner: 'OR',
        conditions: [condition],
        notificationChannels: [CHANNEL_REF(a.channelName)],
        userLabels: { 'georoute-region': r.name, 'georoute-alert': what },
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
