/** Weights are published in units of 1e-4; the units of a location always add up to exactly 10 000. */
export const WEIGHT_UNITS = 10_000;

/**
 * Rounds shares (≥ 0, any positive sum) to multiples of 1e-4 that add up to 1, by largest remainder
 * (ties to the lower index, so the result is deterministic). Entries that round to 0 are dropped.
 */
export function roundWeights(indices: readonly number[], shares: readonly number[]): Array<[number, number]> {
  let sum = 0;
  for (const s of shares) sum += s;
  if (!(sum > 0)) return [];
  const units: number[] = [];
  const rest: number[] = [];
  let used = 0;
  for (const s of shares) {
    const exact = (s / sum) * WEIGHT_UNITS;
    const u = Math.floor(exact);
    units.push(u);
    rest.push(exact - u);
    used += u;
  }
  const order = rest.map((_, i) => i).sort((a, b) => (rest[b] as number) - (rest[a] as number) || a - b);
  for (let k = 0; k < WEIGHT_UNITS - used; k++) {
    const i = order[k % order.length] as number;
    units[i] = (units[i] as number) + 1;
  }
  const out: Array<[number, number]> = [];
  units.forEach((u, i) => {
    if (u > 0) out.push([indices[i] as number, u]);
  });
  return out;
}
