import { isPlainObject } from '../core/merge-patch';
import type { RRSet } from './types';

/** The key a zone holds at most one record set for: (name, type), names case-insensitive. */
export function rrsetKey(r: { name: string; type: string }): string {
  return `${r.name.toLowerCase()} ${r.type}`;
}

/**
 * Whether a deletion matches the stored record set exactly: name, type, ttl, rrdatas,
 * signatureRrdatas and routingPolicy. Set-like lists (rrdatas, policy items) compare
 * order-insensitively; the server-set `kind` fields are ignored.
 */
export function sameRRSet(a: RRSet, b: RRSet): boolean {
  return canonical(a) === canonical(b);
}

function canonical(r: RRSet): string {
  return JSON.stringify(
    normalise({
      name: r.name.toLowerCase(),
      type: r.type,
      ttl: r.ttl,
      rrdatas: r.rrdatas ?? [],
      signatureRrdatas: r.signatureRrdatas ?? [],
      routingPolicy: r.routingPolicy ?? null,
    }),
  );
}

/** Drops `kind`, sorts object keys, and sorts every array by its members' canonical text. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(normalise)
      .map((v) => [JSON.stringify(v), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (key === 'kind' || value[key] === undefined) continue;
      out[key] = normalise(value[key]);
    }
    return out;
  }
  return value;
}
