import { isPlainObject } from '../core/merge-patch';
import { invalidField } from './errors';

/**
 * proto3 JSON as google-gax's REST fallback sends it: Timestamps are RFC 3339 strings, Durations
 * `"60s"`, int64 strings. Objects (`{seconds, nanos}`) are also accepted, for the internal API.
 */
export function parseTimestamp(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value; // internal callers: epoch ms
  if (typeof value === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      throw invalidField(field, 'Invalid timestamp', value);
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalidField(field, 'Invalid timestamp', value);
    return ms;
  }
  if (isPlainObject(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (Number.isFinite(seconds) && Number.isFinite(nanos)) return seconds * 1000 + Math.floor(nanos / 1e6);
  }
  throw invalidField(field, 'Invalid timestamp', value);
}

/** Z-normalised RFC 3339 with 0 or 3 fractional digits, as Google emits them. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function parseDuration(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') {
    const m = /^(-?\d+)(\.\d{1,9})?s$/.exec(value);
    if (!m) throw invalidField(field, 'Invalid duration', value);
    return Math.round(Number(`${m[1]}${m[2] ?? ''}`) * 1000);
  }
  if (isPlainObject(value)) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (Number.isFinite(seconds) && Number.isFinite(nanos)) return seconds * 1000 + Math.round(nanos / 1e6);
  }
  throw invalidField(field, 'Invalid duration', value);
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(3)}s`;
}

/**
 * A map<string, string> or message field, or `{}`. No type checks: request bodies were parsed
 * against their proto message (core/front-end.ts) and the world simulation writes well-formed JSON.
 */
export const stringMap = (value: unknown): Record<string, string> => ({ ...((value ?? {}) as Record<string, string>) });
export const objectOf = (value: unknown): Record<string, unknown> => (value ?? {}) as Record<string, unknown>;
