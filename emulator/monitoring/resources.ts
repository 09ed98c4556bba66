import { evaluateFilter, parseFilter } from './filter';

/**
 * The monitored-resource types georoute reads or writes, as data from Google's list
 * https://cloud.google.com/monitoring/api/resources (one section per type: #tag_global,
 * #tag_gce_instance, #tag_https_lb_rule, #tag_http_external_regional_lb_rule, #tag_instance_group).
 * Label descriptions are abridged; every label is a STRING (LabelDescriptor's default).
 */
interface ResourceType {
  displayName: string;
  description: string;
  labels: string[];
}

const LB_LABELS = [
  'url_map_name',
  'forwarding_rule_name',
  'target_proxy_name',
  'matched_url_path_rule',
  'backend_target_name',
  'backend_target_type',
  'backend_name',
  'backend_type',
  'backend_scope',
  'backend_scope_type',
];

const TYPES: Record<string, ResourceType> = {
  global: {
    displayName: 'Global',
    description: 'A global resource: use it when no other type applies.',
    labels: ['project_id'],
  },
  gce_instance: {
    displayName: 'VM Instance',
    description: 'A virtual machine instance hosted in Compute Engine.',
    labels: ['project_id', 'instance_id', 'zone'],
  },
  https_lb_rule: {
    displayName: 'Global External Application Load Balancer Rule',
    description: 'A rule of a global external Application Load Balancer (no network_name label).',
    labels: ['project_id', 'region', ...LB_LABELS],
  },
  http_external_regional_lb_rule: {
    displayName: 'Regional External Application Load Balancer Rule',
    description: 'A rule of a regional external Application Load Balancer.',
    labels: ['project_id', 'network_name', 'region', ...LB_LABELS],
  },
  instance_group: {
    displayName: 'Instance Group',
    description: 'A Compute Engine instance group.',
    labels: ['project_id', 'location', 'instance_group_name', 'instance_group_id'],
  },
  // Types user-defined metrics are often written against (#tag_generic_node, #tag_generic_task,
  // #tag_k8s_container, #tag_cloud_run_revision).
  generic_node: {
    displayName: 'Generic Node',
    description: 'A generic node identifies a machine or other computational resource.',
    labels: ['project_id', 'location', 'namespace', 'node_id'],
  },
  generic_task: {
    displayName: 'Generic Task',
    description: 'A generic task identifies an application process.',
    labels: ['project_id', 'location', 'namespace', 'job', 'task_id'],
  },
  k8s_container: {
    displayName: 'Kubernetes Container',
    description: 'A Kubernetes container instance.',
    labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'pod_name', 'container_name'],
  },
  cloud_run_revision: {
    displayName: 'Cloud Run Revision',
    description: 'A revision in Cloud Run (fully managed).',
    labels: ['project_id', 'service_name', 'revision_name', 'location', 'configuration_name'],
  },
};

/** google.api.MonitoredResourceDescriptor for one type, named in a project. */
export function resourceDescriptor(project: string, type: string): Record<string, unknown> | undefined {
  const t = TYPES[type];
  if (!t) return undefined;
  return {
    name: `projects/${project}/monitoredResourceDescriptors/${type}`,
    type,
    displayName: t.displayName,
    description: t.description,
    labels: t.labels.map((key) => ({ key })),
    launchStage: 'GA',
  };
}

/** monitoredResourceDescriptors.list: every type matching `filter` (e.g. `resource.type = starts_with("gce_")`). */
export function resourceDescriptors(project: string, filter: string): Array<Record<string, unknown>> {
  const node = filter ? parseFilter(filter) : undefined;
  return Object.keys(TYPES)
    .sort()
    .filter((type) => !node || evaluateFilter(node, { project, metric: { type: '' }, resource: { type } }))
    .map((type) => resourceDescriptor(project, type) as Record<string, unknown>);
}

/** A type's display name (incidents carry it as `resource_type_display_name`). */
export const resourceDisplayName = (type: string): string => TYPES[type]?.displayName ?? type;
