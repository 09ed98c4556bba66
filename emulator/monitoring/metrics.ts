import { isPlainObject } from '../core/merge-patch';
import { monitoringPaging, paginate } from '../core/paginate';
import { type Timings, visibleAt } from '../core/timings';
import { aggregate, parseAggregation } from './aggregate';
import { builtinDescriptor, builtinDescriptors, isUserMetric, USER_METRIC_RESOURCES } from './builtin';
import { parseEnum } from './enums';
import { badRequest, conflict, invalidField, notFound } from './errors';
import { evaluateFilter, type FilterNode, parseFilter, singleMetricType } from './filter';
import { formatTimestamp, objectOf, parseTimestamp, stringMap } from './proto-json';
import type { Labeled, MetricDescriptor, Point, PointValue, ProjectState, Series } from './types';
import { formatTypedValue, parseTypedValue } from './values';

/** Google's documented write limits for time series. */
export const MAX_SERIES_PER_REQUEST = 200;
export const MIN_WRITE_SPACING_MS = 5_000;
const MAX_PAST_MS = 25 * 3600_000;
const MAX_FUTURE_MS = 5 * 60_000;

export function seriesKey(metric: Labeled, resource: Labeled): string {
  const sorted = (o: Record<string, string>) =>
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]);
  return JSON.stringify([metric.type, sorted(metric.labels), resource.type, sorted(resource.labels)]);
}

// ---- metric descriptors ----------------------------------------------------------------------

export function descriptorJson(d: MetricDescriptor): Record<string, unknown> {
  const { autoCreated: _internal, ...out } = d;
  return out;
}

export function findDescriptor(ps: ProjectState, project: string, type: string): MetricDescriptor | undefined {
  return ps.descriptors[type] ?? builtinDescriptor(project, type);
}

export function createDescriptor(ps: ProjectState, project: string, raw: unknown): MetricDescriptor {
  const body = objectOf(raw);
  const type = typeof body.type === 'string' ? body.type : '';
  if (!type) throw invalidField('metric_descriptor.type', 'The metric type is required');
  if (!isUserMetric(type) || !/^[\w.-]+\/[\w/.-]+$/.test(type)) {
    throw invalidField(
      'metric_descriptor.type',
      'The metric type must be a user-defined metric type (custom.googleapis.com/…)',
      type,
    );
  }
  const metricKind = parseEnum('metricKind', body.metricKind, 'metric_descriptor.metric_kind');
  const valueType = parseEnum('valueType', body.valueType, 'metric_descriptor.value_type');
  if (metricKind === 'METRIC_KIND_UNSPECIFIED')
    throw invalidField('metric_descriptor.metric_kind', 'The metric kind is required');
  if (valueType === 'VALUE_TYPE_UNSPECIFIED')
    throw invalidField('metric_descriptor.value_type', 'The value type is required');
  checkKindAndType(metricKind, valueType, 'metric_descriptor');
  const labels = (Array.isArray(body.labels) ? body.labels : []).map((l, i) => {
    const o = objectOf(l);
    const key = typeof o.key === 'string' ? o.key : '';
    if (!/^[a-zA-Z][\w]{0,99}$/.test(key))
      throw invalidField(`metric_descriptor.labels[${i}].key`, 'Invalid label key', key);
    const out: { key: string; valueType: string; description?: string } = {
      key,
      valueType: parseEnum('labelValueType', o.valueType, `metric_descriptor.labels[${i}].value_type`),
    };
    if (typeof o.description === 'string') out.description = o.description;
    return out;
  });
  if (new Set(labels.map((l) => l.key)).size !== labels.length)
    throw invalidField('metric_descriptor.labels', 'Duplicate label keys');
  if (labels.length > 30) throw invalidField('metric_descriptor.labels', 'A metric may have at most 30 labels');
  const existing = ps.descriptors[type];
  if (existing && !existing.autoCreated) {
    // Google answers an identical re-create with the descriptor; a different one is refused.
    if (existing.metricKind === metricKind && existing.valueType === valueType) return existing;
    throw conflict(`The metric descriptor ${existing.name} already exists with a different kind or value type.`);
  }
  const d: MetricDescriptor = {
    name: `projects/${project}/metricDescriptors/${type}`,
    type,
    labels,
    metricKind,
    valueType,
  };
  for (const k of ['unit', 'description', 'displayName'] as const)
    if (typeof body[k] === 'string') d[k] = body[k] as string;
  if (body.launchStage !== undefined)
    d.launchStage = parseEnum('launchStage', body.launchStage, 'metric_descriptor.launch_stage');
  if (Array.isArray(body.monitoredResourceTypes)) d.monitoredResourceTypes = body.monitoredResourceTypes.map(String);
  ps.descriptors[type] = d;
  return d;
}

