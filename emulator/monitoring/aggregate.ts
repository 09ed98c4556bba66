import { parseEnum } from './enums';
import { badRequest, invalidField } from './errors';
import { parseDuration } from './proto-json';
import type { Distribution, Point, PointValue, Series } from './types';
import { mergeDistributions, numeric, percentile, percentileOf } from './values';

/** A parsed `Aggregation`: enum names, period in ms. */
export interface Aggregation {
  periodMs: number;
  aligner: string;
  reducer: string;
  groupBy: string[];
}

const MIN_PERIOD_MS = 60_000;

/** Validates an Aggregation as Google does (period ≥ 60 s with an aligner; a reducer needs an aligner). */
export function parseAggregation(raw: Record<string, unknown>, field: string, maxPeriodMs?: number): Aggregation {
  const aligner = parseEnum('aligner', raw.perSeriesAligner, `${field}.per_series_aligner`);
  const reducer = parseEnum('reducer', raw.crossSeriesReducer, `${field}.cross_series_reducer`);
  const periodMs = parseDuration(raw.alignmentPeriod, `${field}.alignment_period`);
  const groupBy = Array.isArray(raw.groupByFields) ? raw.groupByFields.map(String) : [];
  if (aligner !== 'ALIGN_NONE') {
    if (raw.alignmentPeriod === undefined) {
      throw invalidField(`${field}.alignment_period`, 'An alignment period must be specified when an aligner is set');
    }
    if (periodMs < MIN_PERIOD_MS) {
      throw invalidField(
        `${field}.alignment_period`,
        'The alignment period must be at least 60 seconds',
        raw.alignmentPeriod,
      );
    }
    if (maxPeriodMs !== undefined && periodMs > maxPeriodMs) {
      throw invalidField(
        `${field}.alignment_period`,
        `The alignment period must be at most ${maxPeriodMs / 1000} seconds`,
        raw.alignmentPeriod,
      );
    }
  }
  if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE') {
    throw invalidField(
      `${field}.per_series_aligner`,
      'A per-series aligner must be specified when a cross-series reducer is set',
    );
  }
  for (const f of groupBy) groupField(f, field);
  return { periodMs, aligner, reducer, groupBy };
}

/** Applies alignment then reduction to series whose points were already cut to [start, end]. */
export function aggregate(series: Series[], agg: Aggregation, start: number, end: number): Series[] {
  if (agg.aligner === 'ALIGN_NONE') return series;
  const boundaries: number[] = [];
  for (let b = end; boundaries.length === 0 || b > start; b -= agg.periodMs) {
    boundaries.push(b);
    if (boundaries.length > 100_000) throw badRequest('The request would return too many aligned points.');
  }
  const aligned = series.map((s) => align(s, agg, boundaries)).filter((s) => s.points.length > 0);
  return agg.reducer === 'REDUCE_NONE' ? aligned : reduce(aligned, agg);
}

function cannotAlign(s: Series, agg: Aggregation): never {
  throw badRequest(
    `The aligner ${agg.aligner} cannot be applied to metrics with kind ${s.metricKind} and value type ${s.valueType}.`,
  );
}

const NUMERIC = ['INT64', 'DOUBLE'];

