import type { protos } from '@google-cloud/compute';
import { ApiCallError, httpStatusOf } from '../core/errors';
import { requestIdFor } from '../core/idempotency';
import { waitForOperation } from '../gcp/operations';
import { type ActuationContext, type ActuationResult, type ActuatorDeps, backoff, emptyResult, plain } from './types';

type Backend = protos.google.cloud.compute.v1.IBackend;
type BackendService = protos.google.cloud.compute.v1.IBackendService;

export interface LbDesired {
  /** Name of the global backend service. */
  backendService: string;
  /** Region → capacityScaler (0 drains; else 0.1–1.0). Regions not listed are left alone. */
  scalers: Record<string, number>;
  /**
   * Region → the backend's new `description`, computed from the one just read (state that must
   * outlive the function rides there: see shared/state/notes.ts). A function, so that a retry after
   * a 412 re-derives it from what the other writer left instead of overwriting it.
   */
  notes?: Record<string, (current: string | undefined) => string>;
  /**
   * The backend service exactly as observe just read it. The first attempt diffs against it and sends
   * its fingerprint instead of reading again: a stale copy gets 412 and the retry re-reads.
   */
  current?: BackendService;
}

/** The region of a backend, from its instance group URL (`…/regions/{r}/instanceGroups/{g}`). */
export function regionOfGroup(group: string): string | undefined {
  const m = /\/regions\/([^/]+)\/instanceGroups\//.exec(group) ?? /\/zones\/([a-z]+-[a-z]+\d+)-[a-z]\//.exec(group);
  return m?.[1];
}

const same = (a: number | null | undefined, b: number) => Math.abs((a ?? 1) - b) < 1e-9;

/**
 * Makes the backend service's `backends[].capacityScaler` (and notes) match `desired`: read (or take
 * `desired.current`) → diff → one patch carrying that copy's fingerprint and a requestId derived from
 * the event and the fingerprint → wait for DONE. A 412 means another writer got there first: re-read,
 * re-derive and try again. No write when nothing differs. A duplicate of the same event racing the
 * first sends the same requestId with the same fingerprint, so Google answers it with the first one's
 * operation instead of applying it twice; a different event that made the same change meanwhile gets
 * 412, and the re-read finds nothing left to write.
 */
export async function applyLb(deps: ActuatorDeps, desired: LbDesired, ctx: ActuationContext): Promise<ActuationResult> {
  const result = emptyResult(`backendServices/${desired.backendService}`);
  const client = deps.gcp.compute.backendServices;
  const maxAttempts = ctx.maxAttempts ?? 4;
  for (let attempt = 0; ; attempt++) {
    const snapshot = attempt === 0 ? desired.current : undefined;
    let current: BackendService;
    if (snapshot) current = snapshot;
    else {
      [current] = await client.get({ project: deps.project, backendService: desired.backendService });
      result.reads++;
    }
    const changes: string[] = [];
    const backends = (current.backends ?? []).map((raw) => {
      const backend = plain(raw) as Backend;
      const region = regionOfGroup(backend.group ?? '');
      if (!region) return backend;
      const scaler = desired.scalers[region];
      if (scaler !== undefined && !same(backend.capacityScaler, scaler)) {
        changes.push(`${region} capacityScaler ${backend.capacityScaler ?? 1} → ${scaler}`);
        backend.capacityScaler = scaler;
      }
      const note = desired.notes?.[region]?.(backend.description ?? undefined);
      if (note !== undefined && (backend.description ?? '') !== note) {
        changes.push(`${region} description updated`);
        backend.description = note;
      }
      return backend;
    });
    const missing = Object.keys(desired.scalers).filter(
      (r) => !(current.backends ?? []).some((b) => regionOfGroup(b.group ?? '') === r),
    );
    if (missing.length > 0)
      deps.logger.warn('regions have no backend in the backend service', {
        missing,
        backendService: desired.backendService,
      });
    if (changes.length === 0) {
      result.skipped = 'backend service already matches the plan';
      return result;
    }
    if (backends.every((b) => (b.capacityScaler ?? 1) === 0)) {
      // Google refuses it too; refusing here names the cause instead of a 400.
      throw new ApiCallError('lb', 400, 'invalid', 'refusing to drain every backend of the backend service');
    }
    try {
      const op = await client.patch({
        project: deps.project,
        backendService: desired.backendService,
        // The fingerprint read makes this write conditional; the requestId makes its retry a no-op.
        requestId: requestIdFor(ctx.eventId, `lb:${desired.backendService}:${current.fingerprint}`),
        backendServiceResource: { backends, fingerprint: current.fingerprint },
      });
      result.writes++;
      await waitForOperation(deps.gcp, op as never, { what: `patch backendServices/${desired.backendService}` });
      result.changed = true;
      result.changes = changes;
      return result;
    } catch (err) {
      const status = httpStatusOf(err);
      if (status === 412 && attempt + 1 < maxAttempts) {
        result.retries++;
        deps.logger.info('backend service changed under us (412): re-reading', {
          backendService: desired.backendService,
          attempt,
        });
        await backoff(attempt);
        continue;
      }
      throw wrap(err, `patch backendServices/${desired.backendService}`);
    }
  }
}

export function wrap(err: unknown, what: string): Error {
  if (err instanceof ApiCallError) return err;
  const status = httpStatusOf(err);
  const message = (err as Error)?.message ?? String(err);
  const reason = /"reason":\s*"([^"]+)"/.exec(message)?.[1];
  return new ApiCallError(what, status, reason, message.slice(0, 500), err);
}