/** User-defined metrics: GAUGE or CUMULATIVE (DELTA only exists for Google's own metrics); no cumulative BOOL/STRING. */
function checkKindAndType(kind: string, vt: string, field: string): void {
  if (kind === 'DELTA')
    throw invalidField(`${field}.metric_kind`, 'DELTA is not supported for user-defined metrics', kind);
  if (kind === 'CUMULATIVE' && (vt === 'BOOL' || vt === 'STRING')) {
    throw invalidField(`${field}.value_type`, `A CUMULATIVE metric cannot have value type ${vt}`, vt);
  }
  if (vt === 'MONEY') throw invalidField(`${field}.value_type`, 'MONEY is not supported', vt);
}

export function listDescriptors(ps: ProjectState, project: string, filter: string): MetricDescriptor[] {
  const node = filter ? parseFilter(filter) : undefined;
  const all = [...builtinDescriptors(project), ...Object.values(ps.descriptors)];
  return all
    .filter((d) => !node || evaluateFilter(node, { project, metric: { type: d.type } }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

export function deleteDescriptor(ps: ProjectState, project: string, type: string): void {
  if (!ps.descriptors[type]) {
    if (builtinDescriptor(project, type))
      throw badRequest(`Only user-defined metric descriptors can be deleted: ${type}`);
    throw notFound(`Could not find descriptor for metric '${type}'.`);
  }
  delete ps.descriptors[type];
  for (const [k, s] of Object.entries(ps.series)) if (s.metric.type === type) delete ps.series[k];
}

// ---- writing time series ----------------------------------------------------------------------

interface ParsedSeries {
  metric: Labeled;
  resource: Labeled;
  metricKind?: string;
  valueType?: string;
  unit?: string;
  points: Array<{ start?: number; end: number; valueType: string; value: PointValue }>;
}

function parseSeries(raw: unknown, field: string): ParsedSeries {
  const o = objectOf(raw);
  const metric = objectOf(o.metric);
  const resource = objectOf(o.resource);
  if (typeof metric.type !== 'string' || !metric.type)
    throw invalidField(`${field}.metric.type`, 'The metric type is required');
  if (typeof resource.type !== 'string' || !resource.type) {
    throw invalidField(`${field}.resource.type`, 'The monitored resource type is required');
  }
  const points = (Array.isArray(o.points) ? o.points : []).map((p, j) => {
    const pf = `${field}.points[${j}]`;
    const po = objectOf(p);
    const interval = objectOf(po.interval);
    if (interval.endTime === undefined) throw invalidField(`${pf}.interval.end_time`, 'The end time is required');
    const end = parseTimestamp(interval.endTime, `${pf}.interval.end_time`);
    const start =
      interval.startTime === undefined ? undefined : parseTimestamp(interval.startTime, `${pf}.interval.start_time`);
    const [valueType, value] = parseTypedValue(po.value, `${pf}.value`);
    return { start, end, valueType, value };
  });
  const out: ParsedSeries = {
    metric: { type: metric.type, labels: stringMap(metric.labels) },
    resource: { type: resource.type, labels: stringMap(resource.labels) },
    points,
  };
  if (o.metricKind !== undefined) out.metricKind = parseEnum('metricKind', o.metricKind, `${field}.metric_kind`);
  if (o.valueType !== undefined) out.valueType = parseEnum('valueType', o.valueType, `${field}.value_type`);
  if (typeof o.unit === 'string') out.unit = o.unit;
  return out;
}

/** The descriptor a write goes to, created on the fly for a new metric type (Google auto-creates them). */
function descriptorFor(
  ps: ProjectState,
  project: string,
  s: ParsedSeries,
  field: string,
  internal: boolean,
): MetricDescriptor {
  const type = s.metric.type;
  let d = findDescriptor(ps, project, type);
  const vt = s.points[0]!.valueType;
  if (!d) {
    const kind = s.metricKind && s.metricKind !== 'METRIC_KIND_UNSPECIFIED' ? s.metricKind : 'GAUGE';
    if (!internal) {
      if (kind !== 'GAUGE' && kind !== 'CUMULATIVE') {
        throw invalidField(`${field}.metric_kind`, 'An auto-created metric must be GAUGE or CUMULATIVE', kind);
      }
      checkKindAndType(kind, vt, field);
    }
    d = {
      name: `projects/${project}/metricDescriptors/${type}`,
      type,
      labels: Object.keys(s.metric.labels).map((key) => ({ key, valueType: 'STRING' })),
      metricKind: kind,
      valueType: vt,
      autoCreated: true,
    };
    if (s.unit) d.unit = s.unit;
    ps.descriptors[type] = d;
  }
  return d;
}

/** Checks a series against its descriptor: kind, value type and labels. */
function checkAgainstDescriptor(d: MetricDescriptor, s: ParsedSeries, field: string): void {
  if (s.metricKind && s.metricKind !== 'METRIC_KIND_UNSPECIFIED' && s.metricKind !== d.metricKind) {
    throw invalidField(
      `${field}.metric_kind`,
      `The metric kind must be ${d.metricKind} for metric ${d.type}`,
      s.metricKind,
    );
  }
  for (const p of s.points) {
    if (p.valueType !== d.valueType) {
      throw invalidField(
        `${field}.points[0].value`,
        `Value type for metric ${d.type} must be ${d.valueType}, but is ${p.valueType}.`,
      );
    }
    if (d.metricKind === 'GAUGE') {
      if (p.start !== undefined && p.start !== p.end) {
        throw invalidField(
          `${field}.points[0].interval.start_time`,
          'The start time must be equal to the end time for the gauge metric',
        );
      }
    } else if (p.start === undefined || p.start >= p.end) {
      throw invalidField(
        `${field}.points[0].interval.start_time`,
        `The start time must be before the end time for the ${d.metricKind.toLowerCase()} metric`,
      );
    }
  }
  const known = new Set(d.labels.map((l) => l.key));
  const unknown = Object.keys(s.metric.labels).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    if (d.autoCreated) for (const key of unknown) d.labels.push({ key, valueType: 'STRING' });
    else throw invalidField(`${field}.metric.labels`, `Unrecognized metric labels: [${unknown.join(', ')}]`);
  }
}

/** `timeSeries.create` as clients see it. Valid series are written even when others fail (as Google does). */
export function createTimeSeries(
  ps: ProjectState,
  project: string,
  rawList: unknown,
  now: number,
  timings: Timings,
): void {
  if (!Array.isArray(rawList) || rawList.length === 0)
    throw invalidField('time_series', 'At least one TimeSeries is required');
  if (rawList.length > MAX_SERIES_PER_REQUEST) {
    throw invalidField(
      'time_series',
      `A request may contain at most ${MAX_SERIES_PER_REQUEST} TimeSeries, got ${rawList.length}`,
    );
  }
  const parsed = rawList.map((r, i) => parseSeries(r, `timeSeries[${i}]`));
  const seen = new Set<string>();
  parsed.forEach((s, i) => {
    const f = `timeSeries[${i}]`;
    if (!isUserMetric(s.metric.type)) {
      throw invalidField(
        `${f}.metric.type`,
        'Only user-defined metrics (custom.googleapis.com/…, workload.googleapis.com/…) can be written',
        s.metric.type,
      );
    }
    if (!USER_METRIC_RESOURCES.has(s.resource.type)) {
      throw invalidField(
        `${f}.resource.type`,
        'Unsupported monitored resource type for a user-defined metric',
        s.resource.type,
      );
    }
    if (s.points.length !== 1)
      throw invalidField(`${f}.points`, 'Only one point can be written per TimeSeries per request.');
    const p = s.points[0]!;
    if (p.end < now - MAX_PAST_MS)
      throw invalidField(
        `${f}.points[0].interval.end_time`,
        'Data points cannot be written more than 25h in the past.',
        formatTimestamp(p.end),
      );
    if (p.end > now + MAX_FUTURE_MS)
      throw invalidField(
        `${f}.points[0].interval.end_time`,
        'Data points cannot be written more than 5m in the future.',
        formatTimestamp(p.end),
      );
    const key = seriesKey(s.metric, s.resource);
    if (seen.has(key))
      throw invalidField(
        f,
        'Duplicate TimeSeries encountered. Only one point can be written per TimeSeries per request.',
      );
    seen.add(key);
    checkAgainstDescriptor(descriptorFor(ps, project, s, f, false), s, f);
  });

  const failures = new Map<string, number[]>();
  parsed.forEach((s, i) => {
    const key = seriesKey(s.metric, s.resource);
    const p = s.points[0]!;
    const existing = ps.series[key];
    const last = existing?.points[existing.points.length - 1];
    let why: string | undefined;
    if (last && p.end <= last.end) {
      why =
        'Points must be written in order. One or more of the points specified had an older start time than the most recent point.';
    } else if (last && p.end - last.end < MIN_WRITE_SPACING_MS) {
      why =
        'One or more points were written more frequently than the maximum sampling period configured for the metric.';
    }
    if (why) failures.set(why, [...(failures.get(why) ?? []), i]);
    else appendPoint(ps, s, key, p, visibleAt(timings, s.metric.type, p.end, now, true));
  });
  if (failures.size > 0) {
    const parts = [...failures.entries()].map(([why, idx]) => `${why}: timeSeries[${ranges(idx)}]`);
    throw badRequest(`One or more TimeSeries could not be written: ${parts.join('; ')}`);
  }
}

/** `[0,2,3,4,7]` → `0,2-4,7`, the way Google lists failed series. */
function ranges(idx: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < idx.length; i++) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++;
    out.push(j > i ? `${idx[i]}-${idx[j]}` : `${idx[i]}`);
    i = j;
  }
  return out.join(',');
}

