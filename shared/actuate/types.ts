import type { Logger } from '../core/logger';
import type { GcpClients } from '../gcp/clients';

/** What an actuator needs: the clients, a logger, and the id of the event that caused this write. */
export interface ActuatorDeps {
  gcp: GcpClients;
  logger: Logger;
  project: string;
}

export interface ActuationContext {
  /** Id of the triggering event (CloudEvent id, or a tick id): derives the Compute requestIds. */
  eventId: string;
  /** How many times to re-read and retry after a precondition race (412 / 409). */
  maxAttempts?: number;
}

/** The outcome of one actuator on one resource. */
export interface ActuationResult {
  resource: string;
  /** True when a write was made (and succeeded). */
  changed: boolean;
  writes: number;
  reads: number;
  /** Precondition races resolved by re-reading. */
  retries: number;
  /** Human-readable field changes, e.g. `us-east4 capacityScaler 1 → 0`. */
  changes: string[];
  /** Why nothing was written, when nothing was. */
  skipped?: string;
}

export const emptyResult = (resource: string): ActuationResult => ({
  resource,
  changed: false,
  writes: 0,
  reads: 0,
  retries: 0,
  changes: [],
});

/** Drops the decoder's private keys (`_name`…) and nulls, so read objects can be compared and written back. */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => plain(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('_') || v === null || v === undefined) continue;
    out[k] = plain(v);
  }
  return out as T;
}

/** Small random pause before retrying a lost race, so two racing reconciles do not collide again. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1_000, 20 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
