/**
 * Which Google RPCs the functions (shared/, not infra/) call. The functions bundle carries only these
 * (bundle-functions.mjs trims the protos to them: 97 Compute types instead of ~4,500, and the first
 * event's protobuf cost follows the type count); any other method fails in the bundle with a clear
 * error (bundle-guard.ts). test/unit/shared/coldstart/function-rpcs.test.ts checks that shared/ calls
 * exactly these.
 */

/** Every Compute v1 service GcpClients can build (the CLI's trimmed protos keep all of them). */
export const COMPUTE_SERVICES = [
  'Addresses',
  'Firewalls',
  'Networks',
  'RegionTargetHttpProxies',
  'RegionTargetHttpsProxies',
  'RegionUrlMaps',
  'Routers',
  'Subnetworks',
  'BackendServices',
  'ForwardingRules',
  'GlobalAddresses',
  'GlobalForwardingRules',
  'GlobalOperations',
  'HealthChecks',
  'InstanceTemplates',
  'RegionAutoscalers',
  'RegionBackendServices',
  'RegionHealthChecks',
  'RegionInstanceGroupManagers',
  'RegionOperations',
  'TargetHttpProxies',
  'TargetHttpsProxies',
  'UrlMaps',
] as const;

export const FUNCTION_COMPUTE_METHODS = {
  Addresses: ['get'],
  BackendServices: ['get', 'patch'],
  GlobalAddresses: ['get'],
  GlobalOperations: ['wait'],
  RegionAutoscalers: ['get', 'patch', 'update'],
  RegionBackendServices: ['getHealth'],
  RegionInstanceGroupManagers: ['listErrors', 'listManagedInstances'],
  RegionOperations: ['wait'],
} as const satisfies Partial<Record<(typeof COMPUTE_SERVICES)[number], readonly string[]>>;

export const FUNCTION_COMPUTE_SERVICES = Object.keys(FUNCTION_COMPUTE_METHODS) as Array<
  keyof typeof FUNCTION_COMPUTE_METHODS
>;

export const FUNCTION_MONITORING_METHODS = { MetricService: ['listTimeSeries'] } as const;
