import type { protos } from '@google-cloud/compute';
import { ApiCallError, isRetryable } from '../core/errors';
import type { GcpClients } from './clients';

type Operation = protos.google.cloud.compute.v1.IOperation;

/** What Compute mutations resolve to: `[LROperation, …]` whose `latestResponse` is the Operation. */
export type MutationResult = [{ latestResponse?: unknown; name?: string | null }, ...unknown[]];

/**
 * Waits until a Compute operation is DONE and throws if it carries errors. Nothing in the client
 * polls for us, and `operations.wait` may return before DONE (it has a deadline), so loop on it.
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
    const [next] = await retryRead(() =>
      region
        ? gcp.compute.regionOperations.wait({ project, region, operation: name })
        : gcp.compute.globalOperations.wait({ project, operation: name }),
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

/**
 * `operations.wait` only reads the operation, but the client marks it non-idempotent and never
 * retries it: one 503 there would report a write that was applied as failed (and a caller that
 * already recorded its effect, like the capacity ledger, would then lose track of it). Retry
 * transient failures of the wait itself; the operation runs on regardless.
 */
async function retryRead<T>(read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

function projectOf(op: Operation): string {
  const m = /\/projects\/([^/]+)\//.exec(op.selfLink ?? op.targetLink ?? '');
  if (!m) throw new Error(`cannot tell the project of operation ${op.name}`);
  return m[1] as string;
}

export const lastSegment = (link: string): string => link.slice(link.lastIndexOf('/') + 1);
