/**
 * The one schema of `georoute.yaml`. Types are inferred from it; defaults are applied by it; unknown
 * keys are errors (a typo must not pass silently). Cross-field rules live in `checks.ts` and are
 * attached here, so this object is the whole contract.
 */
import { z } from 'zod';
import { crossCheck } from './checks';
import {
  AlertsSchema,
  AutoscalingSchema,
  DnsHealthCheckSchema,
  InstanceSchema,
  NetworkSchema,
  ServiceAccountsSchema,
  ServingSchema,
} from './infra-schema';
import { isKnownRegion } from './regions';

/** Compute Engine resource name (RFC 1035 label, ≤ 63 chars). */
const RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const GROUP_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const resourceName = () =>
  z.string().regex(RESOURCE_NAME, 'must be a Compute Engine resource name ([a-z][-a-z0-9]*, ≤ 63)');

export const RegionNameSchema = z
  .string()
  .refine(isKnownRegion, { error: (iss) => `unknown Google Cloud region '${String(iss.input)}'` });

const residency = () => z.string().regex(GROUP_NAME, 'must be a lower-case group name such as eu, us or apac');

const AcceleratorSchema = z.strictObject({
  type: z.string().min(1).default('nvidia-l4'),
  count: z.int().min(1).max(16).default(1),
});

const EntrySchema = z.strictObject({
  /** The regional entry point's external IPv4 address, if known up front. */
  ip: z.ipv4().optional(),
  /** Name of the reserved regional address of the entry point (default `<prefix>-entry-<region>`). */
  addressName: resourceName().optional(),
  /**
   * Regional SSL certificates (names or links) of the region's Application Load Balancer: required when
   * `serving.sslCertificates` makes the global one HTTPS (both serve the same port).
   */
  sslCertificates: z.array(z.string().min(1)).max(15).default([]),
});

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const cidr = () => z.string().regex(CIDR, 'must be an IPv4 CIDR range such as 10.100.0.0/20');

/** Address ranges of the region's subnets in the VPC (network section); defaults by region order. */
const SubnetSchema = z.strictObject({
  /** The GPU VMs' subnet. Default 10.(100+i).0.0/20 for the i-th region. */
  cidr: cidr().optional(),
  /**
   * The proxy-only subnet of the regional Application Load Balancer (at least /26, /23 recommended:
   * https://cloud.google.com/load-balancing/docs/proxy-only-subnets). Default 10.(100+i).16.0/23.
   */
  proxyOnlyCidr: cidr().optional(),
});

export const RegionSchema = z
  .strictObject({
    name: RegionNameSchema,
    zones: z.array(z.string()).min(1),
    machineType: z.string().min(1).default('g2-standard-8'),
    accelerator: AcceleratorSchema.prefault({}),
    minReplicas: z.int().min(0).default(1),
    maxReplicas: z.int().min(1),
    /** Requests per second one replica serves at its target utilisation. */
    replicaThroughputRps: z.number().positive(),
    entry: EntrySchema.prefault({}),
    subnet: SubnetSchema.prefault({}),
    /** Residency group (e.g. `eu`); defaults to the region's group in the built-in table. */
    residency: residency().optional(),
    mig: resourceName().optional(),
    autoscaler: resourceName().optional(),
    instanceTemplate: resourceName().optional(),
    /** Regional backend service behind the entry point. */
    backend: resourceName().optional(),
    /**
     * How long a new VM may take to serve: create, boot, GPU driver install, model server image pull,
     * model download and load. Google documents no figure; 20 min is a 15 GB model behind Cloud NAT.
     * While every VM of a region is that new, the region is warming, not unhealthy (docs/PLANNER.md).
     */
    warmupSec: z.int().min(60).max(3600).default(1200),
  })
  .transform((r) => ({
    ...r,
    entry: { ...r.entry, addressName: r.entry.addressName ?? `georoute-entry-${r.name}` },
    mig: r.mig ?? `georoute-mig-${r.name}`,
    autoscaler: r.autoscaler ?? `georoute-as-${r.name}`,
    instanceTemplate: r.instanceTemplate ?? `georoute-tpl-${r.name}`,
    backend: r.backend ?? `georoute-be-${r.name}`,
  }));

