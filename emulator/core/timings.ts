/** How long simulated things take, in virtual milliseconds (see VirtualClock). */
export interface Timings {
  /** Compute operation: PENDING for this long, then RUNNING… */
  operationPendingMs: number;
  /** …for this long, then DONE. */
  operationRunningMs: number;
  /** A VM goes PROVISIONING → STAGING → RUNNING over this time. */
  vmBootMs: number;
  /** After RUNNING, the model server warms up: health checks pass after this long. */
  vmWarmupMs: number;
  /** Cloud DNS change: `pending` for this long, then `done`. */
  dnsChangeMs: number;
  /** Pub/Sub push: first redelivery backoff after a non-2xx answer… */
  pushMinBackoffMs: number;
  /** …doubling up to this bound. */
  pushMaxBackoffMs: number;
  /** How often (real ms) the simulation advances timers, autoscalers and alert policies. */
  tickRealMs: number;
}

/** Defaults close to what Google shows (ops take seconds, GPU VMs a minute or two to serve). */
export const DEFAULT_TIMINGS: Timings = {
  operationPendingMs: 500,
  operationRunningMs: 1_500,
  vmBootMs: 60_000,
  vmWarmupMs: 30_000,
  dnsChangeMs: 2_000,
  pushMinBackoffMs: 10_000,
  pushMaxBackoffMs: 600_000,
  tickRealMs: 25,
};
