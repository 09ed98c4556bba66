/**
 * A Cloud DNS geo item answers its IPs with equal weight, so the geo record alone cannot hold the
 * planner's weights (0.75 / 0.25 while traffic shifts). Without them, the churn limit would restart
 * from equal shares on every reconcile and never finish a shift. The weights therefore live next to
 * the geo record, in a TXT record `_georoute-weights.<record name>` written in the SAME atomic DNS
 * change: they can never disagree with what DNS serves, and the exact-deletion precondition guards
 * both. (Routing weights are not secret: the geo record itself is public.)
 */
const MAX_STRING = 250;

export type Weights = Record<string, Record<string, number>>;

export const weightsRecordName = (recordName: string): string => `_georoute-weights.${recordName}`;

/** `"loc:regionA=0.75,regionB=0.25;loc2:…"`, packed into TXT strings of ≤ 250 characters. */
export function encodeWeights(weights: Weights): string[] {
  const entries = Object.keys(weights)
    .sort()
    .map((loc) => {
      const regions = Object.entries(weights[loc] ?? {})
        .filter(([, w]) => w > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, w]) => `${r}=${Number(w.toFixed(4))}`);
      return `${loc}:${regions.join(',')}`;
    });
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
      if (colon <= 0) continue;
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
