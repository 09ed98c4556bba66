/**
 * Which IAM permission each Google API call georoute's functions make needs (from each method's
 * "IAM Permissions" section in the REST reference), and which of those permissions the predefined
 * roles bootstrap grants contain (the relevant part of each role, from the IAM roles reference).
 * The security suite maps the emulator's request log through it and checks the grants against it.
 */

/** REST method + path (as the request log records it) → permission(s). First match wins. */
const REST: Array<[method: string, path: RegExp, permissions: string[]]> = [
  ['GET', /\/compute\/v1\/projects\/[^/]+\/global\/backendServices\/[^/]+$/, ['compute.backendServices.get']],
  [
    'POST',
    /\/compute\/v1\/projects\/[^/]+\/global\/backendServices\/[^/]+\/getHealth$/,
    ['compute.backendServices.get'],
  ],
  ['PATCH', /\/compute\/v1\/projects\/[^/]+\/global\/backendServices\/[^/]+$/, ['compute.backendServices.update']],
  // A region's health is read from its regional external Application Load Balancer's backend service.
  [
    'GET',
    /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/backendServices\/[^/]+$/,
    ['compute.regionBackendServices.get'],
  ],
  [
    'POST',
    /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/backendServices\/[^/]+\/getHealth$/,
    ['compute.regionBackendServices.get'],
  ],
  ['GET', /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/autoscalers\/[^/]+$/, ['compute.autoscalers.get']],
  ['PATCH', /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/autoscalers$/, ['compute.autoscalers.update']],
  [
    'POST',
    /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/instanceGroupManagers\/[^/]+\/listManagedInstances$/,
    ['compute.instanceGroupManagers.get'],
  ],
  [
    'GET',
    /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/instanceGroupManagers\/[^/]+\/listErrors$/,
    ['compute.instanceGroupManagers.get'],
  ],
  ['GET', /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/addresses\/[^/]+$/, ['compute.addresses.get']],
  ['GET', /\/compute\/v1\/projects\/[^/]+\/global\/addresses\/[^/]+$/, ['compute.globalAddresses.get']],
  ['POST', /\/compute\/v1\/projects\/[^/]+\/global\/operations\/[^/]+\/wait$/, ['compute.globalOperations.get']],
  ['GET', /\/compute\/v1\/projects\/[^/]+\/global\/operations\/[^/]+$/, ['compute.globalOperations.get']],
  [
    'POST',
    /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/operations\/[^/]+\/wait$/,
    ['compute.regionOperations.get'],
  ],
  ['GET', /\/compute\/v1\/projects\/[^/]+\/regions\/[^/]+\/operations\/[^/]+$/, ['compute.regionOperations.get']],
  ['GET', /\/dns\/v1\/projects\/[^/]+\/managedZones\/[^/]+\/rrsets$/, ['dns.resourceRecordSets.list']],
  // A change needs create on the change and on each record set it adds, delete on each it removes.
  [
    'POST',
    /\/dns\/v1\/projects\/[^/]+\/managedZones\/[^/]+\/changes$/,
    ['dns.changes.create', 'dns.resourceRecordSets.create', 'dns.resourceRecordSets.delete'],
  ],
  ['GET', /\/dns\/v1\/projects\/[^/]+\/managedZones\/[^/]+\/changes\/[^/]+$/, ['dns.changes.get']],
  ['GET', /\/v3\/projects\/[^/]+\/timeSeries$/, ['monitoring.timeSeries.list']],
];

/** gRPC method (Pub/Sub) → permission. */
const GRPC: Record<string, string[]> = {
  'Publisher/Publish': ['pubsub.topics.publish'],
  'Publisher/GetTopic': ['pubsub.topics.get'],
};

/** The permissions a logged call needs, or undefined when the table does not know the call. */
export function permissionsFor(call: { method: string; path: string; rpc?: string }): string[] | undefined {
  if (call.rpc) return GRPC[call.rpc];
  return REST.find(([m, p]) => m === call.method.toUpperCase() && p.test(call.path))?.[2];
}

/**
 * The part of each predefined role that matters here: the permissions above it contains. (The
 * roles contain much more; `BROADER_THAN_NEEDED` says why each broad one is still the narrowest.)
 */
export const ROLE_PERMISSIONS: Record<string, string[]> = {
  'roles/compute.viewer': [
    'compute.backendServices.get',
    'compute.regionBackendServices.get',
    'compute.autoscalers.get',
    'compute.instanceGroupManagers.get',
    'compute.addresses.get',
    'compute.globalAddresses.get',
    'compute.globalOperations.get',
    'compute.regionOperations.get',
  ],
  // Only what is certain to be in them; the reads compute.viewer covers are not claimed for these.
  'roles/compute.loadBalancerAdmin': ['compute.backendServices.get', 'compute.backendServices.update'],
  'roles/compute.instanceAdmin.v1': [
    'compute.autoscalers.get',
    'compute.autoscalers.update',
    'compute.instanceGroupManagers.get',
  ],
  'roles/dns.admin': [
    'dns.changes.create',
    'dns.changes.get',
    'dns.resourceRecordSets.create',
    'dns.resourceRecordSets.delete',
    'dns.resourceRecordSets.list',
  ],
  'roles/dns.reader': ['dns.changes.get', 'dns.resourceRecordSets.list'],
  'roles/monitoring.viewer': ['monitoring.timeSeries.list'],
  'roles/pubsub.publisher': ['pubsub.topics.publish'],
  'roles/logging.logWriter': ['logging.logEntries.create'],
};

/** Roles that grant more than the calls need, and why no narrower predefined role exists. */
export const BROADER_THAN_NEEDED: Record<string, string> = {
  'roles/compute.instanceAdmin.v1':
    'the narrowest predefined role with compute.autoscalers.update (it also manages instances and MIGs); a custom role with compute.autoscalers.update + compute.autoscalers.get is narrower',
  'roles/compute.loadBalancerAdmin':
    'the narrowest predefined role with compute.backendServices.update (it also manages the other load-balancing resources)',
  'roles/dns.admin':
    'the only predefined role with dns.changes.create (it also manages zones); grant it on the managed zone to narrow it',
  'roles/logging.logWriter':
    'not an API georoute calls: Cloud Run forwards the functions’ stdout to Cloud Logging as the service account',
};

/** Roles no function may hold (owner/editor-like, or admin of a whole service or of IAM). */
export const FORBIDDEN_ROLES = [
  /^roles\/(owner|editor|viewer)$/,
  /^roles\/compute\.admin$/,
  /^roles\/pubsub\.(admin|editor)$/,
  /^roles\/monitoring\.(admin|editor)$/,
  /^roles\/iam\./,
  /^roles\/resourcemanager\./,
];
