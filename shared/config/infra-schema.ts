/**
 * Config sections only the bootstrap (`georoute bootstrap`, infra/) reads: how the VMs boot, how the
 * load balancer serves, DNS health checking, alert thresholds and the functions' service accounts.
 * All optional, with defaults.
 */
import { z } from 'zod';
import { isKnownRegion } from './regions';

const RegionNameSchema = z
  .string()
  .refine(isKnownRegion, { error: (iss) => `unknown Google Cloud region '${String(iss.input)}'` });

const resourceName = () =>
  z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a Compute Engine resource name ([a-z][-a-z0-9]*, ≤ 63)');

const accountId = () =>
  z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a service account id (6–30 chars, [a-z][-a-z0-9]*)');

export const InstanceSchema = z.strictObject({
  /**
   * Boot image (an image or image family link) of the GPU VMs. Default: Container-Optimized OS, whose
   * `cos-extensions install gpu` installs the NVIDIA driver at boot (run it in `startupScript`):
   * https://cloud.google.com/container-optimized-os/docs/how-to/run-gpus. Deep Learning VM images
   * cannot boot G2 machines (shared/config/gpu-catalog.ts).
   */
  bootImage: z.string().min(1).default('projects/cos-cloud/global/images/family/cos-stable'),
  bootDiskSizeGb: z.int().min(10).max(65_536).default(100),
  /** Unset means pd-standard, which G2 refuses: georoute always sets it (checked against the machine series). */
  bootDiskType: z
    .enum(['pd-balanced', 'pd-ssd', 'pd-standard', 'hyperdisk-ml', 'hyperdisk-throughput'])
    .default('pd-balanced'),
  /** `startup-script` metadata: installs the GPU driver, starts the model server and its metrics agent. */
  startupScript: z.string().optional(),
  /** Port the model server listens on (named port `http`) and the health checks probe. */
  port: z.int().min(1).max(65_535).default(8080),
  healthCheckPath: z.string().startsWith('/').default('/health'),
  /** MIG `distributionPolicy.targetShape`; BALANCED or ANY suit GPUs (stockouts are per zone). */
  targetShape: z.enum(['BALANCED', 'ANY', 'EVEN', 'ANY_SINGLE_ZONE']).default('BALANCED'),
  /** Autohealing waits this long after a VM starts: driver install, image pull and model load take minutes. */
  autohealingInitialDelaySec: z.int().min(0).max(3600).default(900),
  /** Autoscaler initialization period: a GPU VM takes minutes to boot, install its driver and load the model. */
  coolDownPeriodSec: z.int().min(15).max(3600).default(900),
});

/**
 * The VPC the GPU VMs live in. georoute creates it (custom mode) unless `create: false` names an
 * existing one; either way it adds, per region, a VM subnet (Private Google Access on: the VMs have no
 * external IP), the proxy-only subnet the regional Application Load Balancer needs, a Cloud Router with
 * Cloud NAT for egress (driver and model downloads), and the firewall rules the load balancers need.
 */
export const NetworkSchema = z.strictObject({
  name: resourceName().default('georoute-vpc'),
  create: z.boolean().default(true),
});

/**
 * How the MIGs autoscale. The MIG is a backend of two load balancers (the global one and its region's
 * regional one), where Google advises against load-balancing-utilization autoscaling and allows "a
 * Cloud Monitoring Metric that is unrelated to the load balancer's serving capacity"
 * (https://cloud.google.com/load-balancing/docs/backend-service). So: a per-VM gauge
 * (https://cloud.google.com/compute/docs/autoscaler/scaling-cloud-monitoring-metrics), by default the
 * model server's in-flight requests, written by the VM's metrics agent (see examples/georoute.yaml).
 */
export const AutoscalingSchema = z.strictObject({
  metric: z
    .string()
    .regex(/^[a-z0-9.]+\.(googleapis\.com)\/[A-Za-z0-9_/.:-]+$/, 'must be a Cloud Monitoring metric type')
    .default('custom.googleapis.com/georoute/inflight_requests'),
  /** The value per VM the autoscaler keeps the metric's average at. */
  targetPerReplica: z.number().positive().default(8),
  utilizationTargetType: z.enum(['GAUGE', 'DELTA_PER_SECOND', 'DELTA_PER_MINUTE']).default('GAUGE'),
});

export const ServingSchema = z.strictObject({
  /** Global backend service balancing mode; RATE uses each region's replicaThroughputRps as maxRatePerInstance. */
  balancingMode: z.enum(['RATE', 'UTILIZATION']).default('RATE'),
  /** Backend service timeout: long enough for streamed LLM responses (Google's default 30 s cuts them). */
  timeoutSec: z.int().min(1).max(86_400).default(600),
  /** Connection draining: at least the p99 generation time. */
  drainingTimeoutSec: z.int().min(0).max(3600).default(300),
  /** SSL certificate names or links; when set the proxy is a target HTTPS proxy on port 443. */
  sslCertificates: z.array(z.string().min(1)).max(15).default([]),
});

/**
 * The global health check Cloud DNS probes health-checked records with. Only the native baseline
 * (bootstrap profile `native`) uses it; georoute's own geo record is not health-checked
 * (docs/ARCHITECTURE.md, "Cloud DNS health checks: not under georoute").
 */
export const DnsHealthCheckSchema = z.strictObject({
  name: resourceName().default('georoute-dns-health'),
  sourceRegions: z
    .array(RegionNameSchema)
    .length(3)
    .refine((r) => new Set(r).size === 3, 'must be 3 distinct regions')
    .default(['us-central1', 'europe-west1', 'asia-southeast1']),
  checkIntervalSec: z.int().min(30).max(300).default(30),
});

export const AlertsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Display name of the `pubsub` notification channel (to the healthAlerts topic). */
  channelName: z.string().min(1).max(512).default('georoute health alerts'),
  /** 5xx share of backend responses above which a region is "unhealthy" (short window). */
  unhealthyErrorRatio: z.number().gt(0).max(1).default(0.5),
  /** 5xx share above which the error-ratio alert opens (over `windowSec`). */
  errorRatio: z.number().gt(0).max(1).default(0.05),
  /** p99 backend latency, ms. */
  latencyP99Ms: z.number().positive().default(60_000),
  windowSec: z
    .int()
    .min(60)
    .max(86_400)
    .refine((s) => s % 60 === 0, 'must be a multiple of 60')
    .default(300),
});

export const ServiceAccountsSchema = z.strictObject({
  /** The GPU VMs' identity: writes their metrics and logs, nothing else. */
  vm: accountId().default('georoute-vm'),
  capacityRequest: accountId().default('georoute-fn-capacity'),
  healthAlert: accountId().default('georoute-fn-health'),
  reconcile: accountId().default('georoute-fn-reconcile'),
});
