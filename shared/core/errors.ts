/**
 * Errors carry `retryable`: a Cloud Function throws (HTTP 500 → Pub/Sub/Eventarc redelivers) only for
 * retryable faults; for anything retrying cannot fix it logs, dead-letters and returns (ack).
 * Same idea as controller-runtime's TerminalError.
 */
export class GeorouteError extends Error {
  readonly retryable: boolean;
  readonly code: string;

  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}

/** Bad input: a malformed message or config. Never retried. */
export class InvalidInputError extends GeorouteError {
  readonly issues: string[];
  constructor(message: string, issues: string[] = []) {
    super('invalid-input', message, { retryable: false });
    this.issues = issues;
  }
}

/** A Google API error, classified from its HTTP status / gRPC code. */
export class ApiCallError extends GeorouteError {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(
    operation: string,
    status: number | undefined,
    reason: string | undefined,
    message: string,
    cause?: unknown,
  ) {
    super('api-error', `${operation}: ${message}`, {
      retryable: isRetryableStatus(status) || isTransientReason(reason),
      cause,
    });
    this.status = status;
    this.reason = reason;
  }
}

/** 408, 429 and 5xx are transient; 409/412 races are retried by the caller re-reading, not by redelivery. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * Google error reasons that mean "busy, try again" whatever their status:
 * - `resourceNotReady` (400): the resource is still settling from a previous operation (seen by
 *   https://github.com/hashicorp/terraform-provider-google/issues/13033, which retries it);
 * - `rateLimitExceeded` / `userRateLimitExceeded` (403) and `CONCURRENT_OPERATIONS_QUOTA_EXCEEDED`: Compute's
 *   API rate and operation quotas refill within a minute (https://cloud.google.com/compute/api-quota,
 *   https://cloud.google.com/compute/operations-quota).
 */
const TRANSIENT_REASONS = new Set([
  'resourceNotReady',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED',
]);

export function isTransientReason(reason: string | undefined): boolean {
  return reason !== undefined && TRANSIENT_REASONS.has(reason);
}

/** gRPC status codes that mean "try again later" (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNKNOWN). */
const RETRYABLE_GRPC = new Set([2, 4, 8, 10, 13, 14]);

/** The HTTP status of an error thrown by a Google client (REST: `code` is HTTP; gRPC: `code` is gRPC). */
export function httpStatusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown; response?: { status?: number } };
  if (typeof e?.code === 'number' && e.code >= 100) return e.code;
  if (typeof e?.response?.status === 'number') return e.response.status;
  if (typeof e?.code === 'number') return grpcToHttp(e.code);
  if (typeof e?.status === 'number' && e.status >= 100) return e.status;
  return undefined;
}

function grpcToHttp(code: number): number {
  const map: Record<number, number> = {
    3: 400,
    5: 404,
    6: 409,
    7: 403,
    9: 412,
    16: 401,
    8: 429,
    14: 503,
    4: 504,
    13: 500,
    2: 500,
    10: 409,
  };
  return map[code] ?? 500;
}

/**
 * Transient: worth trying again later. 408, 429, 5xx and transient gRPC codes; no status at all (a
 * network error) too. georoute's one classification: the retry layer (shared/gcp/retry.ts) and the
 * functions' ack-or-retry policy (shared/handlers/run.ts) both use it.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof GeorouteError) return err.retryable;
  if (isTransientReason(reasonOf(err))) return true;
  const e = err as { code?: unknown };
  if (typeof e?.code === 'number' && e.code < 100) return RETRYABLE_GRPC.has(e.code);
  return isRetryableStatus(httpStatusOf(err));
}

/** The `errors[0].reason` of a Google JSON error (`conditionNotMet`, `resourceNotReady`…), if it names one. */
export function reasonOf(err: unknown): string | undefined {
  if (err instanceof ApiCallError) return err.reason;
  const e = err as { errors?: Array<{ reason?: unknown }>; message?: unknown };
  const first = e?.errors?.[0]?.reason;
  if (typeof first === 'string') return first;
  if (typeof e?.message !== 'string') return undefined;
  // REST clients put the raw JSON error body in the message: errors[].reason, or an ErrorInfo detail's reason.
  const reasons = [...e.message.matchAll(/"reason":\s*"([^"]+)"/g)].map((m) => m[1] as string);
  return reasons.find((r) => TRANSIENT_REASONS.has(r)) ?? reasons[0];
}

/** Any failure of a Google call as an ApiCallError naming what was being done (status and reason kept). */
export function toApiError(err: unknown, what: string): Error {
  if (err instanceof GeorouteError) return err;
  const message = (err as Error)?.message ?? String(err);
  return new ApiCallError(what, httpStatusOf(err), reasonOf(err), message.slice(0, 500), err);
}
