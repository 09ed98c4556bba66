import type { GeorouteConfig } from '../config';

/** What observe saw of one region. Times are epoch ms; `null` = never / unknown. */
export interface RegionObservation {
  /** Healthy backends (instances passing the LB health check). */
  backendHealthy: number;
  /** Backends known to the LB (healthy or not). */
  backendTotal: number;
  /** Open Monitoring incidents about this region that count as evidence of failure (plan/evidence.ts). */
  openIncidents: ReadonlyArray<{ id: string; startedAt: number }>;
  /** Open incidents that do not: raised by its start-up, or explained by its overload. */
  discountedIncidents?: ReadonlyArray<{ id: string; startedAt: number; why: 'start-up' | 'overload' }>;
  /** What its load balancers were offered (requests/s) and the 5xx share they answered, if measured. */
  traffic?: { rps: number; errorRatio: number };
  /** When georoute first saw it serve (a healthy backend); null = not yet. */
  servedAt?: number | null;
  /** Offered more than its healthy replicas serve now (its backend note records when that ends). */
  overloaded?: boolean;
  /** When its last overload ended (this observation, if it just did); null = none recorded. */
  overloadEndedAt?: number | null;
  instances: { running: number; booting: number; failed: number };
  /**
   * Every VM is new (being created, or verified by the MIG until its health check passes) and none
   * serves yet, for less than the region's `warmupSec`: a start-up, not an outage.
   */
  warming: boolean;
  /** When the region started warming (kept in its backend note); null when it is not starting up. */
  warmingSince?: number | null;
  /** Recent ZONE_RESOURCE_POOL_EXHAUSTED in all (or most) of the region's zones: it cannot grow. */
  stockout: boolean;
  /** QUOTA_EXCEEDED: it cannot grow either, and retrying does not help. */
  quotaExceeded: boolean;
  /** The backend's capacityScaler on the global backend service now (0 = drained). */
  currentCapacityScaler: number;
  /** The autoscaler's minNumReplicas now. */
  currentMinReplicas: number;
  /** Start of the current healthy streak; `null` = healthy for longer than anyone recorded. */
  lastHealthyTransitionAt: number | null;
  lastScaleOutAt: number | null;
  lastScaleInAt: number | null;
}

/** A capacity request already placed in a region (a scaling schedule named after `requestId`). */
export interface CapacityFloor {
  requestId: string;
  region: string;
  replicas: number;
  /** Epoch ms; absent = until withdrawn. */
  expiresAt?: number;
}

export interface PlannerInput {
  config: GeorouteConfig;
  /** Per configured region; a region absent here could not be observed (its read failed). */
  observed: Readonly<Record<string, RegionObservation>>;
  /** Requests per second per client location; absent = the metric is missing (never "idle"). */
  load: Readonly<Record<string, number | undefined>>;
  floors: readonly CapacityFloor[];
  /** Epoch ms. The planner never reads a clock. */
  now: number;
  current: TrafficPlan | null;
  /**
   * Epoch ms the current weights last moved (were written); absent/`null` = unknown. Weights take at
   * most one churn step per `dns.ttlSec` after it (safety moves excepted).
   */
  weightsMovedAt?: number | null;
}

export type RegionState = 'serving' | 'drained' | 'ramping';

export interface RegionPlan {
  state: RegionState;
  /** 0 (drained) or 0.1..1.0. */
  capacityScaler: number;
  /** Autoscaler minNumReplicas to write this step (after cooldowns). */
  minReplicas: number;
  /** The floor the planner wants once cooldowns allow. */
  targetReplicas: number;
  /** Reason codes that shaped this region's entry, sorted. */
  reasons: string[];
}

export interface LocationPlan {
  /** Region → share of the location's traffic; sums to 1 (in units of 1e-4), zero shares omitted. */
  weights: Record<string, number>;
  /** Set when no region may serve the location: DNS answers with the global anycast address. */
  fallback?: 'anycast';
}

export interface TrafficPlan {
  locations: Record<string, LocationPlan>;
  regions: Record<string, RegionPlan>;
}

export type ReasonCode =
  | 'warming'
  | 'incident-start-up'
  | 'incident-overload'
  | 'fail-open'
  | 'fence-holds'
  | 'drain-unhealthy'
  | 'keep-last-healthy'
  | 'max-drain-fraction'
  | 'awaiting-healthy-window'
  | 'ramp-step'
  | 'ramp-wait'
  | 'ramp-hold'
  | 'region-unobserved'
  | 'scale-out'
  | 'scale-in'
  | 'scale-out-cooldown'
  | 'scale-in-cooldown'
  | 'capacity-request'
  | 'absorb-load'
  | 'max-replicas'
  | 'gpu-budget'
  | 'missing-metric'
  | 'residency-fence'
  | 'stockout-spill'
  | 'quota-exceeded'
  | 'overloaded'
  | 'churn-limit'
  | 'churn-wait'
  | 'unhealthy-weight-removed'
  | 'fallback-anycast';

export interface Reason {
  /** Region or client-location name. */
  subject: string;
  code: ReasonCode;
  message: string;
  /** How loud the decision is logged (default INFO). */
  severity?: 'WARNING' | 'CRITICAL';
}

export interface PlanResult {
  plan: TrafficPlan;
  reasons: Reason[];
}