function appendPoint(
  ps: ProjectState,
  s: ParsedSeries,
  key: string,
  parsed: { start?: number; end: number; value: PointValue },
  visible: number,
): void {
  const { end, value } = parsed;
  const start = parsed.start ?? end;
  const d = ps.descriptors[s.metric.type] ?? builtinDescriptor('', s.metric.type)!;
  ps.series[key] ??= {
    metric: s.metric,
    resource: s.resource,
    metricKind: d.metricKind,
    valueType: d.valueType,
    points: [],
  };
  const series = ps.series[key];
  if (d.unit) series.unit = d.unit;
  const point: Point = { start: d.metricKind === 'GAUGE' ? end : start, end, value, visibleAt: visible };
  const pts = series.points;
  // The simulation may write several points at once; keep them sorted, a repeated end time replaces.
  let at = pts.length;
  while (at > 0 && pts[at - 1]!.end > end) at--;
  if (at > 0 && pts[at - 1]!.end === end) pts[at - 1] = point;
  else pts.splice(at, 0, point);
}

/**
 * The world simulation's writes: any metric type (built-in ones included), several points per series,
 * no ordering or rate rules. Kind and value type must still match the descriptor. Google's own metrics
 * become visible their ingestion latency after the point's end; user-defined ones after the write.
 */