/** The i-th region's default subnet ranges: 10.(100+i).0.0/20 for VMs, 10.(100+i).16.0/23 proxy-only. */
export const defaultSubnet = (i: number) => ({ cidr: `10.${100 + i}.0.0/20`, proxyOnlyCidr: `10.${100 + i}.16.0/23` });

export const ClientLocationSchema = z.strictObject({
  /** A Cloud DNS geo location, i.e. a Google Cloud region name. */
  location: RegionNameSchema,
  /** Expected requests per second, used when the live metric is missing. */
  expectedRps: z.number().min(0).optional(),
  /** Residency fence: only regions of this group may serve the location. */
  residency: residency().optional(),
  /**
   * Client countries (as Cloud Monitoring's `client_country` label spells them) whose requests count as
   * this location's demand, besides the location's own country (shared/config/regions.ts countryOf).
   */
  countries: z.array(z.string().min(1).max(64)).max(250).default([]),
});

const LatencySchema = z.strictObject({
  overrides: z
    .array(z.strictObject({ from: RegionNameSchema, to: RegionNameSchema, rttMs: z.number().min(0) }))
    .default([]),
});

const DnsSchema = z.strictObject({
  managedZone: resourceName(),
  recordName: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+$/, "must be a lower-case FQDN ending with '.'"),
  ttlSec: z.int().min(30).max(300).default(30),
  /** DNS name of the managed zone, if the bootstrap creates it (default: the parent domain of recordName). */
  zoneDnsName: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+$/, "must be a lower-case FQDN ending with '.'")
    .optional(),
});

const LoadBalancerSchema = z.strictObject({
  backendService: resourceName().default('georoute-backend'),
  urlMap: resourceName().default('georoute-url-map'),
  targetProxy: resourceName().default('georoute-proxy'),
  forwardingRule: resourceName().default('georoute-forwarding-rule'),
  globalAddress: resourceName().default('georoute-anycast'),
  healthCheck: resourceName().default('georoute-health'),
});

const GuardrailsSchema = z.strictObject({
  maxDrainFraction: z.number().min(0).max(1).default(0.5),
  recoveryRamp: z.array(z.number().min(0.1).max(1)).min(1).default([0.1, 0.5, 1.0]),
  recoveryStepSec: z.int().min(1).default(300),
  scaleOutCooldownSec: z.int().min(0).default(60),
  scaleInCooldownSec: z.int().min(0).default(900),
  minHealthyWindowSec: z.int().min(0).default(120),
  /** Bound on Σ|Δweight| of one location per plan step (safety moves excepted). */
  maxWeightShiftPerStep: z.number().gt(0).max(2).default(0.5),
  /** Fraction of a replica's throughput the planner may plan for (headroom for bursts). */
  targetUtilization: z.number().gt(0).max(1).default(0.8),
  /**
   * When more than this fraction of the regions look unhealthy at once (a monitoring outage, a bad
   * rollout), the evidence is doubted: georoute fails open and holds the last plan (docs/PLANNER.md).
   */
  failOpenFraction: z.number().gt(0).max(1).default(0.5),
});

/**
 * What "served well" means for a client request: answered successfully within `latencyMs`. The
 * simulator scores runs against it (docs/BENCHMARKS.md); `target` is the share the team promises.
 */
const SloSchema = z.strictObject({
  latencyMs: z.number().positive().default(3_000),
  target: z.number().gt(0).max(1).default(0.99),
});

const GpuBudgetSchema = z.strictObject({
  /** Accelerators (replicas × accelerator.count) across all regions. */
  maxTotalAccelerators: z.int().min(1),
  /** Accelerators per region (e.g. the regional quota). */
  perRegionMax: z.record(z.string(), z.int().min(0)).optional(),
});

