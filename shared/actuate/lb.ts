import type { protos } from '@google-cloud/compute';
import { ApiCallError, toApiError } from '../core';
import { type BackendServicePatch, patchBackendService, plain } from '../gcp';
import { regionOfGroup } from '../observe';
import { type ActuationContext, type ActuationResult, type ActuatorDeps, emptyResult, fromOutcome } from './types';

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

const same = (a: number | null | undefined, b: number) => Math.abs((a ?? 1) - b) < 1e-9;

/**
 * Makes the backend service's `backends[].capacityScaler` (and notes) match `desired`: one
 * fingerprint-conditional patch (shared/gcp/conditional-write.ts) derived from observe's copy, with a
 * requestId derived from the event and the fingerprint. A 412 means another writer got there first:
 * re-read, re-derive and try again. No write when nothing differs. A duplicate of the same event
 * racing the first sends the same requestId with the same fingerprint, so Google answers it with the
 * first one's operation instead of applying it twice; a different event that made the same change
 * meanwhile gets 412, and the re-read finds nothing left to write.
 */
export async function applyLb(deps: ActuatorDeps, desired: LbDesired, ctx: ActuationContext): Promise<ActuationResult> {
  const result = emptyResult(`backendServices/${desired.backendService}`);
  const what = `patch backendServices/${desired.backendService}`;
  try {
    const outcome = await patchBackendService(deps.gcp, deps.project, desired.backendService, {
      snapshot: desired.current,
      derive: (current) => deriveBackends(deps, desired, current),
      idempotencyKey: ctx.eventId,
      what,
      ...(ctx.maxAttempts ? { policy: { ...deps.gcp.retry.write, attempts: ctx.maxAttempts } } : {}),
      onConflict: (attempt) =>
        deps.logger.info('backend service changed under us (412): re-reading', {
          backendService: desired.backendService,
          attempt,
        }),
    });
    return fromOutcome(result, outcome, 'backend service already matches the plan');
  } catch (err) {
    throw toApiError(err, what);
  }
}

/** The backends with the desired scalers and notes applied to `current`, or undefined when nothing differs. */
function deriveBackends(
  deps: ActuatorDeps,
  desired: LbDesired,
  current: BackendService,
): BackendServicePatch | undefined {
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
  if (changes.length === 0) return undefined;
  if (backends.every((b) => (b.capacityScaler ?? 1) === 0)) {
    // Google refuses it too; refusing here names the cause instead of a 400.
    throw new ApiCallError('lb', 400, 'invalid', 'refusing to drain every backend of the backend service');
  }
  return { patch: { backends }, changes };
}