export function writeInternal(ps: ProjectState, project: string, list: unknown[], now: number, timings: Timings): void {
  list.forEach((raw, i) => {
    const s = parseSeries(raw, `timeSeries[${i}]`);
    if (s.points.length === 0) return;
    const f = `timeSeries[${i}]`;
    checkAgainstDescriptor(descriptorFor(ps, project, s, f, true), s, f);
    const key = seriesKey(s.metric, s.resource);
    const user = isUserMetric(s.metric.type);
    for (const p of s.points) appendPoint(ps, s, key, p, visibleAt(timings, s.metric.type, p.end, now, user));
  });
}

// ---- reading time series ----------------------------------------------------------------------

/**
 * Series matching a filter, with their points cut to the interval (gauge: [start, end]; others:
 * (start, end]). Only points visible at `now` are read: Google's ingestion latency hides the rest.
 */
export function selectSeries(
  ps: ProjectState,
  project: string,
  node: FilterNode,
  start: number,
  end: number,
  now: number,
): Series[] {
  const out: Series[] = [];
  for (const s of Object.values(ps.series)) {
    if (!evaluateFilter(node, { project, metric: s.metric, resource: s.resource })) continue;
    const visible = s.points.filter((p) => (p.visibleAt ?? 0) <= now);
    const points = visible.filter((p) =>
      s.metricKind === 'GAUGE' || start === end ? p.end >= start && p.end <= end : p.end > start && p.end <= end,
    );
    // Aligners that need the value before the window (cumulative deltas) see one earlier point.
    const before = visible.filter((p) => p.end <= start).at(-1);
    if (points.length > 0)
      out.push({ ...s, points: before && s.metricKind === 'CUMULATIVE' ? [before, ...points] : points });
  }
  return out;
}

