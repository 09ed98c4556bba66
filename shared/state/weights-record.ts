/**
 * A Cloud DNS geo item answers its IPs with equal weight, so the geo record alone cannot hold the
 * planner's weights (0.75 / 0.25 while traffic shifts). Without them, the churn limit would restart
 * from equal shares on every reconcile and never finish a shift. The weights therefore live next to
 * the geo record, in a TXT record `_georoute-weights.<record name>` written in the SAME atomic DNS
 * change: they can never disagree with what DNS serves, and the exact-deletion precondition guards
 * both. (Routing weights are not secret: the geo record itself is public.)
 *
 * The record also carries when the weights last moved (`@t=<epoch ms>`): the planner takes at most one
 * churn step per DNS TTL (docs/PLANNER.md rule 6), so a repeated or burst event within a TTL of the
 * last move holds the weights instead of stepping again. Decoders that predate it skip the entry
 * (it has no `location:`).
 */
const MAX_STRING = 250;

export type Weights = Record<string, Record<string, number>>;

export const weightsRecordName = (recordName: string): string => `_georoute-weights.${recordName}`;

const MOVED_AT = '@t=';

/**
 * `"@t=<ms>;loc:regionA=0.75,regionB=0.25;loc2:…"`, packed into TXT strings of ≤ 250 characters.
 * `movedAt` (epoch ms) is when these weights are written; omitted, the record carries no time.
 */
export function encodeWeights(weights: Weights, movedAt?: number): string[] {
  const stamp = movedAt !== undefined && Number.isFinite(movedAt) ? [`${MOVED_AT}${Math.round(movedAt)}`] : [];
  const entries = Object.keys(weights)
    .sort()
    .map((loc) => {
      const regions = Object.entries(weights[loc] ?? {})
        .filter(([, w]) => w > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, w]) => `${r}=${Number(w.toFixed(4))}`);
      return `${loc}:${regions.join(',')}`;
    });
  entries.unshift(...stamp);
  const out: string[] = [];
  let current = '';
  for (const entry of entries) {
    if (current && current.length + 1 + entry.length > MAX_STRING) {
      out.push(`"${current}"`);
      current = '';
    }
    current = current ? `${current};${entry}` : entry;
  }
  if (current) out.push(`"${current}"`);
  return out.length ? out : ['"-"'];
}

export function decodeWeights(rrdatas: readonly string[] | undefined): Weights {
  const weights: Weights = {};
  for (const raw of rrdatas ?? []) {
    const text = raw.replace(/^"|"$/g, '');
    for (const entry of text.split(';')) {
      const colon = entry.indexOf(':');
      if (colon <= 0 || entry.startsWith(MOVED_AT)) continue;
      const loc = entry.slice(0, colon);
      const regions: Record<string, number> = {};
      for (const pair of entry.slice(colon + 1).split(',')) {
        const [region, value] = pair.split('=');
        const w = Number(value);
        if (region && Number.isFinite(w) && w > 0) regions[region] = w;
      }
      weights[loc] = regions;
    }
  }
  return weights;
}

/** When the weights in the record were written (epoch ms); undefined for a record without the stamp. */
export function decodeMovedAt(rrdatas: readonly string[] | undefined): number | undefined {
  for (const raw of rrdatas ?? []) {
    for (const entry of raw.replace(/^"|"$/g, '').split(';')) {
      if (!entry.startsWith(MOVED_AT)) continue;
      const t = Number(entry.slice(MOVED_AT.length));
      if (Number.isSafeInteger(t) && t > 0) return t;
    }
  }
  return undefined;
}

/**
 * Which regions a location's geo item lists for a set of weights: every region with a meaningful
 * share (≥ 0.25) and always the largest. With equal-weight answers this keeps a spill-over region
 * in while it carries real load and makes a shift visible in DNS in steps, not all at once.
 */
export const DNS_MIN_SHARE = 0.25;

export function servingSet(weights: Record<string, number>): string[] {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  if (entries.length === 0) return [];
  const max = Math.max(...entries.map(([, w]) => w));
  return entries
    .filter(([, w]) => w >= DNS_MIN_SHARE - 1e-9 || w === max)
    .map(([r]) => r)
    .sort();
}
