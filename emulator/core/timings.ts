/**
 * How long things take in the twin, in virtual milliseconds (see VirtualClock). The defaults are
 * Google's: a documented figure where Google gives one (URL beside it), otherwise a figure chosen
 * and marked "no Google figure" with the reason. A kinder clock would let tests pass that fail on
 * Google, so tests that are not about time opt into a faster set (test/helpers/twin.ts presets).
 * The table in docs/EMULATOR.md ("Time") lists every default with its source.
 */
export interface Timings {
  // ---- Compute Engine ---------------------------------------------------------------------------
  /** An operation is PENDING for this long, then RUNNING. No Google figure. */
  operationPendingMs: number;
  /** …then RUNNING for this long (resource collections without an entry in `operationRunningByKind`). */
  operationRunningMs: number;
  /** RUNNING time per collection of the operation's target (`backendServices`, global or regional). */
  operationRunningByKind: Record<string, number>;
  /** A created VM goes PROVISIONING → STAGING → RUNNING over this time. */
  vmBootMs: number;
  /** A VM with GPUs installs its NVIDIA driver after RUNNING, for this long, before the server starts. */
  gpuDriverMs: number;
  /** The model server downloads and loads its model, then answers health checks, after this long. */
  vmWarmupMs: number;

  // ---- Cloud Monitoring --------------------------------------------------------------------------
  /**
   * Google samples its own metrics this often: the cadence at which whatever plays Google's metrics
   * (the world simulation) should write them. Nothing in the twin reads it yet.
   */
  metricSamplePeriodMs: number;
  /**
   * How long after its end time a point becomes visible (timeSeries.list, alert evaluation), per
   * metric type; `google` for Google metrics not listed, `user` for user-defined metrics (counted
   * from the write). Overrides merge with the defaults, key by key.
   */
  metricVisibilityMs: Record<string, number>;
  /** Alert policies are evaluated this often. */
  alertEvaluationMs: number;
  /** An incident is published to its notification channels this long after it opens or closes. */
  alertNotificationMs: number;

  // ---- Cloud DNS ---------------------------------------------------------------------------------
  /** A change stays `pending` this long, then `done`. */
  dnsChangeMs: number;
  /** After `done`, the authoritative name servers serve the change this much later. */
  dnsServeLagMs: number;

  // ---- Pub/Sub and Eventarc push -----------------------------------------------------------------
  /** A message reaches a push endpoint this long after it became deliverable. */
  pushLatencyMs: number;
  /** Push redelivery backoff after a nack without a retry policy: from this… */
  pushMinBackoffMs: number;
  /** …doubling up to this. */
  pushMaxBackoffMs: number;
  /** The first push to an endpoint idle for `coldStartIdleMs` waits this much longer (a cold start). */
  coldStartMs: number;
  /** An endpoint that got no push for this long has scaled to zero. */
  coldStartIdleMs: number;

  // ---- the twin itself ---------------------------------------------------------------------------
  /** How often (real ms) the simulation advances timers, autoscalers and alert policies. */
  tickRealMs: number;
}

const S = 1_000;
const MIN = 60 * S;

/** The keys of `metricVisibilityMs` that are not metric types. */
export const GOOGLE_METRICS = 'google';
export const USER_METRICS = 'user';

/**
 * Visibility per metric type. Google's metric list says, per metric, "Sampled every 60 seconds.
 * After sampling, data is not visible for up to N seconds" (https://cloud.google.com/monitoring/api/metrics_gcp);
 * the twin uses the upper bound N, the slowest Google promises.
 */
const METRIC_VISIBILITY: Record<string, number> = {
  // Global external Application Load Balancer (https_lb_rule): "up to 210 seconds".
  'loadbalancing.googleapis.com/https/request_count': 210 * S,
  'loadbalancing.googleapis.com/https/backend_request_count': 210 * S,
  'loadbalancing.googleapis.com/https/backend_latencies': 210 * S,
  'loadbalancing.googleapis.com/https/total_latencies': 210 * S,
  'loadbalancing.googleapis.com/https/frontend_tcp_rtt': 210 * S,
  // Regional external Application Load Balancer (http_external_regional_lb_rule): 90 s, backend_latencies 210 s.
  'loadbalancing.googleapis.com/https/external/regional/request_count': 90 * S,
  'loadbalancing.googleapis.com/https/external/regional/backend_request_count': 90 * S,
  'loadbalancing.googleapis.com/https/external/regional/total_latencies': 90 * S,
  'loadbalancing.googleapis.com/https/external/regional/backend_latencies': 210 * S,
  // Google metrics not listed here: the example figure of
  // https://cloud.google.com/monitoring/api/v3/latency-n-retention ("not visible for up to 240 seconds").
  [GOOGLE_METRICS]: 240 * S,
  // User-defined metrics (custom.googleapis.com/…, counted from the write): "you can retrieve the data
  // in a few seconds" (https://cloud.google.com/monitoring/api/v3/latency-n-retention). 5 s chosen.
  // Agent metrics (agent.googleapis.com/…) have no figure in what could be read: `google` applies.
  [USER_METRICS]: 5 * S,
};

/**
 * Compute operation RUNNING times per target collection. No Google figure (the API reference only
 * says "operations can take some time to complete",
 * https://cloud.google.com/compute/docs/instances/viewing-compute-operations): chosen from what
 * `gcloud` waits for in practice, longer for global load-balancing resources, whose configuration
 * is pushed to every Google Front End.
 */
const OPERATION_RUNNING: Record<string, number> = {
  healthChecks: 5 * S,
  instanceTemplates: 5 * S,
  addresses: 5 * S,
  instanceGroupManagers: 10 * S,
  autoscalers: 10 * S,
  backendServices: 15 * S,
  urlMaps: 15 * S,
  targetHttpProxies: 10 * S,
  targetHttpsProxies: 10 * S,
  forwardingRules: 20 * S,
};