function align(s: Series, agg: Aggregation, boundaries: number[]): Series {
  const kind = s.metricKind;
  const vt = s.valueType;
  const a = agg.aligner;
  const isDist = vt === 'DISTRIBUTION';
  let outKind = 'GAUGE';
  let outType = vt;
  switch (a) {
    case 'ALIGN_DELTA':
    case 'ALIGN_RATE':
      if (kind === 'GAUGE' || !(NUMERIC.includes(vt) || (isDist && kind === 'DELTA'))) cannotAlign(s, agg);
      if (a === 'ALIGN_DELTA') outKind = 'DELTA';
      else outType = 'DOUBLE';
      if (a === 'ALIGN_RATE' && isDist) cannotAlign(s, agg);
      break;
    case 'ALIGN_MEAN':
    case 'ALIGN_SUM':
      if (kind === 'CUMULATIVE' || !(NUMERIC.includes(vt) || isDist)) cannotAlign(s, agg);
      if (a === 'ALIGN_MEAN') outType = 'DOUBLE';
      else outKind = kind;
      break;
    case 'ALIGN_MIN':
    case 'ALIGN_MAX':
    case 'ALIGN_STDDEV':
      if (kind === 'CUMULATIVE' || !NUMERIC.includes(vt)) cannotAlign(s, agg);
      if (a === 'ALIGN_STDDEV') outType = 'DOUBLE';
      break;
    case 'ALIGN_COUNT':
      if (kind === 'CUMULATIVE') cannotAlign(s, agg);
      outType = 'INT64';
      break;
    case 'ALIGN_PERCENTILE_99':
    case 'ALIGN_PERCENTILE_95':
    case 'ALIGN_PERCENTILE_50':
    case 'ALIGN_PERCENTILE_05':
      if (kind === 'CUMULATIVE' || !isDist) cannotAlign(s, agg);
      outType = 'DOUBLE';
      break;
    case 'ALIGN_NEXT_OLDER':
    case 'ALIGN_INTERPOLATE':
      outKind = kind === 'CUMULATIVE' ? 'CUMULATIVE' : 'GAUGE';
      break;
    default:
      throw badRequest(`The aligner ${a} is not supported by the emulator.`);
  }

  const P = agg.periodMs;
  const points: Point[] = [];
  for (const b of boundaries) {
    const inPeriod = s.points.filter((p) => p.end > b - P && p.end <= b);
    const value = alignValue(s, a, inPeriod, b, P);
    if (value === undefined) continue;
    points.push({ start: outKind === 'DELTA' ? b - P : b, end: b, value });
  }
  points.sort((x, y) => x.end - y.end);
  return { metric: s.metric, resource: s.resource, metricKind: outKind, valueType: outType, unit: s.unit, points };
}

function alignValue(s: Series, a: string, pts: Point[], b: number, P: number): PointValue | undefined {
  const nums = pts.map((p) => numeric(p.value));
  const dists = pts.map((p) => p.value as Distribution);
  const isDist = s.valueType === 'DISTRIBUTION';
  switch (a) {
    case 'ALIGN_NEXT_OLDER':
    case 'ALIGN_INTERPOLATE':
      return pts.length ? pts[pts.length - 1]!.value : undefined;
    case 'ALIGN_COUNT':
      return pts.length ? pts.length : undefined;
  }
  if (pts.length === 0) return undefined;
  switch (a) {
    case 'ALIGN_MEAN':
      return isDist ? mergeDistributions(dists).mean : nums.reduce((x, y) => x + y, 0) / nums.length;
    case 'ALIGN_SUM':
      return isDist ? mergeDistributions(dists) : nums.reduce((x, y) => x + y, 0);
    case 'ALIGN_MIN':
      return Math.min(...nums);
    case 'ALIGN_MAX':
      return Math.max(...nums);
    case 'ALIGN_STDDEV':
      return stddev(nums);
    case 'ALIGN_PERCENTILE_99':
    case 'ALIGN_PERCENTILE_95':
    case 'ALIGN_PERCENTILE_50':
    case 'ALIGN_PERCENTILE_05':
      return percentile(mergeDistributions(dists), Number(a.slice(-2)));
  }
  // ALIGN_DELTA / ALIGN_RATE
  let delta: number | Distribution;
  if (s.metricKind === 'DELTA') {
    delta = isDist ? mergeDistributions(dists) : nums.reduce((x, y) => x + y, 0);
  } else {
    const last = pts[pts.length - 1]!;
    const prior = [...s.points].reverse().find((p) => p.end <= b - P);
    let y0: number;
    if (prior && prior.start === last.start) y0 = numeric(prior.value);
    else if (last.start >= b - P)
      y0 = 0; // the cumulative series (re)started inside this period
    else if (pts.length > 1) y0 = numeric(pts[0]!.value);
    else return undefined;
    delta = numeric(last.value) - y0;
  }
  if (a === 'ALIGN_DELTA') return delta;
  return (delta as number) / (P / 1000);
}

