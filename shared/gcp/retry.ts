/**
 * The one retry policy of georoute's Google calls: which failures are worth another try, how long to
 * wait between tries, and when to stop. Two kinds of retry share it:
 *
 * - **transient** (`isRetryable`: 408, 429, 5xx, transient gRPC codes, no status at all): the same call
 *   again, after a backoff. Reads are always safe to repeat; writes only when they carry a `requestId`
 *   (Compute de-duplicates a repeated one) or are conditional (a fingerprint or exact DNS deletions).
 * - **conflict** (`isConflict`: 412 `conditionNotMet`, 409, gRPC ABORTED): someone else wrote first; the
 *   caller re-reads and derives its write again (see conditional-write.ts), never replays the old one.
 *   A conditional write retries transient failures the same way (re-read, re-derive), so a write that
 *   did land despite its error is found done by the re-read instead of being applied twice.
 *
 * Backoff is exponential with jitter, capped, and bounded by the attempts and an optional deadline
 * (a Cloud Function must give up in time to answer 500 and let Pub/Sub redeliver).
 */
import { httpStatusOf, isRetryable } from '../core';

export interface RetryPolicy {
  /** Tries in all (the first included). */
  attempts: number;
  /** First backoff (ms), doubled each try… */
  baseMs: number;
  /** …up to this. Each wait is that × a random factor in [0.5, 1.5). */
  capMs: number;
  /** Give up once this much time (ms, real) has passed since the first try. */
  deadlineMs?: number;
}

/** Reads and operation waits: a 429 or 500 on one of ~25 reads must not leave a region unobserved. */
export const READ_POLICY: RetryPolicy = { attempts: 5, baseMs: 20, capMs: 1_000 };
/**
 * Writes: a conditional write that lost a race re-reads and re-derives at once (the first waits are
 * short); a busy resource (`resourceNotReady` while its previous operation runs) or a rate limit needs
 * seconds. Bounded well inside a function's deadline (cloudbuild.yaml `_TIMEOUT`, 120 s): a write that
 * still cannot land fails the invocation, and Pub/Sub redelivers the event later.
 */
export const WRITE_POLICY: RetryPolicy = { attempts: 10, baseMs: 25, capMs: 10_000, deadlineMs: 60_000 };

/** Read-modify-write of many concurrent claimants (the answer ledger, IAM policies): more, shorter tries. */
export const CONTENDED_POLICY: RetryPolicy = { attempts: 8, baseMs: 20, capMs: 400 };

/** The policies one set of clients retries with (GcpClients `retry`): Google's defaults unless a test narrows them. */
export interface RetryPolicies {
  read: RetryPolicy;
  write: RetryPolicy;
  contended: RetryPolicy;
}

export const DEFAULT_POLICIES: RetryPolicies = { read: READ_POLICY, write: WRITE_POLICY, contended: CONTENDED_POLICY };

/** 412 `conditionNotMet`, 409 `alreadyExists`/ABORTED: another writer won; re-read and redo. */
export function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown };
  if (typeof e?.code === 'number' && e.code < 100) return e.code === 10; // gRPC ABORTED (IAM etag races)
  const status = httpStatusOf(err);
  return status === 412 || status === 409;
}

export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** attempt) * (0.5 + random());
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Which failures to try again (default: transient ones). */
  retryIf?: (err: unknown) => boolean;
  /** Called before each wait (for a log line or a counter). */
  onRetry?: (err: unknown, attempt: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `call(attempt)` until it succeeds, a failure is not to be retried, or the policy is spent. */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy } = options;
  const retryIf = options.retryIf ?? isRetryable;
  const sleep = options.sleep ?? sleepReal;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      const wait = backoffMs(policy, attempt);
      const spent = attempt + 1 >= policy.attempts;
      const late = policy.deadlineMs !== undefined && Date.now() - started + wait > policy.deadlineMs;
      if (spent || late || !retryIf(err)) throw err;
      options.onRetry?.(err, attempt);
      await sleep(wait);
    }
  }
}