const topicName = () =>
  z
    .string()
    .regex(/^[A-Za-z][-A-Za-z0-9._~%+]{2,254}$/, 'must be a Pub/Sub topic id (3–255 chars, starting with a letter)');

/** Topic ids (in `project`) the functions listen on and publish to; bootstrap creates them. */
/** An IAM principal as a policy binding names it: `serviceAccount:…`, `user:…`, `group:…`, `domain:…`. */
const iamMember = () =>
  z
    .string()
    .max(320)
    .regex(
      /^(user|serviceAccount|group|domain|principal|principalSet):[^\s]+$/,
      "must be an IAM principal such as 'serviceAccount:name@project.iam.gserviceaccount.com'",
    );

const PubsubSchema = z.strictObject({
  capacityRequests: topicName().default('georoute-capacity-requests'),
  capacityResults: topicName().default('georoute-capacity-results'),
  healthAlerts: topicName().default('georoute-health-alerts'),
  reconcile: topicName().default('georoute-reconcile'),
  /** Bad input (malformed messages) is published here with the reason, then acked. */
  deadLetter: topicName().default('georoute-dead-letter'),
  /**
   * Who may publish to each topic: bootstrap sets each topic's `roles/pubsub.publisher` binding to
   * exactly these principals (plus the functions' own accounts where they publish: results and dead
   * letters). E.g. healthAlerts: the Monitoring notification agent; capacityRequests: the teams asking.
   */
  publishers: z
    .strictObject({
      capacityRequests: z.array(iamMember()).default([]),
      capacityResults: z.array(iamMember()).default([]),
      healthAlerts: z.array(iamMember()).default([]),
      reconcile: z.array(iamMember()).default([]),
      deadLetter: z.array(iamMember()).default([]),
    })
    .prefault({}),
});

export const ConfigSchema = z
  .strictObject({
    project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id'),
    regions: z.array(RegionSchema).min(1).max(100),
    clientLocations: z.array(ClientLocationSchema).min(1),
    latency: LatencySchema.prefault({}),
    dns: DnsSchema,
    loadBalancer: LoadBalancerSchema.prefault({}),
    guardrails: GuardrailsSchema.prefault({}),
    slo: SloSchema.prefault({}),
    gpuBudget: GpuBudgetSchema,
    pubsub: PubsubSchema.prefault({}),
    /**
     * Residency group → the answer its fenced locations may get when none of the group's regions can
     * serve. Absent (the default): the fence holds, and its own regions serve even degraded.
     */
    residencyFallback: z.record(z.string().regex(GROUP_NAME), z.enum(['anycast'])).default({}),
    // Read by the bootstrap only (infra/).
    instance: InstanceSchema.prefault({}),
    network: NetworkSchema.prefault({}),
    autoscaling: AutoscalingSchema.prefault({}),
    serving: ServingSchema.prefault({}),
    dnsHealthCheck: DnsHealthCheckSchema.prefault({}),
    alerts: AlertsSchema.prefault({}),
    serviceAccounts: ServiceAccountsSchema.prefault({}),
  })
  // `when: always` so cross-field errors are reported together with type errors, not after them.
  .check(z.superRefine(crossCheck, { when: () => true }))
  .transform((c) => ({
    ...c,
    regions: c.regions.map((r, i) => ({ ...r, subnet: { ...defaultSubnet(i), ...stripUndefined(r.subnet) } })),
  }));

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type GeorouteConfig = z.infer<typeof ConfigSchema>;
export type GeorouteConfigInput = z.input<typeof ConfigSchema>;
export type RegionConfig = GeorouteConfig['regions'][number];
export type SubnetConfig = RegionConfig['subnet'];
export type ClientLocationConfig = GeorouteConfig['clientLocations'][number];
export type Guardrails = GeorouteConfig['guardrails'];
