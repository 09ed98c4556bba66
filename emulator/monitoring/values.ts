import { invalidField } from './errors';
import { objectOf } from './proto-json';
import type { Distribution, PointValue } from './types';

const VALUE_TYPES: Record<string, string> = {
  boolValue: 'BOOL',
  int64Value: 'INT64',
  doubleValue: 'DOUBLE',
  stringValue: 'STRING',
  distributionValue: 'DISTRIBUTION',
};

/**
 * TypedValue (proto3 JSON, already parsed against google.monitoring.v3.TypedValue: its `value`
 * oneof holds at most one member) → [valueType, value]. A point without a value is refused here.
 */
export function parseTypedValue(raw: unknown, field: string): [string, PointValue] {
  const set = Object.entries(objectOf(raw)).filter(([k, v]) => VALUE_TYPES[k] && v !== undefined && v !== null);
  if (set.length !== 1) throw invalidField(field, 'Exactly one value field must be set', raw);
  const [key, v] = set[0] as [string, unknown];
  const type = VALUE_TYPES[key] as string;
  if (type === 'INT64' || type === 'DOUBLE') return [type, Number(v)]; // int64 and "NaN"/"Infinity" arrive as strings
  if (type === 'DISTRIBUTION') return [type, parseDistribution(objectOf(v), `${field}.distribution_value`)];
  return [type, v as PointValue];
}

function parseDistribution(raw: Record<string, unknown>, field: string): Distribution {
  const count = Number(raw.count ?? 0);
  const counts = ((raw.bucketCounts as unknown[] | undefined) ?? []).map(Number);
  if (counts.length > 0 && counts.reduce((a, b) => a + b, 0) !== count) {
    throw invalidField(field, 'The sum of bucket_counts must equal count');
  }
  return {
    count,
    mean: Number(raw.mean ?? 0),
    sumOfSquaredDeviation: Number(raw.sumOfSquaredDeviation ?? 0),
    bucketOptions: raw.bucketOptions as Distribution['bucketOptions'],
    bucketCounts: counts,
  };
}

/** → TypedValue in proto3 JSON (int64 as strings). */
export function formatTypedValue(valueType: string, value: PointValue): Record<string, unknown> {
  switch (valueType) {
    case 'BOOL':
      return { boolValue: value };
    case 'INT64':
      return { int64Value: String(Math.round(value as number)) };
    case 'STRING':
      return { stringValue: value };
    case 'DISTRIBUTION': {
      const d = value as Distribution;
      const out: Record<string, unknown> = { count: String(d.count) };
      if (d.count > 0) out.mean = d.mean;
      if (d.sumOfSquaredDeviation) out.sumOfSquaredDeviation = d.sumOfSquaredDeviation;
      if (d.bucketOptions) out.bucketOptions = d.bucketOptions;
      if (d.bucketCounts.length > 0) out.bucketCounts = d.bucketCounts.map(String);
      return { distributionValue: out };
    }
    default:
      return { doubleValue: value };
  }
}

/** A number for comparisons and arithmetic; distributions count as their mean. */
export function numeric(value: PointValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return Number.NaN;
  return value.mean;
}

export function mergeDistributions(ds: Distribution[]): Distribution {
  const count = ds.reduce((a, d) => a + d.count, 0);
  const mean = count === 0 ? 0 : ds.reduce((a, d) => a + d.mean * d.count, 0) / count;
  const width = Math.max(0, ...ds.map((d) => d.bucketCounts.length));
  const bucketCounts = Array.from({ length: width }, (_, i) => ds.reduce((a, d) => a + (d.bucketCounts[i] ?? 0), 0));
  // Pooled sum of squared deviations: within-group plus between-group terms.
  const ssd = ds.reduce((a, d) => a + d.sumOfSquaredDeviation + d.count * (d.mean - mean) ** 2, 0);
  return {
    count,
    mean,
    sumOfSquaredDeviation: ssd,
    bucketOptions: ds.find((d) => d.bucketOptions)?.bucketOptions,
    bucketCounts,
  };
}

/** Finite bucket boundaries of BucketOptions (linear, exponential or explicit). */
function bounds(options: Record<string, unknown> | undefined): number[] {
  if (!options) return [];
  const lin = options.linearBuckets as Record<string, unknown> | undefined;
  if (lin) {
    const n = Number(lin.numFiniteBuckets ?? 0);
    return Array.from({ length: n + 1 }, (_, i) => Number(lin.offset ?? 0) + Number(lin.width ?? 0) * i);
  }
  const exp = options.exponentialBuckets as Record<string, unknown> | undefined;
  if (exp) {
    const n = Number(exp.numFiniteBuckets ?? 0);
    return Array.from({ length: n + 1 }, (_, i) => Number(exp.scale ?? 1) * Number(exp.growthFactor ?? 2) ** i);
  }
  const explicit = options.explicitBuckets as Record<string, unknown> | undefined;
  if (explicit && Array.isArray(explicit.bounds)) return explicit.bounds.map(Number);
  return [];
}

/** Percentile (0–100) of a distribution, interpolated inside its bucket; the mean if it has no histogram. */
export function percentile(d: Distribution, p: number): number {
  const b = bounds(d.bucketOptions);
  if (d.count === 0) return 0;
  if (b.length === 0 || d.bucketCounts.length === 0) return d.mean;
  const rank = (p / 100) * d.count;
  let seen = 0;
  for (let i = 0; i < d.bucketCounts.length; i++) {
    const c = d.bucketCounts[i]!;
    if (c > 0 && seen + c >= rank) {
      if (i === 0) return b[0]!; // underflow bucket
      if (i > b.length - 1) return b[b.length - 1]!; // overflow bucket
      const lo = b[i - 1]!;
      const hi = b[i]!;
      return lo + ((rank - seen) / c) * (hi - lo);
    }
    seen += c;
  }
  return b[b.length - 1]!;
}

export function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (idx - lo);
}
