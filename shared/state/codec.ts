/**
 * The one envelope of state georoute keeps in a Google resource's `description` (DESIGN §2: state that
 * must outlive a function lives in the resource it is about): `georoute/v1 ` + compact JSON object.
 * Each stored format (notes.ts, ledger.ts, schedules.ts) is a codec over this envelope; anything else
 * in a description is someone else's text, left alone and read as "no state".
 */
export const STATE_PREFIX = 'georoute/v1 ';

/** Compute Engine's limit on a resource `description`. */
export const MAX_DESCRIPTION = 2048;

/** The JSON object of a georoute description; undefined for anything else (absent, foreign, corrupt). */
export function decodeState(description: string | null | undefined): Record<string, unknown> | undefined {
  if (!description?.startsWith(STATE_PREFIX)) return undefined;
  try {
    const value = JSON.parse(description.slice(STATE_PREFIX.length)) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function encodeState(value: Record<string, unknown>): string {
  return STATE_PREFIX + JSON.stringify(value);
}

/** `{key: number}` entries of a decoded field (anything else dropped). */
export const numberMap = (v: unknown): Record<string, number> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? (Object.fromEntries(
        Object.entries(v as Record<string, unknown>).filter(([, n]) => typeof n === 'number' && Number.isFinite(n)),
      ) as Record<string, number>)
    : {};

export const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
