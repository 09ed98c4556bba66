import { allMetricVisibility, resolveTimings } from '../../../emulator/core/timings';
import { createContext } from '../../../emulator/core/world';
import { MonitoringService } from '../../../emulator/monitoring';
import { encodeEnums } from '../../../emulator/monitoring/enums';
import { evaluateFilter, parseFilter } from '../../../emulator/monitoring/filter';
import { createTimeSeries, listTimeSeries } from '../../../emulator/monitoring/metrics';
import type { ProjectState } from '../../../emulator/monitoring/types';

/** Unit level: filters, aggregation, write rules and alert evaluation with a recording broker. */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** These tests are about filters, aggregation and evaluation logic, not Google's delays (latency.test.ts). */
const NO_DELAYS = { metricVisibilityMs: allMetricVisibility(0), alertEvaluationMs: 30_000, alertNotificationMs: 0 };
const TIMINGS = resolveTimings(NO_DELAYS);
const empty = (): ProjectState => ({ descriptors: {}, series: {}, channels: {}, policies: {} });
const iso = (ms: number) => new Date(ms).toISOString();
const q = (o: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
};
const series = (type: string, labels: Record<string, string>, end: number, value: unknown, extra: object = {}) => ({
  metric: { type, labels },
  resource: { type: 'global', labels: {} },
  points: [{ interval: { endTime: iso(end) }, value }],
  ...extra,
});

