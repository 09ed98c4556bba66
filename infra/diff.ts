import type { FieldChange, Json, Live, Resource } from './types';

/**
 * Compares only what georoute owns: for each owned top-level field, the live value is cut down to the
 * shape of the desired one (object keys the desired value does not have are ignored, array elements
 * are compared as sets), then both are normalised (links from `projects/` on, numeric strings as numbers).
 */
export function diffOwned(r: Resource, live: Live): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, want] of Object.entries(r.owned)) {
    const have = project(live[field], want);
    const a = canonical(have);
    const b = canonical(want);
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field, from: a, to: b });
  }
  return changes;
}

/** `live` restricted to the shape of `want`. */
export function project(live: unknown, want: unknown): unknown {
  if (Array.isArray(want)) {
    if (!Array.isArray(live)) return live;
    const shape = want.find((w) => isObj(w));
    return live.map((l) => (shape ? project(l, mergedShape(want)) : l));
  }
  if (isObj(want)) {
    if (!isObj(live)) return live;
    const out: Json = {};
    for (const key of Object.keys(want))
      if (live[key] !== undefined && live[key] !== null) out[key] = project(live[key], want[key]);
    return out;
  }
  return live;
}

function mergedShape(items: unknown[]): Json {
  const shape: Json = {};
  for (const i of items) if (isObj(i)) Object.assign(shape, i);
  return shape;
}

/** A stable, comparable form: links shortened, numbers unified, sets sorted, empty values dropped. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (isObj(value)) {
    const out: Json = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical(value[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof value === 'string') {
    const at = value.indexOf('projects/');
    if (at > 0 && /^https?:\/\//.test(value)) return value.slice(at);
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    return value;
  }
  if (value === null) return undefined;
  return value;
}

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `old → new` for a plan line, compact. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
