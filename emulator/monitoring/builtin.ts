import type { MetricDescriptor } from './types';

/**
 * Built-in metrics the world simulation writes (Google's own, so clients may read but not write them),
 * and the monitored-resource types custom metrics may be written against.
 */
const BUILTIN: Array<Omit<MetricDescriptor, 'name'>> = [
  lb('https/request_count', 'DELTA', 'INT64', '1', 'Request count'),
  lb('https/backend_request_count', 'DELTA', 'INT64', '1', 'Backend request count'),
  lb('https/backend_latencies', 'DELTA', 'DISTRIBUTION', 'ms', 'Backend latency'),
  lb('https/total_latencies', 'DELTA', 'DISTRIBUTION', 'ms', 'Total latency'),
  // Regional external Application Load Balancer (https://cloud.google.com/monitoring/api/metrics_gcp).
  regional('request_count', 'INT64', '1', 'Request count', true),
  regional('backend_request_count', 'INT64', '1', 'Backend request count', false),
  regional('backend_latencies', 'DISTRIBUTION', 'ms', 'Backend latencies', true),
  regional('total_latencies', 'DISTRIBUTION', 'ms', 'Total latencies', true),
  compute('instance/cpu/utilization', 'GAUGE', 'DOUBLE', '10^2.%', 'CPU utilization', ['instance_name']),
  compute('instance/uptime', 'DELTA', 'DOUBLE', 's', 'Uptime', ['instance_name']),
  compute('instance_group/size', 'GAUGE', 'INT64', '1', 'Instance group size', []),
  {
    type: 'agent.googleapis.com/gpu/utilization',
    labels: [
      { key: 'gpu_number', valueType: 'STRING' },
      { key: 'model', valueType: 'STRING' },
    ],
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    unit: '%',
    displayName: 'GPU utilization',
    launchStage: 'GA',
    monitoredResourceTypes: ['gce_instance'],
  },
];

function lb(path: string, kind: string, vt: string, unit: string, displayName: string): Omit<MetricDescriptor, 'name'> {
  return {
    type: `loadbalancing.googleapis.com/${path}`,
    labels: [
      'response_code',
      'response_code_class',
      'proxy_continent',
      'cache_result',
      'client_country',
      'protocol',
    ].map((key) => ({ key, valueType: key === 'response_code' || key === 'response_code_class' ? 'INT64' : 'STRING' })),
    metricKind: kind,
    valueType: vt,
    unit,
    displayName,
    launchStage: 'GA',
    monitoredResourceTypes: ['https_lb_rule'],
  };
}

function regional(
  path: string,
  vt: string,
  unit: string,
  displayName: string,
  clientLabels: boolean,
): Omit<MetricDescriptor, 'name'> {
  const keys = clientLabels
    ? ['protocol', 'response_code', 'response_code_class', 'cache_result', 'client_country']
    : ['response_code', 'response_code_class'];
  return {
    type: `loadbalancing.googleapis.com/https/external/regional/${path}`,
    labels: keys.map((key) => ({ key, valueType: key.startsWith('response_code') ? 'INT64' : 'STRING' })),
    metricKind: 'DELTA',
    valueType: vt,
    unit,
    displayName,
    launchStage: clientLabels ? 'GA' : 'BETA',
    monitoredResourceTypes: ['http_external_regional_lb_rule'],
  };
}

function compute(path: string, kind: string, vt: string, unit: string, displayName: string, labels: string[]) {
  return {
    type: `compute.googleapis.com/${path}`,
    labels: labels.map((key) => ({ key, valueType: 'STRING' })),
    metricKind: kind,
    valueType: vt,
    unit,
    displayName,
    launchStage: 'GA',
    monitoredResourceTypes: [path.startsWith('instance_group') ? 'instance_group' : 'gce_instance'],
  };
}

export function builtinDescriptor(project: string, type: string): MetricDescriptor | undefined {
  const d = BUILTIN.find((b) => b.type === type);
  return d && { name: `projects/${project}/metricDescriptors/${type}`, ...d };
}

export function builtinDescriptors(project: string): MetricDescriptor[] {
  return BUILTIN.map((d) => ({ name: `projects/${project}/metricDescriptors/${d.type}`, ...d }));
}

/**
 * Prefixes of user-defined metric types, the only ones clients may create or write: "custom.googleapis.com/
 * User-defined custom metrics", "external.googleapis.com/… Third-party custom metrics"
 * (https://cloud.google.com/monitoring/api/v3/naming-conventions), and workload.googleapis.com/, where the
 * Ops Agent's OTLP receiver writes. Google's own (loadbalancing.googleapis.com/…, compute…, agent…) and
 * log-based metrics (logging.googleapis.com/user/…, created from Cloud Logging) are refused.
 */
export const USER_METRIC_PREFIXES = ['custom.googleapis.com/', 'workload.googleapis.com/', 'external.googleapis.com/'];

export const isUserMetric = (type: string): boolean => USER_METRIC_PREFIXES.some((p) => type.startsWith(p));

/** Monitored-resource types that accept user-defined metrics (Google's documented list, abridged). */
export const USER_METRIC_RESOURCES = new Set([
  'global',
  'gce_instance',
  'generic_node',
  'generic_task',
  'gke_container',
  'k8s_container',
  'k8s_pod',
  'k8s_node',
  'k8s_cluster',
  'cloud_run_revision',
  'cloud_function',
  'aws_ec2_instance',
  'prometheus_target',
]);
