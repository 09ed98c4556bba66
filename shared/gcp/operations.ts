import type { protos } from '@google-cloud/compute';
import { ApiCallError } from '../core';
import type { GcpClients } from './clients';
import { withRetry } from './retry';

export type Operation = protos.google.cloud.compute.v1.IOperation;

/**
 * What a Compute mutation resolves to: `[LROperation, …]` whose `latestResponse` is the Operation.
 * Structural, so that every client's `insert`/`patch`/`setX` result fits without a cast.
 */
export type MutationResult = readonly [{ latestResponse?: unknown; name?: string | null }, ...unknown[]];

/**
 * Waits until a Compute operation is DONE and throws if it carries errors. Nothing in the client
 * polls for us, and `operations.wait` may return before DONE (it has a deadline), so loop on it.
 * https://cloud.google.com/compute/docs/reference/rest/v1/globalOperations/wait
 */
export async function waitForOperation(
  gcp: GcpClients,
  result: MutationResult,
  options: { what: string; timeoutMs?: number } = { what: 'operation' },
): Promise<Operation> {
  let op = (result[0].latestResponse ?? result[0]) as Operation;
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  while (op.status !== 'DONE') {
    if (Date.now() > deadline) {
      throw new ApiCallError(
        options.what,
        504,
        'timeout',
        `operation ${op.name} still ${op.status} after the deadline`,
      );
    }
    const project = projectOf(op);
    const region = op.region ? lastSegment(op.region) : undefined;
    const name = op.name as string;
    // The wait only reads the operation, but the client marks it non-idempotent and never retries it:
    // one 503 there would report a write that was applied as failed. The operation runs on regardless.
    const [next] = await withRetry(
      () =>
        region
          ? gcp.compute.regionOperations.wait({ project, region, operation: name })
          : gcp.compute.globalOperations.wait({ project, operation: name }),
      { policy: gcp.retry.read },
    );
    op = next;
  }
  const errors = op.error?.errors ?? [];
  if (errors.length > 0) {
    const status = op.httpErrorStatusCode ?? undefined;
    const reason = errors[0]?.code ?? undefined;
    const message = errors.map((e) => `${e.code}: ${e.message}`).join('; ');
    throw new ApiCallError(options.what, status ?? undefined, reason, message);
  }
  return op;
}

function projectOf(op: Operation): string {
  const m = /\/projects\/([^/]+)\//.exec(op.selfLink ?? op.targetLink ?? '');
  if (!m) throw new Error(`cannot tell the project of operation ${op.name}`);
  return m[1] as string;
}

export const lastSegment = (link: string): string => link.slice(link.lastIndexOf('/') + 1);