describe('filters', () => {
  const subject = (region: string) => ({
    metric: { type: 'custom.googleapis.com/georoute/error_ratio', labels: { region } },
    resource: { type: 'global', labels: { project_id: 'p' } },
  });
  test.each([
    ['metric.type = "custom.googleapis.com/georoute/error_ratio" resource.type = "global"', 'eu', true],
    ['metric.type = starts_with("custom.googleapis.com/") AND metric.label.region = one_of("eu", "us")', 'us', true],
    ['metric.labels.region = one_of("eu", "us")', 'asia', false],
    ['metric.labels.region != "eu"', 'eu', false],
    ['NOT metric.labels.region = "eu" OR resource.labels.project_id = "p"', 'eu', true],
    ['(metric.labels.region = "eu" OR metric.labels.region = "us") AND -resource.type = "global"', 'eu', false],
    ['metric.labels.region = monitoring.regex.full_match("e.")', 'eu', true],
    ['metric.labels.region : "s"', 'us', true],
  ])('%s (region %s) → %s', (filter, region, want) => {
    expect(evaluateFilter(parseFilter(filter), subject(region))).toBe(want);
  });
  test('syntax errors are 400s', () => {
    expect(() => parseFilter('metric.type = ')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseFilter('metric.type = "a" AND (')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('time series', () => {
  test('one point per 5 s per series; at most 200 series; partial failure names the indexes', () => {
    const ps = empty();
    const m = 'custom.googleapis.com/x';
    createTimeSeries(ps, 'p', [series(m, { r: 'a' }, T0, { doubleValue: 1 })], T0, TIMINGS);
    expect(() =>
      createTimeSeries(
        ps,
        'p',
        [series(m, { r: 'a' }, T0 + 4_000, { doubleValue: 2 }), series(m, { r: 'b' }, T0 + 4_000, { doubleValue: 2 })],
        T0 + 4_000,
        TIMINGS,
      ),
    ).toThrow(/more frequently than the maximum sampling period.*timeSeries\[0\]/);
    // The valid series of the request was written anyway.
    expect(ps.series[Object.keys(ps.series).find((k) => k.includes('"b"'))!]!.points).toHaveLength(1);
    const many = Array.from({ length: 201 }, (_, i) => series(m, { r: `s${i}` }, T0 + 10_000, { doubleValue: 1 }));
    expect(() => createTimeSeries(ps, 'p', many, T0 + 10_000, TIMINGS)).toThrow(/at most 200/);
    expect(() =>
      createTimeSeries(ps, 'p', [series(m, { r: 'a' }, T0 + 10_000, { int64Value: '3' })], T0 + 10_000, TIMINGS),
    ).toThrow(/must be DOUBLE, but is INT64/);
    expect(() =>
      createTimeSeries(ps, 'p', [series(m, { r: 'a' }, T0 - 26 * 3600_000, { doubleValue: 1 })], T0, TIMINGS),
    ).toThrow(/25h/);
  });

  test('ALIGN_RATE on a cumulative counter, then REDUCE_SUM grouped by region', () => {
    const svc = new MonitoringService(createContext({ startTime: T0, timings: NO_DELAYS }), { publish: () => '1' });
    const m = 'custom.googleapis.com/requests';
    for (const [zone, region, perMin] of [
      ['a', 'eu', 60],
      ['b', 'eu', 120],
      ['c', 'us', 600],
    ] as const) {
      const points = [0, 1, 2, 3].map((i) => ({
        interval: { startTime: iso(T0), endTime: iso(T0 + (i + 1) * 60_000) },
        value: { int64Value: String(perMin * (i + 1)) },
      }));
      svc.write('p', {
        metric: { type: m, labels: { region, zone } },
        resource: { type: 'global', labels: {} },
        metricKind: 'CUMULATIVE',
        points,
      });
    }
    const ps = (svc.snapshot() as { projects: Record<string, ProjectState> }).projects.p!;
    const out = listTimeSeries(
      ps,
      'p',
      q({
        filter: `metric.type = "${m}"`,
        'interval.startTime': iso(T0 + 60_000),
        'interval.endTime': iso(T0 + 240_000),
        'aggregation.alignmentPeriod': '60s',
        'aggregation.perSeriesAligner': '2', // ALIGN_RATE, as the REST client sends it
        'aggregation.crossSeriesReducer': 'REDUCE_SUM',
        'aggregation.groupByFields': 'metric.label.region',
      }),
      T0 + 240_000,
    ) as {
      timeSeries: Array<{
        metric: { labels: Record<string, string> };
        points: Array<{ value: { doubleValue: number } }>;
      }>;
    };
    const byRegion = Object.fromEntries(
      out.timeSeries.map((s) => [s.metric.labels.region, s.points.map((p) => p.value.doubleValue)]),
    );
    expect(byRegion.eu).toEqual([3, 3, 3]); // (60 + 120) / 60 s, newest first
    expect(byRegion.us).toEqual([10, 10, 10]);
    expect(out.timeSeries.every((s) => Object.keys(s.metric.labels).join() === 'region')).toBe(true);
  });

  test('built-in DELTA distributions from the simulation: ALIGN_PERCENTILE_99 and ALIGN_DELTA; clients cannot write them', () => {
    const svc = new MonitoringService(createContext({ startTime: T0, timings: NO_DELAYS }), { publish: () => '1' });
    const m = 'loadbalancing.googleapis.com/https/backend_latencies';
    const dist = (counts: number[]) => ({
      distributionValue: {
        count: String(counts.reduce((a, b) => a + b, 0)),
        mean: 50,
        bucketOptions: { explicitBuckets: { bounds: [0, 100, 200] } },
        bucketCounts: counts.map(String),
      },
    });
    svc.write('p', {
      metric: { type: m, labels: {} },
      resource: { type: 'https_lb_rule', labels: { region: 'europe-west4' } },
      points: [
        { interval: { startTime: T0, endTime: T0 + 30_000 }, value: dist([0, 98, 2, 0]) },
        { interval: { startTime: T0 + 30_000, endTime: T0 + 60_000 }, value: dist([0, 100, 0, 0]) },
      ],
    });
    const ps = (svc.snapshot() as { projects: Record<string, ProjectState> }).projects.p!;
    const list = (aligner: string) =>
      listTimeSeries(
        ps,
        'p',
        q({
          filter: `metric.type = "${m}" AND resource.labels.region = "europe-west4"`,
          'interval.endTime': iso(T0 + 60_000),
          'aggregation.alignmentPeriod': '60s',
          'aggregation.perSeriesAligner': aligner,
        }),
        T0 + 60_000,
      ) as { timeSeries: Array<{ valueType: string; points: Array<{ value: Record<string, unknown> }> }> };
    const p99 = list('ALIGN_PERCENTILE_99').timeSeries[0]!;
    expect(p99.valueType).toBe('DOUBLE');
    expect(p99.points[0]!.value.doubleValue).toBeCloseTo(100); // rank 198 of 200 sits at the 100 ms bucket edge
    const delta = list('ALIGN_DELTA').timeSeries[0]!;
    expect(delta.points[0]!.value.distributionValue).toMatchObject({
      count: '200',
      bucketCounts: ['0', '198', '2', '0'],
    });
    expect(() => list('ALIGN_MEAN_NOPE')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() =>
      createTimeSeries(ps, 'p', [series(m, {}, T0 + 120_000, { doubleValue: 1 })], T0 + 120_000, TIMINGS),
    ).toThrow(expect.objectContaining({ status: 400 }));
  });

  test('int enum encoding of responses, by the response message of the protos', () => {
    const descriptor = { metricKind: 'GAUGE', valueType: 'DOUBLE', labels: [{ key: 'r', valueType: 'INT64' }] };
    expect(encodeEnums(descriptor, 'google.api.MetricDescriptor')).toEqual({
      metricKind: 1,
      valueType: 3,
      labels: [{ key: 'r', valueType: 2 }],
    });
  });
});

describe('alert evaluation (recording broker)', () => {
  const M = 'custom.googleapis.com/georoute/error_ratio';
  function setup(brokerFails = false) {
    const ctx = createContext({ startTime: T0, timings: NO_DELAYS });
    const published: Array<{ topic: string; payload: { version: string; incident: Record<string, unknown> } }> = [];
    const svc = new MonitoringService(ctx, {
      publish: (topic, data) => {
        if (brokerFails) throw new Error(`Topic not found: ${topic}`);
        published.push({ topic, payload: JSON.parse(data.toString('utf8')) });
        return String(published.length);
      },
    });
    const routes = new Map<string, (req: unknown) => unknown>();
    svc.register({
      add: (method: string, path: string, _o: unknown, fn: (req: unknown) => unknown) =>
        routes.set(`${method} ${path}`, fn),
      get: (path: string, _api: unknown, fn: (req: unknown) => unknown) => routes.set(`GET ${path}`, fn),
    } as never);
    const call = (key: string, params: Record<string, string>, body?: unknown) =>
      routes.get(key)!({ params, body, query: new URLSearchParams(), headers: {}, method: '', path: '' }) as Record<
        string,
        unknown
      >;
    const ch = call(
      'POST /v3/projects/:project/notificationChannels',
      { project: 'p' },
      {
        type: 'pubsub',
        labels: { topic: 'projects/p/topics/alerts' },
      },
    );
    call(
      'POST /v3/projects/:project/alertPolicies',
      { project: 'p' },
      {
        displayName: 'high errors',
        conditions: [
          {
            displayName: 'ratio',
            conditionThreshold: {
              filter: `metric.type = "${M}" AND resource.type = "global"`,
              comparison: 1,
              thresholdValue: 0.2,
              duration: '60s',
              evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
            },
          },
        ],
        notificationChannels: [ch.name],
      },
    );
    const write = (region: string, v: number) =>
      svc.write('p', series(M, { region }, ctx.clock.now(), { doubleValue: v }));
    const step = (ms: number) => {
      ctx.clock.advance(ms);
      svc.tick(ctx.clock.now());
    };
    return { svc, ctx, published, write, step };
  }

  test('one incident per violating series; missing data with INACTIVE closes it', () => {
    const { svc, published, write, step } = setup();
    write('eu', 0.5);
    write('us', 0.01);
    step(30_000);
    write('eu', 0.5);
    write('us', 0.01);
    step(30_000);
    expect(published.map((p) => p.payload.incident.state)).toEqual(['open']);
    expect(published[0]!.topic).toBe('projects/p/topics/alerts');
    expect(published[0]!.payload.incident).toMatchObject({
      metric: { labels: { region: 'eu' } },
      observed_value: '0.5',
    });
    for (let i = 0; i < 12; i++) step(30_000); // the eu series stops reporting
    expect(published.map((p) => p.payload.incident.state)).toEqual(['open', 'closed']);
    expect(published[1]!.payload.incident.incident_id).toBe(published[0]!.payload.incident.incident_id);
    expect(svc.incidents().map((i) => i.state)).toEqual(['closed']);
  });

  test('a publish failure is swallowed and recorded; state survives snapshot/restore', () => {
    const { svc, ctx, write, step } = setup(true);
    for (let i = 0; i < 4; i++) {
      write('eu', 0.9);
      step(30_000);
    }
    expect(svc.incidents()).toHaveLength(1);
    const snap = svc.snapshot() as { deliveries: Array<{ error?: string }> };
    expect(snap.deliveries[0]!.error).toMatch(/Topic not found/);
    const copy = new MonitoringService(ctx, { publish: () => '1' });
    copy.restore(JSON.parse(JSON.stringify(snap)));
    expect(copy.incidents()).toEqual(svc.incidents());
    copy.reset();
    expect(copy.incidents()).toEqual([]);
  });
});
