/**
 * The one place that builds the official Google Cloud clients. Everything else receives them
 * through `GcpClients` (or narrower interfaces built on it), never constructs its own.
 *
 * Start-up cost matters for Cloud Functions cold starts: the package root of
 * `@google-cloud/compute` loads every client of v1, v1small and v1beta (~2.5 s here), so each
 * Compute client is loaded by deep import on first use, and nothing is constructed before then.
 */

import type { AddressesClient } from '@google-cloud/compute/build/src/v1/addresses_client';
import type { BackendServicesClient } from '@google-cloud/compute/build/src/v1/backend_services_client';
import type { FirewallsClient } from '@google-cloud/compute/build/src/v1/firewalls_client';
import type { ForwardingRulesClient } from '@google-cloud/compute/build/src/v1/forwarding_rules_client';
import type { GlobalAddressesClient } from '@google-cloud/compute/build/src/v1/global_addresses_client';
import type { GlobalForwardingRulesClient } from '@google-cloud/compute/build/src/v1/global_forwarding_rules_client';
import type { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import type { HealthChecksClient } from '@google-cloud/compute/build/src/v1/health_checks_client';
import type { InstanceTemplatesClient } from '@google-cloud/compute/build/src/v1/instance_templates_client';
import type { NetworksClient } from '@google-cloud/compute/build/src/v1/networks_client';
import type { RegionAutoscalersClient } from '@google-cloud/compute/build/src/v1/region_autoscalers_client';
import type { RegionBackendServicesClient } from '@google-cloud/compute/build/src/v1/region_backend_services_client';
import type { RegionHealthChecksClient } from '@google-cloud/compute/build/src/v1/region_health_checks_client';
import type { RegionInstanceGroupManagersClient } from '@google-cloud/compute/build/src/v1/region_instance_group_managers_client';
import type { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import type { RegionTargetHttpProxiesClient } from '@google-cloud/compute/build/src/v1/region_target_http_proxies_client';
import type { RegionTargetHttpsProxiesClient } from '@google-cloud/compute/build/src/v1/region_target_https_proxies_client';
import type { RegionUrlMapsClient } from '@google-cloud/compute/build/src/v1/region_url_maps_client';
import type { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import type { SubnetworksClient } from '@google-cloud/compute/build/src/v1/subnetworks_client';
import type { TargetHttpProxiesClient } from '@google-cloud/compute/build/src/v1/target_http_proxies_client';
import type { TargetHttpsProxiesClient } from '@google-cloud/compute/build/src/v1/target_https_proxies_client';
import type { UrlMapsClient } from '@google-cloud/compute/build/src/v1/url_maps_client';
import type { DNS } from '@google-cloud/dns';
import type { AlertPolicyServiceClient } from '@google-cloud/monitoring/build/src/v3/alert_policy_service_client';
import type { MetricServiceClient } from '@google-cloud/monitoring/build/src/v3/metric_service_client';
import type { NotificationChannelServiceClient } from '@google-cloud/monitoring/build/src/v3/notification_channel_service_client';
import type { PubSub } from '@google-cloud/pubsub';
import { bundleGuard, FUNCTION_COMPUTE_METHODS, FUNCTION_MONITORING_METHODS, requireComputeClient } from '../coldstart';
import { DEFAULT_POLICIES, type RetryPolicies } from './retry';

export interface ComputeClients {
  firewalls: FirewallsClient;
  networks: NetworksClient;
  regionTargetHttpProxies: RegionTargetHttpProxiesClient;
  regionTargetHttpsProxies: RegionTargetHttpsProxiesClient;
  regionUrlMaps: RegionUrlMapsClient;
  routers: RoutersClient;
  subnetworks: SubnetworksClient;
  addresses: AddressesClient;
  backendServices: BackendServicesClient;
  forwardingRules: ForwardingRulesClient;
  globalAddresses: GlobalAddressesClient;
  globalForwardingRules: GlobalForwardingRulesClient;
  globalOperations: GlobalOperationsClient;
  healthChecks: HealthChecksClient;
  instanceTemplates: InstanceTemplatesClient;
  regionAutoscalers: RegionAutoscalersClient;
  regionBackendServices: RegionBackendServicesClient;
  regionHealthChecks: RegionHealthChecksClient;
  regionInstanceGroupManagers: RegionInstanceGroupManagersClient;
  regionOperations: RegionOperationsClient;
  targetHttpProxies: TargetHttpProxiesClient;
  targetHttpsProxies: TargetHttpsProxiesClient;
  urlMaps: UrlMapsClient;
}

export interface MonitoringClients {
  alertPolicies: AlertPolicyServiceClient;
  metrics: MetricServiceClient;
  notificationChannels: NotificationChannelServiceClient;
}

type Loaded = Record<string, unknown>;

/**
 * How to load each client class: a literal deep `require` per client (never a computed path), so a
 * bundler (shared/coldstart/bundle-functions.mjs) can see and include exactly these modules.
 */
const COMPUTE_MODULES: Record<keyof ComputeClients, [() => Loaded, string]> = {
  firewalls: [() => require('@google-cloud/compute/build/src/v1/firewalls_client'), 'FirewallsClient'],
  networks: [() => require('@google-cloud/compute/build/src/v1/networks_client'), 'NetworksClient'],
  regionTargetHttpProxies: [
    () => require('@google-cloud/compute/build/src/v1/region_target_http_proxies_client'),
    'RegionTargetHttpProxiesClient',
  ],
  regionTargetHttpsProxies: [
    () => require('@google-cloud/compute/build/src/v1/region_target_https_proxies_client'),
    'RegionTargetHttpsProxiesClient',
  ],
  regionUrlMaps: [() => require('@google-cloud/compute/build/src/v1/region_url_maps_client'), 'RegionUrlMapsClient'],
  routers: [() => require('@google-cloud/compute/build/src/v1/routers_client'), 'RoutersClient'],
  subnetworks: [() => require('@google-cloud/compute/build/src/v1/subnetworks_client'), 'SubnetworksClient'],
  addresses: [() => require('@google-cloud/compute/build/src/v1/addresses_client'), 'AddressesClient'],
  backendServices: [
    () => require('@google-cloud/compute/build/src/v1/backend_services_client'),
    'BackendServicesClient',
  ],
  forwardingRules: [
    () => require('@google-cloud/compute/build/src/v1/forwarding_rules_client'),
    'ForwardingRulesClient',
  ],
  globalAddresses: [
    () => require('@google-cloud/compute/build/src/v1/global_addresses_client'),
    'GlobalAddressesClient',
  ],
  globalForwardingRules: [
    () => require('@google-cloud/compute/build/src/v1/global_forwarding_rules_client'),
    'GlobalForwardingRulesClient',
  ],
  globalOperations: [
    () => require('@google-cloud/compute/build/src/v1/global_operations_client'),
    'GlobalOperationsClient',
  ],
  healthChecks: [() => require('@google-cloud/compute/build/src/v1/health_checks_client'), 'HealthChecksClient'],
  instanceTemplates: [
    () => require('@google-cloud/compute/build/src/v1/instance_templates_client'),
    'InstanceTemplatesClient',
  ],
  regionAutoscalers: [
    () => require('@google-cloud/compute/build/src/v1/region_autoscalers_client'),
    'RegionAutoscalersClient',
  ],
  regionBackendServices: [
    () => require('@google-cloud/compute/build/src/v1/region_backend_services_client'),
    'RegionBackendServicesClient',
  ],
  regionHealthChecks: [
    () => require('@google-cloud/compute/build/src/v1/region_health_checks_client'),
    'RegionHealthChecksClient',
  ],
  regionInstanceGroupManagers: [
    () => require('@google-cloud/compute/build/src/v1/region_instance_group_managers_client'),
    'RegionInstanceGroupManagersClient',
  ],
  regionOperations: [
    () => require('@google-cloud/compute/build/src/v1/region_operations_client'),
    'RegionOperationsClient',
  ],
  targetHttpProxies: [
    () => require('@google-cloud/compute/build/src/v1/target_http_proxies_client'),
    'TargetHttpProxiesClient',
  ],
  targetHttpsProxies: [
    () => require('@google-cloud/compute/build/src/v1/target_https_proxies_client'),
    'TargetHttpsProxiesClient',
  ],
  urlMaps: [() => require('@google-cloud/compute/build/src/v1/url_maps_client'), 'UrlMapsClient'],
};

const MONITORING_MODULES: Record<keyof MonitoringClients, [() => Loaded, string]> = {
  alertPolicies: [
    () => require('@google-cloud/monitoring/build/src/v3/alert_policy_service_client'),
    'AlertPolicyServiceClient',
  ],
  metrics: [() => require('@google-cloud/monitoring/build/src/v3/metric_service_client'), 'MetricServiceClient'],
  notificationChannels: [
    () => require('@google-cloud/monitoring/build/src/v3/notification_channel_service_client'),
    'NotificationChannelServiceClient',
  ],
};

export interface GcpEndpoints {
  projectId: string;
  /** `http://127.0.0.1:PORT` of the local twin's REST server (Compute, DNS, Monitoring). */
  emulator?: string;
  /** `127.0.0.1:PORT` of a Pub/Sub emulator (the local twin's gRPC server). */
  pubsubHost?: string;
}

/** Reads the standard variables: `GEOROUTE_EMULATOR`, `PUBSUB_EMULATOR_HOST`, `GOOGLE_CLOUD_PROJECT`. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env, projectId?: string): GcpEndpoints {
  const project = projectId ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT ?? env.GCP_PROJECT;
  if (!project) throw new Error('no project id: set GOOGLE_CLOUD_PROJECT or pass it in the config');
  return {
    projectId: project,
    emulator: env.GEOROUTE_EMULATOR || undefined,
    pubsubHost: env.PUBSUB_EMULATOR_HOST || undefined,
  };
}

/**
 * Lazily built clients. Each getter loads and constructs its client on first use only, so a
 * function that only needs the backend service never pays for the DNS or Monitoring libraries.
 */
export class GcpClients {
  private readonly cache = new Map<string, unknown>();
  /** How every call through these clients retries (shared/gcp/retry.ts). */
  readonly retry: RetryPolicies;

  constructor(
    readonly endpoints: GcpEndpoints,
    options: { retry?: Partial<RetryPolicies> } = {},
  ) {
    this.retry = { ...DEFAULT_POLICIES, ...options.retry };
  }

  get projectId(): string {
    return this.endpoints.projectId;
  }

  /** `clients.compute.backendServices`, loaded on first access. */
  readonly compute: ComputeClients = new Proxy({} as ComputeClients, {
    get: (_target, prop) => {
      const entry = COMPUTE_MODULES[prop as keyof ComputeClients];
      if (!entry) return undefined;
      return this.once(`compute.${String(prop)}`, () => {
        // Deep import of the one client, with the protos trimmed to georoute's services (shared/coldstart).
        const mod = requireComputeClient(entry[0]);
        const client = new (mod[entry[1]] as new (o: object) => unknown)(this.gaxOptions());
        return bundleGuard(client, entry[1], FUNCTION_COMPUTE_METHODS);
      });
    },
  });

  readonly monitoring: MonitoringClients = new Proxy({} as MonitoringClients, {
    get: (_target, prop) => {
      const entry = MONITORING_MODULES[prop as keyof MonitoringClients];
      if (!entry) return undefined;
      return this.once(`monitoring.${String(prop)}`, () => {
        const mod = entry[0]();
        // REST (`fallback`), in Google Cloud as against the twin: the path the tests and benchmarks
        // run is the one deployed, and a function that only reads a metric never loads gRPC.
        const options = { ...this.gaxOptions(), fallback: true };
        const client = new (mod[entry[1]] as new (o: object) => unknown)(options);
        return bundleGuard(client, entry[1], FUNCTION_MONITORING_METHODS);
      });
    },
  });

  get dns(): DNS {
    return this.once('dns', () => {
      const { DNS: DnsClass } = require('@google-cloud/dns') as typeof import('@google-cloud/dns');
      const emulator = this.endpoints.emulator;
      if (!emulator) return new DnsClass({ projectId: this.projectId });
      const dns = new DnsClass({ projectId: this.projectId, authClient: passThroughAuth() as never });
      // The library hard-codes https:// from apiEndpoint, but reads the public baseUrl on every request.
      dns.baseUrl = `${emulator.replace(/\/$/, '')}/dns/v1`;
      // Its retry loop (4× over ~15 s on 5xx) would hide faults from georoute's own retry policy.
      dns.interceptors.push({ request: (reqOpts) => Object.assign(reqOpts, { maxRetries: 0 }) as never });
      return dns;
    });
  }

  get pubsub(): PubSub {
    return this.once('pubsub', () => {
      const { PubSub: PubSubClass } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
      const host = this.endpoints.pubsubHost;
      if (!host) return new PubSubClass({ projectId: this.projectId });
      return new PubSubClass({
        projectId: this.projectId,
        apiEndpoint: host,
        emulatorMode: true,
        authClient: passThroughAuth() as never,
      });
    });
  }

  /** Closes every client built so far (gRPC channels keep the process alive otherwise). */
  async close(): Promise<void> {
    const closing: Array<Promise<unknown>> = [];
    for (const client of this.cache.values()) {
      const c = client as { close?: () => Promise<unknown> | undefined };
      if (typeof c.close === 'function') closing.push(Promise.resolve(c.close()).catch(() => undefined));
    }
    this.cache.clear();
    await Promise.all(closing);
  }

  private once<T>(key: string, build: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key) as T;
  }

  /** google-gax options: the emulator over plain HTTP, no Google credentials. */
  private gaxOptions(): Record<string, unknown> {
    const emulator = this.endpoints.emulator;
    if (!emulator) return {};
    const url = new URL(emulator);
    return {
      apiEndpoint: url.hostname,
      port: Number(url.port || 80),
      protocol: url.protocol.replace(':', ''),
      authClient: passThroughAuth(),
    };
  }
}

/** An auth client that sends no credentials (the twin needs none) and never probes the metadata server. */
function passThroughAuth(): unknown {
  const { googleAuthLibrary } = require('google-gax') as typeof import('google-gax');
  return new googleAuthLibrary.PassThroughClient();
}
