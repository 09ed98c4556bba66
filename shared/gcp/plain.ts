/**
 * Drops the Compute decoder's private keys (`_name`…) and nulls, so objects read through the official
 * client can be compared and written back (CLIENTS.md: decoded objects carry extra keys).
 */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => plain(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('_') || v === null || v === undefined) continue;
    out[k] = plain(v);
  }
  return out as T;
}
