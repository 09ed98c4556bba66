import type { Logger } from '../core';
import type { GcpClients } from '../gcp';

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

/** The actuation result of one conditional write (shared/gcp/conditional-write.ts). */
export function fromOutcome(
  result: ActuationResult,
  outcome: { reads: number; writes: number; conflicts: number; change?: { changes: string[] } },
  unchanged: string,
): ActuationResult {
  result.reads += outcome.reads;
  result.writes = outcome.writes;
  result.retries = outcome.conflicts;
  if (!outcome.change) result.skipped = unchanged;
  else {
    result.changed = true;
    result.changes = outcome.change.changes;
  }
  return result;
}