function stddev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** `metric.label.x` / `metric.labels.x` / `resource.label(s).x` / `resource.type` → [where, key]. */
function groupField(f: string, field: string): ['metric' | 'resource', string] {
  if (f === 'resource.type') return ['resource', ''];
  const m = /^(metric|resource)\.labels?\.(.+)$/.exec(f);
  if (!m) throw invalidField(`${field}.group_by_fields`, 'Unsupported group-by field', f);
  return [m[1] as 'metric' | 'resource', m[2]!];
}

function reduce(aligned: Series[], agg: Aggregation): Series[] {
  const groups = new Map<
    string,
    { sample: Series; metricLabels: Record<string, string>; resourceLabels: Record<string, string>; members: Series[] }
  >();
  for (const s of aligned) {
    const metricLabels: Record<string, string> = {};
    const resourceLabels: Record<string, string> = {};
    for (const f of agg.groupBy) {
      const [where, key] = groupField(f, 'aggregation');
      if (!key) continue;
      const v = where === 'metric' ? s.metric.labels[key] : s.resource.labels[key];
      if (v !== undefined) (where === 'metric' ? metricLabels : resourceLabels)[key] = v;
    }
    const gk = JSON.stringify([s.resource.type, metricLabels, resourceLabels]);
    const g = groups.get(gk) ?? { sample: s, metricLabels, resourceLabels, members: [] };
    g.members.push(s);
    groups.set(gk, g);
  }
  const out: Series[] = [];
  for (const g of groups.values()) {
    const byEnd = new Map<number, Point[]>();
    for (const s of g.members) for (const p of s.points) byEnd.set(p.end, [...(byEnd.get(p.end) ?? []), p]);
    const vt = g.sample.valueType;
    let outType = vt;
    if (['REDUCE_MEAN', 'REDUCE_STDDEV'].includes(agg.reducer) || agg.reducer.startsWith('REDUCE_PERCENTILE'))
      outType = 'DOUBLE';
    if (agg.reducer === 'REDUCE_COUNT') outType = 'INT64';
    const points: Point[] = [];
    for (const [end, pts] of [...byEnd.entries()].sort((x, y) => x[0] - y[0])) {
      points.push({
        start: pts[0]!.start,
        end,
        value: reduceValues(
          agg.reducer,
          vt,
          pts.map((p) => p.value),
        ),
      });
    }
    out.push({
      metric: { type: g.sample.metric.type, labels: g.metricLabels },
      resource: { type: g.sample.resource.type, labels: g.resourceLabels },
      metricKind: g.sample.metricKind,
      valueType: outType,
      unit: g.sample.unit,
      points,
    });
  }
  return out;
}

function reduceValues(reducer: string, vt: string, values: PointValue[]): PointValue {
  const isDist = vt === 'DISTRIBUTION';
  const nums = values.map(numeric);
  switch (reducer) {
    case 'REDUCE_MEAN':
      return isDist ? mergeDistributions(values as Distribution[]).mean : nums.reduce((a, b) => a + b, 0) / nums.length;
    case 'REDUCE_SUM':
      return isDist ? mergeDistributions(values as Distribution[]) : nums.reduce((a, b) => a + b, 0);
    case 'REDUCE_MIN':
      return Math.min(...nums);
    case 'REDUCE_MAX':
      return Math.max(...nums);
    case 'REDUCE_COUNT':
      return values.length;
    case 'REDUCE_STDDEV':
      return stddev(nums);
    case 'REDUCE_PERCENTILE_99':
    case 'REDUCE_PERCENTILE_95':
    case 'REDUCE_PERCENTILE_50':
    case 'REDUCE_PERCENTILE_05': {
      const p = Number(reducer.slice(-2));
      return isDist ? percentile(mergeDistributions(values as Distribution[]), p) : percentileOf(nums, p);
    }
    default:
      throw badRequest(`The reducer ${reducer} is not supported by the emulator.`);
  }
}
