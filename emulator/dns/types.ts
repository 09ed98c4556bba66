/** Cloud DNS v1 wire types (the subset the emulator stores and serves). Plain JSON. */

export interface LoadBalancerTarget {
  ipAddress?: string;
  port?: string;
  ipProtocol?: string;
  loadBalancerType?: string;
  networkUrl?: string;
  project?: string;
  region?: string;
  [extra: string]: unknown;
}

export interface HealthCheckTargets {
  internalLoadBalancers?: LoadBalancerTarget[];
  externalEndpoints?: string[];
}

export interface GeoItem {
  location: string;
  rrdatas?: string[];
  signatureRrdatas?: string[];
  healthCheckedTargets?: HealthCheckTargets;
  kind?: string;
}

export interface GeoPolicy {
  items: GeoItem[];
  enableFencing?: boolean;
  kind?: string;
}

export interface WrrItem {
  weight: number;
  rrdatas?: string[];
  signatureRrdatas?: string[];
  healthCheckedTargets?: HealthCheckTargets;
  kind?: string;
}

export interface RoutingPolicy {
  geo?: GeoPolicy;
  wrr?: { items: WrrItem[]; kind?: string };
  primaryBackup?: {
    primaryTargets: HealthCheckTargets;
    backupGeoTargets: GeoPolicy;
    trickleTraffic?: number;
    kind?: string;
  };
  healthCheck?: string;
  kind?: string;
}

export interface RRSet {
  kind: 'dns#resourceRecordSet';
  name: string;
  type: string;
  ttl: number;
  rrdatas?: string[];
  signatureRrdatas?: string[];
  routingPolicy?: RoutingPolicy;
}

export interface ManagedZone {
  kind: 'dns#managedZone';
  name: string;
  dnsName: string;
  description: string;
  id: string;
  nameServers: string[];
  creationTime: string;
  visibility: string;
  labels?: Record<string, string>;
  dnssecConfig?: Record<string, unknown>;
  cloudLoggingConfig?: Record<string, unknown>;
}

export interface Change {
  kind: 'dns#change';
  additions: RRSet[];
  deletions: RRSet[];
  startTime: string;
  id: string;
  status: 'pending' | 'done';
}

export interface ZoneState {
  zone: ManagedZone;
  /** What the API shows: changes are visible here as soon as they are accepted. */
  rrsets: RRSet[];
  /** What the name servers answer: changes reach it `timings.dnsServeLagMs` after they are `done`. */
  served: RRSet[];
  changes: Change[];
  /** Virtual time at which each pending change (by id) becomes `done`. */
  doneAt: Record<string, number>;
  /** Virtual time at which each change (by id) not yet served reaches the name servers. */
  serveAt?: Record<string, number>;
}

export interface DnsState {
  /** project → zone name → zone. */
  projects: Record<string, Record<string, ZoneState>>;
  /** Health of probed external endpoints, by `<health check path> <ip>` (emulator/dns/health.ts). */
  health?: Record<string, EndpointHealth>;
}

/** One external endpoint as Cloud DNS's health checking sees it. */
export interface EndpointHealth {
  project: string;
  /** Canonical path of the health check probing it. */
  healthCheck: string;
  ip: string;
  /** Answered by the name servers. */
  healthy: boolean;
  /** Passed / failed probes in a row. */
  successes: number;
  failures: number;
  /** Virtual time of the last state change (or of the first sight). */
  since: number;
  lastProbeAt?: number;
  lastResult?: boolean;
  /** Why the last probe passed or failed (e.g. `503: no healthy backend`). */
  lastDetail?: string;
  nextProbeAt: number;
}