export function seriesJson(s: Series, headersOnly: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    metric: { type: s.metric.type, labels: s.metric.labels },
    resource: { type: s.resource.type, labels: s.resource.labels },
    metricKind: s.metricKind,
    valueType: s.valueType,
    points: headersOnly
      ? []
      : [...s.points].reverse().map((p) => ({
          interval: { startTime: formatTimestamp(p.start), endTime: formatTimestamp(p.end) },
          value: formatTypedValue(s.valueType, p.value),
        })),
  };
  if (s.unit) out.unit = s.unit;
  return out;
}

export function listTimeSeries(
  ps: ProjectState,
  project: string,
  q: URLSearchParams,
  now: number,
): Record<string, unknown> {
  const filter = q.get('filter') ?? '';
  if (!filter) throw invalidField('filter', 'A filter is required');
  const node = parseFilter(filter);
  if (!singleMetricType(node)) throw invalidField('filter', 'The filter must specify exactly one metric type', filter);
  const endRaw = q.get('interval.endTime');
  if (!endRaw) throw invalidField('interval.end_time', 'The end time is required');
  const end = parseTimestamp(endRaw, 'interval.end_time');
  const startRaw = q.get('interval.startTime');
  const start = startRaw ? parseTimestamp(startRaw, 'interval.start_time') : end;
  if (start > end) throw invalidField('interval.start_time', 'The start time must not be after the end time', startRaw);
  if (q.get('orderBy')) throw invalidField('order_by', 'Unsupported: must be left blank', q.get('orderBy'));
  const view = parseEnum('view', q.get('view') ?? undefined, 'view');
  const agg = parseAggregation(
    {
      alignmentPeriod: q.get('aggregation.alignmentPeriod') ?? undefined,
      perSeriesAligner: q.get('aggregation.perSeriesAligner') ?? undefined,
      crossSeriesReducer: q.get('aggregation.crossSeriesReducer') ?? undefined,
      groupByFields: q.getAll('aggregation.groupByFields'),
    },
    'aggregation',
  );
  // Each aligned point summarises the period before it, so the data read reaches one period back.
  const readFrom = agg.aligner === 'ALIGN_NONE' ? start : start - agg.periodMs;
  let series = aggregate(selectSeries(ps, project, node, readFrom, end, now), agg, start, end);
  series = series
    .filter((s) => s.points.some((p) => p.end >= start))
    .map((s) => ({ ...s, points: s.points.filter((p) => p.end >= start || start === end) }));
  series.sort((a, b) => seriesKey(a.metric, a.resource).localeCompare(seriesKey(b.metric, b.resource)));
  // Google counts points (view FULL) against page_size; the twin counts series.
  const page = paginate(series, q, monitoringPaging(100_000), `projects/${project}/timeSeries`);
  const body: Record<string, unknown> = { timeSeries: page.items.map((s) => seriesJson(s, view === 'HEADERS')) };
  if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
  return body;
}

/** Drops points older than `cutoff` and series left empty (keeps memory bounded). */
export function prune(ps: ProjectState, cutoff: number): void {
  for (const [k, s] of Object.entries(ps.series)) {
    const firstKept = s.points.findIndex((p) => p.end >= cutoff);
    if (firstKept < 0) delete ps.series[k];
    else if (firstKept > 0) s.points.splice(0, firstKept);
  }
}

export function isTimeSeriesList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.every((x) => isPlainObject(x));
}
