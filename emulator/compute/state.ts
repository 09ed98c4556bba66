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

/** One simulated VM of a managed instance group. */
export interface SimInstance {
  name: string;
  zone: string;
  /** Canonical path of the owning regional MIG. */
  mig: string;
  template: string;
  ip: string;
  /** Virtual times of the lifecycle. */
  createdAt: number;
  runningAt: number;
  healthyAt: number;
  /** Set when the VM was killed (control API) or is being deleted by the MIG. */
  terminatedAt?: number;
  /** Forced health (control API); `undefined` = derived from the lifecycle. */
  healthOverride?: 'HEALTHY' | 'UNHEALTHY';
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
  /** Instance name → instance. */
  instances: Record<string, SimInstance>;
  migErrors: MigErrorRecord[];
  /** Zones out of stock, optionally only for one accelerator type (`nvidia-l4`). */
  stockouts: Array<{ zone: string; acceleratorType?: string }>;
  /** Regional GPU quota (`NVIDIA_L4_GPUS` → limit) per `project/region`. */
  gpuQuota: Record<string, Record<string, number>>;
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
    nextId: 1_000_000,
  };
}
