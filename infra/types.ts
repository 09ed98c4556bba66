import type { GeorouteConfig } from '../shared/config';
import type { GcpClients } from '../shared/gcp/clients';
import type { IamClient } from '../shared/gcp/iam-rest';

export type Kind =
  | 'network'
  | 'subnetwork'
  | 'firewall'
  | 'router'
  | 'healthCheck'
  | 'regionHealthCheck'
  | 'instanceTemplate'
  | 'regionInstanceGroupManager'
  | 'regionAutoscaler'
  | 'backendService'
  | 'regionBackendService'
  | 'urlMap'
  | 'regionUrlMap'
  | 'targetHttpProxy'
  | 'targetHttpsProxy'
  | 'regionTargetHttpProxy'
  | 'regionTargetHttpsProxy'
  | 'globalAddress'
  | 'address'
  | 'globalForwardingRule'
  | 'forwardingRule'
  | 'dnsManagedZone'
  | 'dnsRecordSet'
  | 'pubsubTopic'
  | 'pubsubTopicIam'
  | 'notificationChannel'
  | 'alertPolicy'
  | 'serviceAccount'
  | 'projectIamBindings';

export type Json = Record<string, unknown>;

/** One resource the bootstrap wants to exist. Pure data, computed from the config. */
export interface Resource {
  kind: Kind;
  name: string;
  /** Region for regional resources; absent = global. */
  region?: string;
  /** `kind/region-or-global/name`: unique, used in dependencies and messages. */
  id: string;
  /** The body to create it with. */
  body: Json;
  /**
   * The fields georoute owns, top-level key → desired value. Only keys inside these values are
   * compared (so `backends[].capacityScaler` or `autoscalingPolicy.minNumReplicas`, which the runtime
   * owns, are left out of the value and never reported or put back).
   */
  owned: Json;
  /** Owned fields the API cannot change in place: drift is reported, not applied. */
  immutable?: string[];
  dependsOn: string[];
  /** Someone else's resource georoute uses (e.g. an existing VPC): read, never created, changed or deleted. */
  external?: boolean;
}

/** A difference in one owned field. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** What an adapter read: the live resource as plain JSON. */
export type Live = Json;

export interface AdapterContext {
  gcp: GcpClients;
  iam: IamClient;
  config: GeorouteConfig;
  project: string;
  /** Progress line (which resource, waiting on which operation). */
  progress(message: string): void;
}

/** Per-kind access through the official clients. */
export interface Adapter {
  read(ctx: AdapterContext, r: Resource): Promise<Live | undefined>;
  create(ctx: AdapterContext, r: Resource): Promise<void>;
  update(ctx: AdapterContext, r: Resource, live: Live, changes: FieldChange[]): Promise<void>;
  remove(ctx: AdapterContext, r: Resource, live: Live): Promise<void>;
  /** Compare `owned` against `live` (default: the generic projection in diff.ts). */
  diff?(r: Resource, live: Live): FieldChange[];
}

export const resourceId = (kind: Kind, name: string, region?: string): string =>
  `${kind}/${region ?? 'global'}/${name}`;
