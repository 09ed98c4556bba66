/** A Compute resource as stored: the JSON Google returns for it. */
export interface ComputeResource {
  kind: string;
  id: string;
  name: string;
  selfLink: string;
  creationTimestamp: string;
  fingerprint?: string;
  [field: string]: unknown;
}

/** A Compute operation. Its status is derived from the clock (PENDING → RUNNING → DONE). */
export interface OperationRecord {
  path: string;
  json: Record<string, unknown>;
  insertAt: number;
  runningAt: number;
  doneAt: number;
  /** Set when the operation ends in error: `error.errors[]` and `httpErrorStatusCode` appear at DONE. */
  failure?: { httpStatus: number; errors: Array<{ code: string; message: string }> };
}

/** What a managed instance is doing (`ManagedInstance.currentAction`). */
export type InstanceAction = 'CREATING' | 'RECREATING' | 'VERIFYING' | 'DELETING' | 'NONE';

/** One simulated VM of a managed instance group. */
export interface SimInstance {
  name: string;
  zone: string;
  /** Canonical path of the owning regional MIG. */
  mig: string;
  template: string;
  ip: string;
  id: string;
  action: InstanceAction;
  /** False while no VM exists: every creation attempt so far failed (stockout, quota). */
  provisioned: boolean;
  /** Virtual times of the lifecycle of the current VM (meaningful once provisioned). */
  createdAt: number;
  runningAt: number;
  /** The model server answers health checks from this time (after the GPU driver and the warm-up). */
  servingAt: number;
  /** Health-check probing of the current VM (`sim/health-probes.ts`): next probe, verdict, streaks. */
  probe?: { next: number; verdict: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN'; good: number; bad: number };
  /** Set when the VM was killed (control API) or taken down for autohealing. */
  terminatedAt?: number;
  /** A terminated VM is recreated by its MIG at this time. */
  repairAt?: number;
  /** A failed creation is retried at this time. */
  retryAt?: number;
  /** DELETING: the VM is gone at this time. */
  goneAt?: number;
  /** The last failed attempt (`lastAttempt.errors`); cleared when an attempt succeeds. */
  lastError?: { code: string; message: string };
  /** Forced health (control API); `undefined` = derived from the lifecycle. Survives recreation. */
  healthOverride?: 'HEALTHY' | 'UNHEALTHY';
}

/** A scaling decision of an autoscaler, kept for the scale-in stabilization window. */
export interface AutoscalerSample {
  /** Virtual time from which `size` was the wanted size. */
  at: number;
  size: number;
}

/** An entry of `listErrors`: a failed attempt to create or recreate an instance. */
export interface MigErrorRecord {
  mig: string;
  timestamp: number;
  instance: string;
  zone: string;
  action: string;
  code: string;
  message: string;
}

export interface ComputeState {
  /** Canonical path (`projects/p/global/backendServices/x`) → resource. */
  resources: Record<string, ComputeResource>;
  operations: Record<string, OperationRecord>;
  /** `project/requestId` → operation path: a retried mutation with the same requestId is a no-op. */
  requestIds: Record<string, string>;
  /** `project/instanceName` → instance. */
  instances: Record<string, SimInstance>;
  migErrors: MigErrorRecord[];
  /** Zones out of stock, optionally only for one accelerator type (`nvidia-l4`). */
  stockouts: Array<{ zone: string; acceleratorType?: string }>;
  /** Regional GPU quota (`NVIDIA_L4_GPUS` → limit) per `project/region`. */
  gpuQuota: Record<string, Record<string, number>>;
  /** MIG path → replicas wanted by utilization (control API; fed by the load simulation). */
  demand: Record<string, number>;
  /** Autoscaler path → recent wanted sizes (scale-in stabilization). */
  autoscalerHistory: Record<string, AutoscalerSample[]>;
  /** MIG path → zone → virtual time until which BALANCED/ANY placement avoids the zone after a failure. */
  zoneAvoid: Record<string, Record<string, number>>;
  nextId: number;
}

export function emptyComputeState(): ComputeState {
  return {
    resources: {},
    operations: {},
    requestIds: {},
    instances: {},
    migErrors: [],
    stockouts: [],
    gpuQuota: {},
    demand: {},
    autoscalerHistory: {},
    zoneAvoid: {},
    nextId: 1_000_000,
  };
}
