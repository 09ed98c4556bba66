import type { BodySource } from '../core/front-end';
import type { ApiDefinition } from '../core/proto-load';
import type { FieldSchema, MessageSchema } from '../core/proto-schema';

/**
 * Cloud DNS v1 request bodies as data: @google-cloud/dns ships no API definition, so the resources
 * georoute uses are transcribed from the REST reference (field names, JSON types, enum values):
 * - ManagedZone, ManagedZoneDnsSecConfig, DnsKeySpec, ManagedZoneCloudLoggingConfig:
 *   https://cloud.google.com/dns/docs/reference/rest/v1/managedZones#ManagedZone
 * - ResourceRecordSet and RRSetRoutingPolicy (geo, wrr, primaryBackup, healthCheckedTargets):
 *   https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets#ResourceRecordSet
 * - Change: https://cloud.google.com/dns/docs/reference/rest/v1/changes#Change
 * Private-zone configurations (forwarding, peering, privateVisibility, reverseLookup,
 * serviceDirectory) are known names whose content is not described: the twin does not emulate them.
 * Cloud DNS names request bodies `entity.<resource>` in its errors ("The 'entity.change' …").
 */
const NS = 'dns.v1';
const str: FieldSchema = { type: 'string' };
const strings: FieldSchema = { type: 'string', repeated: true };
const kind = str;
const msg = (name: string, repeated = false): FieldSchema => ({
  type: `${NS}.${name}`,
  ...(repeated ? { repeated } : {}),
});
const oneOf = (name: string): FieldSchema => ({ type: 'string', enumOf: `${NS}.${name}` });
const opaque: FieldSchema = { type: `${NS}.NotEmulated` };

const MESSAGES: Record<string, MessageSchema['fields']> = {
  ManagedZone: {
    cloudLoggingConfig: msg('ManagedZoneCloudLoggingConfig'),
    creationTime: str,
    description: str,
    dnsName: str,
    dnssecConfig: msg('ManagedZoneDnsSecConfig'),
    forwardingConfig: opaque,
    id: { type: 'uint64' },
    kind,
    labels: { type: 'string', keyType: 'string' },
    name: str,
    nameServers: strings,
    nameServerSet: str,
    peeringConfig: opaque,
    privateVisibilityConfig: opaque,
    reverseLookupConfig: opaque,
    serviceDirectoryConfig: opaque,
    visibility: oneOf('Visibility'),
  },
  ManagedZoneCloudLoggingConfig: { enableLogging: { type: 'bool' }, kind },
  ManagedZoneDnsSecConfig: {
    defaultKeySpecs: msg('DnsKeySpec', true),
    kind,
    nonExistence: oneOf('NonExistence'),
    state: oneOf('DnssecState'),
  },
  DnsKeySpec: { algorithm: oneOf('Algorithm'), keyLength: { type: 'uint32' }, keyType: oneOf('KeyType'), kind },
  ResourceRecordSet: {
    kind,
    name: str,
    routingPolicy: msg('RRSetRoutingPolicy'),
    rrdatas: strings,
    signatureRrdatas: strings,
    ttl: { type: 'int32' },
    type: str,
  },
  RRSetRoutingPolicy: {
    geo: msg('GeoPolicy'),
    healthCheck: str,
    kind,
    primaryBackup: msg('PrimaryBackupPolicy'),
    wrr: msg('WrrPolicy'),
  },
  GeoPolicy: { enableFencing: { type: 'bool' }, items: msg('GeoPolicyItem', true), kind },
  GeoPolicyItem: {
    healthCheckedTargets: msg('HealthCheckTargets'),
    kind,
    location: str,
    rrdatas: strings,
    signatureRrdatas: strings,
  },
  WrrPolicy: { items: msg('WrrPolicyItem', true), kind },
  WrrPolicyItem: {
    healthCheckedTargets: msg('HealthCheckTargets'),
    kind,
    rrdatas: strings,
    signatureRrdatas: strings,
    weight: { type: 'double' },
  },
  PrimaryBackupPolicy: {
    backupGeoTargets: msg('GeoPolicy'),
    kind,
    primaryTargets: msg('HealthCheckTargets'),
    trickleTraffic: { type: 'double' },
  },
  HealthCheckTargets: { externalEndpoints: strings, internalLoadBalancers: msg('LoadBalancerTarget', true) },
  LoadBalancerTarget: {
    ipAddress: str,
    ipProtocol: oneOf('IpProtocol'),
    kind,
    loadBalancerType: oneOf('LoadBalancerType'),
    networkUrl: str,
    port: str,
    project: str,
    region: str,
  },
  Change: {
    additions: msg('ResourceRecordSet', true),
    deletions: msg('ResourceRecordSet', true),
    id: str,
    isServing: { type: 'bool' },
    kind,
    startTime: str,
    status: oneOf('ChangeStatus'),
  },
  // Request messages: which resource each method's body is (see RULES).
  CreateManagedZoneRequest: { managedZone: msg('ManagedZone') },
  CreateResourceRecordSetRequest: { resourceRecordSet: msg('ResourceRecordSet') },
  CreateChangeRequest: { change: msg('Change') },
};

const ENUMS: Record<string, string[]> = {
  Visibility: ['public', 'private'],
  NonExistence: ['nsec', 'nsec3'],
  DnssecState: ['off', 'on', 'transfer'],
  Algorithm: ['rsasha1', 'rsasha256', 'rsasha512', 'ecdsap256sha256', 'ecdsap384sha384'],
  KeyType: ['keySigning', 'zoneSigning'],
  IpProtocol: ['undefined', 'tcp', 'udp'],
  LoadBalancerType: ['none', 'globalL7ilb', 'regionalL4ilb', 'regionalL7ilb'],
  ChangeStatus: ['pending', 'done'],
};

const ZONES = '/dns/v1/projects/{project}/managedZones';
/** The methods with a body the twin serves (managedZones.create, resourceRecordSets.create/patch, changes.create). */
const RULES: ApiDefinition['rules'] = [
  {
    rpc: 'managedZones.create',
    verb: 'POST',
    template: ZONES,
    requestType: `${NS}.CreateManagedZoneRequest`,
    body: 'managed_zone',
  },
  {
    rpc: 'resourceRecordSets.create',
    verb: 'POST',
    template: `${ZONES}/{managedZone}/rrsets`,
    requestType: `${NS}.CreateResourceRecordSetRequest`,
    body: 'resource_record_set',
  },
  {
    rpc: 'resourceRecordSets.patch',
    verb: 'PATCH',
    template: `${ZONES}/{managedZone}/rrsets/{name}/{type}`,
    requestType: `${NS}.CreateResourceRecordSetRequest`,
    body: 'resource_record_set',
  },
  {
    rpc: 'changes.create',
    verb: 'POST',
    template: `${ZONES}/{managedZone}/changes`,
    requestType: `${NS}.CreateChangeRequest`,
    body: 'change',
  },
];

export const DNS_DEFINITION: ApiDefinition = {
  schema: {
    messages: Object.fromEntries(Object.entries(MESSAGES).map(([k, fields]) => [`${NS}.${k}`, { fields }])),
    enums: Object.fromEntries(
      Object.entries(ENUMS).map(([k, names]) => [`${NS}.${k}`, Object.fromEntries(names.map((n, i) => [n, i]))]),
    ),
  },
  rules: RULES,
};

export const dnsBodies: BodySource = {
  prefix: '/dns/v1/',
  load: () => DNS_DEFINITION,
  bodyName: (rule) => `entity.${(rule.body ?? '').replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())}`,
};
