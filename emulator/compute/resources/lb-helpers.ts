import { ApiError, invalid } from '../../core/api-error';
import { clone, isPlainObject } from '../../core/merge-patch';
import type { ApiRequest } from '../../core/router';
import { type KindContext, type KindSpec, newFingerprint } from '../collection';
import type { ComputeService } from '../index';
import { selfLink } from '../links';
import type { ComputeResource } from '../state';

/** Google's wording for a field it refuses: `Invalid value for field 'f': 'v'. why` (400 invalid). */
export function badField(field: string, value: unknown, why: string): ApiError {
  const shown = value === undefined || value === null ? '' : typeof value === 'object' ? '' : String(value);
  return invalid(`Invalid value for field '${field}': '${shown}'. ${why}`, field);
}

export function requiredField(field: string): ApiError {
  return new ApiError(400, `Required field '${field}' not specified`, { reason: 'required', location: field });
}

/** An optional integer field (an integer: the body was parsed): fills `def` when absent, refuses values out of range. */
export function intField(
  obj: Record<string, unknown>,
  key: string,
  field: string,
  range: { min: number; max: number; def?: number },
): void {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (range.def !== undefined) obj[key] = range.def;
    return;
  }
  if ((v as number) < range.min || (v as number) > range.max) {
    throw badField(field, v, `Must be between ${range.min} and ${range.max}.`);
  }
}

export function oneOf(value: unknown, allowed: readonly string[], field: string): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw badField(field, value, `Must be one of [${allowed.join(', ')}].`);
  }
}

/** The client serialises map fields it was not given as `{}` (e.g. `metadatas`); Google omits empty maps. */
export function dropEmptyMaps(resource: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) {
    const v = resource[k];
    if (isPlainObject(v) && Object.keys(v).length === 0) delete resource[k];
  }
}

/**
 * A custom mutation verb (`setUrlMap`, `setTarget`…): requestId replay, then the same pipeline the
 * framework applies to insert/patch (prepare, validate, references must exist, afterWrite), a new
 * fingerprint for fingerprinted kinds, and an Operation of `operationType`.
 */
export function customMutation(
  compute: ComputeService,
  spec: KindSpec,
  req: ApiRequest,
  operationType: string,
  mutate: (next: ComputeResource, body: Record<string, unknown>, kc: KindContext) => void,
): Record<string, unknown> {
  const { project, scope } = compute.collections.where(req);
  const replay = compute.ops.replay(project, req.query.get('requestId'));
  if (replay) return replay;
  const previous = compute.collections.find(req, spec, req.params.name as string);
  if (spec.busyWhileOperating) compute.ops.refuseIfBusy(previous);
  if (!isPlainObject(req.body)) throw requiredField('resource');
  const kc = compute.collections.kindContext(project, scope);
  const next = clone(previous);
  mutate(next, clone(req.body), kc);
  spec.prepare?.(next, kc, previous);
  spec.validate?.(next, kc, previous);
  for (const ref of spec.refs?.(next) ?? []) {
    const target = kc.resolve(ref.link, ref.field);
    if (!kc.state.resources[target]) {
      throw new ApiError(404, `The resource '${target}' was not found`, { reason: 'notFound', location: ref.field });
    }
  }
  if (spec.fingerprint) next.fingerprint = newFingerprint(compute.ctx.random);
  kc.state.resources[pathOf(next)] = next;
  spec.afterWrite?.(next, kc, previous);
  return compute.collections.operation(req, project, scope, operationType, next);
}

/** Canonical path (`projects/p/…`) of a stored resource. */
export const pathOf = (resource: { selfLink: string }): string => resource.selfLink.slice(selfLink('').length);

/** The collection segment of a canonical path (`projects/p/global/urlMaps/x` → `urlMaps`). */
export const collectionOf = (path: string): string => path.split('/').slice(-2, -1)[0] as string;

/** `global` or the region of a canonical path. */
export function scopeOf(path: string): string {
  const parts = path.split('/');
  if (parts[2] === 'global') return 'global';
  if (parts[2] === 'regions') return parts[3] as string;
  return (parts[3] as string).replace(/-[a-z]$/, '');
}
