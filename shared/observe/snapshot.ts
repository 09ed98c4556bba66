import type { protos } from '@google-cloud/compute';
import type { RrsetJson } from '../gcp';

export type BackendService = protos.google.cloud.compute.v1.IBackendService;
export type Autoscaler = protos.google.cloud.compute.v1.IAutoscaler;
export type ManagedInstance = protos.google.cloud.compute.v1.IManagedInstance;
export type MigError = protos.google.cloud.compute.v1.IInstanceManagedByIgmError;

/** Healthy / all instances the load balancer's health check sees in one backend. */
export interface BackendHealth {
  healthy: number;
  total: number;
}

/** What was read of one region; a field is absent when its read failed (see `errors`). */
export interface RegionSnapshot {
  autoscaler?: Autoscaler;
  instances?: ManagedInstance[];
  migErrors?: MigError[];
  health?: BackendHealth;
  /** The address DNS answers with for the region. */
  entryIp?: string;
}

/** What a region's load balancers were offered (requests/s) and answered with a 5xx, per observe's window. */
export interface RegionTraffic {
  rps: number;
  errorRps: number;
}

export interface ReadError {
  what: string;
  region?: string;
  error: Error;
}

/**
 * Everything one observation read from Google Cloud, exactly as read: no interpretation. The planner's
 * input is derived from it (shared/plan/input.ts); the actuators diff against it and write with its
 * preconditions (fingerprints, exact DNS deletions).
 */
export interface Snapshot {
  /** When it was read (epoch ms; the emulator's virtual clock against the twin). */
  now: number;
  backendService?: BackendService;
  regions: Record<string, RegionSnapshot>;
  /** The geo record and the planner-weights TXT record beside it (shared/state/weights-record.ts). */
  dnsRecord?: RrsetJson;
  dnsWeightsRecord?: RrsetJson;
  /**
   * Requests/s per client country (`client_country`) over the load balancers DNS answers and the global
   * one; undefined when the read failed.
   */
  demand?: Record<string, number>;
  /** Requests/s and 5xx/s per serving region, from the same read (undefined when it failed). */
  regionTraffic?: Record<string, RegionTraffic>;
  /** The global anycast address: DNS's last resort. */
  anycastIp?: string;
  errors: ReadError[];
  reads: number;
}

/** True when a read named `what` failed (e.g. the geo record could not be read). */
export const failed = (snapshot: Snapshot, ...what: string[]): boolean =>
  snapshot.errors.some((e) => what.includes(e.what));