/** Google's clock (see each field's doc above and docs/EMULATOR.md "Time"). */
export const DEFAULT_TIMINGS: Timings = {
  // No Google figure: a mutation is accepted and queued within a second.
  operationPendingMs: 1 * S,
  // No Google figure: resources without their own entry, e.g. instance group resizes.
  operationRunningMs: 5 * S,
  operationRunningByKind: OPERATION_RUNNING,
  // No Google figure (a Google sample README says only "Deployment time of VMs with guest accelerators
  // can be longer than a simple VM"): 150 s chosen for a GPU VM to be placed, created and booted.
  vmBootMs: 150 * S,
  // No Google figure: Google's installer downloads the driver and reboots
  // (https://github.com/GoogleCloudPlatform/compute-gpu-installation); COS runs `cos-extensions install gpu`
  // on every boot (https://cloud.google.com/container-optimized-os/docs/how-to/run-gpus). 3 min chosen.
  gpuDriverMs: 3 * MIN,
  // No Google figure: the application's own start. 10 min chosen for downloading and loading a
  // model of tens of GB, the reason Google says to time your startup for coolDownPeriodSec
  // (https://cloud.google.com/compute/docs/autoscaler#cool_down_period).
  vmWarmupMs: 10 * MIN,

  // "Sampled every 60 seconds" (https://cloud.google.com/monitoring/api/metrics_gcp).
  metricSamplePeriodMs: 60 * S,
  metricVisibilityMs: METRIC_VISIBILITY,
  // No Google figure: conditions cannot see finer than the 60 s minimum alignment period
  // (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies), so once a minute.
  alertEvaluationMs: 60 * S,
  // No Google figure (https://cloud.google.com/monitoring/alerts/concepts-indepth names "notification
  // delays" without numbers): 30 s chosen, so that metric latency + evaluation + notification is the
  // few minutes users report from fault to Pub/Sub message.
  alertNotificationMs: 30 * S,

  // No Google figure: Change.status is `pending` until "the request to update the authoritative
  // servers has been sent" (https://cloud.google.com/dns/docs/reference/rest/v1/changes). 20 s chosen.
  dnsChangeMs: 20 * S,
  // No Google figure: "done" means the update was sent, "but the servers might not be updated yet"
  // (same page). 30 s chosen.
  dnsServeLagMs: 30 * S,

  // No Google figure for end-to-end push latency: 100 ms chosen.
  pushLatencyMs: 100,
  // "The default delay starts at a minimum of 10 seconds and increases with each subsequent failure,
  // up to a maximum of 600 seconds" (https://cloud.google.com/eventarc/docs/retry-events).
  pushMinBackoffMs: 10 * S,
  pushMaxBackoffMs: 600 * S,
  // No Google figure for a cold start: 5 s chosen for a Node.js function loading its dependencies.
  coldStartMs: 5 * S,
  // No Google figure: functions "keep function instances idle for an unspecified amount of time after
  // handling a request" (https://cloud.google.com/functions/docs/configuring/min-instances). 15 min chosen.
  coldStartIdleMs: 15 * MIN,

  tickRealMs: 25,
};

/**
 * Not Google's: a near-instant cloud for runs that are not about time (tests of georoute's logic,
 * the benchmark). Operations in 3 ms, DNS changes served in 0.1 s, metrics readable and
 * notifications sent at once, no push latency or cold start, no GPU driver install; VMs still boot
 * (60 s) and warm up (30 s) on the virtual clock.
 */
export const FAST_TIMINGS = {
  operationPendingMs: 1,
  operationRunningMs: 2,
  vmBootMs: 60 * S,
  gpuDriverMs: 0,
  vmWarmupMs: 30 * S,
  metricVisibilityMs: allMetricVisibility(0),
  alertEvaluationMs: 30 * S,
  alertNotificationMs: 0,
  dnsChangeMs: 100,
  dnsServeLagMs: 0,
  pushLatencyMs: 0,
  coldStartMs: 0,
} satisfies Partial<Timings>;

/**
 * Defaults overlaid with `overrides`; the per-key tables merge key by key. `operationRunningMs`
 * given without `operationRunningByKind` sets every kind (one duration for all operations).
 */
export function resolveTimings(overrides: Partial<Timings> = {}): Timings {
  const byKind =
    overrides.operationRunningMs !== undefined && overrides.operationRunningByKind === undefined
      ? {}
      : { ...DEFAULT_TIMINGS.operationRunningByKind, ...overrides.operationRunningByKind };
  return {
    ...DEFAULT_TIMINGS,
    ...overrides,
    operationRunningByKind: byKind,
    metricVisibilityMs: { ...DEFAULT_TIMINGS.metricVisibilityMs, ...overrides.metricVisibilityMs },
  };
}

/** Every metric visibility set to `ms` (for tests that are not about ingestion latency). */
export function allMetricVisibility(ms: number): Record<string, number> {
  return Object.fromEntries(Object.keys(METRIC_VISIBILITY).map((k) => [k, ms]));
}

/** When a point of `metricType` ending at `endMs` (written at `writtenMs`) becomes visible. */
export function visibleAt(
  timings: Timings,
  metricType: string,
  endMs: number,
  writtenMs: number,
  user: boolean,
): number {
  const table = timings.metricVisibilityMs;
  if (user) return writtenMs + (table[metricType] ?? table[USER_METRICS] ?? 0);
  return endMs + (table[metricType] ?? table[GOOGLE_METRICS] ?? 0);
}
