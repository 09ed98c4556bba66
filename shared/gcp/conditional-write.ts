/**
 * The one conditional write: read → derive the change from what was read → one write whose
 * precondition is that read (a Compute `fingerprint`, exact Cloud DNS deletions) → on a conflict
 * (412/409: another writer got there first) re-read, derive again and retry. The change is always
 * derived from the latest read, never replayed from a stale one, so nobody's update is lost.
 *
 * - Compute: https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/patch (fingerprint;
 *   a stale one answers 412 conditionNotMet).
 * - Cloud DNS: https://cloud.google.com/dns/docs/reference/rest/v1/changes/create (deletions must match
 *   the current record exactly).
 */
import type { protos } from '@google-cloud/compute';
import { GeorouteError, isRetryable, requestIdFor } from '../core';
import type { GcpClients } from './clients';
import { waitForOperation } from './operations';
import { DEFAULT_POLICIES, isConflict, type RetryPolicy, withRetry } from './retry';

export interface ConditionalWrite<R, C> {
  /** The resource as just read elsewhere (observe): the first attempt derives from it instead of reading. */
  snapshot?: R;
  read(): Promise<R>;
  /** The change to make to `current`; undefined when it already matches. Derived again on every attempt. */
  derive(current: R): C | undefined;
  /** One write of `change`, conditional on `current`; resolves when it is applied. */
  write(current: R, change: C): Promise<void>;
  policy?: RetryPolicy;
  /** Which failures mean "another writer won" (default: 412, 409, ABORTED). */
  isConflict?(err: unknown): boolean;
  onConflict?(attempt: number): void;
}

export interface WriteOutcome<R, C> {
  current: R;
  /** What was written; undefined when nothing differed. */
  change?: C;
  reads: number;
  writes: number;
  /** Conflicts resolved by re-reading. */
  conflicts: number;
}

/**
 * Races lost every time (the resource keeps changing) end in a retryable error: redelivered later,
 * the event will find a quieter resource. Any other failure is thrown as it is.
 */
export async function conditionalWrite<R, C>(spec: ConditionalWrite<R, C>): Promise<WriteOutcome<R, C>> {
  const outcome = { reads: 0, writes: 0, conflicts: 0 } as WriteOutcome<R, C>;
  const conflict = spec.isConflict ?? isConflict;
  return withRetry(
    async (attempt) => {
      if (attempt === 0 && spec.snapshot !== undefined) outcome.current = spec.snapshot;
      else {
        outcome.current = await spec.read();
        outcome.reads++;
      }
      const change = spec.derive(outcome.current);
      outcome.change = change;
      if (change === undefined) return outcome;
      await spec.write(outcome.current, change);
      outcome.writes++;
      return outcome;
    },
    {
      policy: spec.policy ?? DEFAULT_POLICIES.write,
      // A lost race or a busy resource (resourceNotReady, 429, 5xx): read again, derive again, retry.
      retryIf: (err) => conflict(err) || isRetryable(err),
      onRetry: (_err, attempt) => {
        outcome.conflicts++;
        spec.onConflict?.(attempt);
      },
    },
  ).catch((err: unknown) => {
    if (!conflict(err)) throw err;
    throw new GeorouteError(
      'conflict',
      `lost ${outcome.conflicts + 1} races to other writers: ${(err as Error).message}`,
      {
        retryable: true,
        cause: err,
      },
    );
  });
}

type BackendService = protos.google.cloud.compute.v1.IBackendService;

export interface BackendServicePatch {
  /** Fields to merge-patch (arrays such as `backends` are replaced whole: send all of them). */
  patch: BackendService;
  /** Human-readable changes, for logs. */
  changes: string[];
}

/**
 * A fingerprint-conditional `backendServices.patch`. With `idempotencyKey` the write carries a
 * requestId derived from it and the fingerprint read, so a redelivery of the same event racing the
 * first sends the same request, which Compute answers with the first one's operation.
 */
export function patchBackendService(
  gcp: GcpClients,
  project: string,
  backendService: string,
  spec: {
    snapshot?: BackendService;
    derive(current: BackendService): BackendServicePatch | undefined;
    idempotencyKey?: string;
    what: string;
    policy?: RetryPolicy;
    onConflict?(attempt: number): void;
  },
): Promise<WriteOutcome<BackendService, BackendServicePatch>> {
  const client = gcp.compute.backendServices;
  return conditionalWrite<BackendService, BackendServicePatch>({
    snapshot: spec.snapshot,
    read: async () => (await client.get({ project, backendService }))[0],
    derive: spec.derive,
    async write(current, { patch }) {
      const op = await client.patch({
        project,
        backendService,
        ...(spec.idempotencyKey
          ? { requestId: requestIdFor(spec.idempotencyKey, `lb:${backendService}:${current.fingerprint}`) }
          : {}),
        backendServiceResource: { ...patch, fingerprint: current.fingerprint },
      });
      await waitForOperation(gcp, op, { what: spec.what });
    },
    policy: spec.policy ?? gcp.retry.write,
    onConflict: spec.onConflict,
  });
}
