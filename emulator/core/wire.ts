import { Metadata } from '@grpc/grpc-js';
import type { ApiError } from './api-error';
import type { ApiName } from './router';
import { encodeRpcStatus } from './rpc-status';

/**
 * How an API writes an error:
 * - `compute`: `{error: {code, message, errors: [{domain, reason, message, location?}]}}`, no `status`
 *   (Compute's own answers, e.g. https://github.com/GoogleCloudPlatform/deploymentmanager-samples/issues/23
 *   and https://github.com/stackql-registry/stackql-provider-google/issues/41);
 * - `google`: the same plus `status` (Cloud DNS, IAM: served by ESF, e.g.
 *   https://github.com/GoogleCloudPlatform/deploymentmanager-samples/issues/555);
 * - `rpc`: google.rpc.Status as JSON, `{error: {code, message, status, details?}}` (Monitoring,
 *   https://cloud.google.com/apis/design/errors#http_mapping).
 * Errors of Google's front end (the JSON transcoder's `violations`) always carry `status` and a
 * google.rpc.BadRequest in `details`, whatever the API behind it.
 */
export type ErrorFlavour = 'compute' | 'google' | 'rpc';

export function flavourOf(api: ApiName | undefined, path: string): ErrorFlavour {
  const of = api ?? (path.startsWith('/compute/') ? 'compute' : path.startsWith('/v3/') ? 'monitoring' : 'dns');
  return of === 'compute' ? 'compute' : of === 'monitoring' ? 'rpc' : 'google';
}

export function errorBody(err: ApiError, flavour: ErrorFlavour): unknown {
  const list: unknown[] = [];
  if (err.violations)
    list.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: err.violations });
  if (err.errorInfo) list.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', ...err.errorInfo });
  const details = list.length > 0 ? list : undefined;
  if (flavour === 'rpc') {
    return { error: { code: err.status, message: err.message, status: err.grpc, ...(details ? { details } : {}) } };
  }
  const errors = (err.violations ?? [{ field: err.location, description: err.message }]).map((v) => {
    const entry: Record<string, string> = { domain: err.domain, reason: err.reason, message: v.description };
    if (!err.violations && err.location) {
      entry.locationType = 'other';
      entry.location = err.location;
    }
    return entry;
  });
  const body: Record<string, unknown> = { code: err.status, message: err.message, errors };
  // Compute's own answers carry no `status`; its front end's and quota errors do (a rate-limit body:
  // "status": "PERMISSION_DENIED", https://github.com/hail-is/hail/pull/10613).
  if (flavour === 'google' || details) body.status = err.grpc;
  if (details) body.details = details;
  return { error: body };
}

/** A gRPC status as @grpc/grpc-js sends it; an ErrorInfo rides in `grpc-status-details-bin`. */
export function grpcStatus(err: ApiError): { code: number; details: string; metadata?: Metadata } {
  if (!err.errorInfo) return { code: err.grpcCode, details: err.message };
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', encodeRpcStatus(err.grpcCode, err.message, err.errorInfo));
  return { code: err.grpcCode, details: err.message, metadata };
}
