import type { Message, Subscription } from '@google-cloud/pubsub';
import { startTwin, type Twin } from '../../helpers/twin';

/**
 * Monitoring v3 through the official clients (REST fallback: integer enums, RFC 3339 times), and
 * an alert policy evaluated into schema-1.2 incidents read back through the official Pub/Sub client.
 */
const P = 'mon-proj';
const METRIC = 'custom.googleapis.com/georoute/error_ratio';
const FILTER = `metric.type = "${METRIC}" AND resource.type = "global"`;

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ project: P });
});
afterAll(async () => {
  await w.close();
});

/**
 * With an auth client (PassThroughClient here, GoogleAuth in production) google-gax's REST fallback
 * fetches through gaxios, which throws a GaxiosError on non-2xx: `code` is the HTTP status and the
 * message is Google's JSON error body (so the gRPC status name is in it).
 */
const invalid = { code: 400, message: expect.stringContaining('"status":"INVALID_ARGUMENT"') };
const missing = { code: 404, message: expect.stringContaining('"status":"NOT_FOUND"') };

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const point = (value: number, region = 'eu') => ({
  metric: { type: METRIC, labels: { region } },
  resource: { type: 'global', labels: { project_id: P } },
  points: [{ interval: { endTime: ts(w.emu.ctx.clock.now()) }, value: { doubleValue: value } }],
});
const write = (value: number, region = 'eu') =>
  w.gcp.monitoring.metrics.createTimeSeries({ name: `projects/${P}`, timeSeries: [point(value, region)] });
const advance = (ms: number) => {
  w.emu.ctx.clock.advance(ms);
  w.emu.tick();
};

test('metric descriptors: create, get (path with slashes), list with starts_with, 400 for a built-in type', async () => {
  const [created] = await w.gcp.monitoring.metrics.createMetricDescriptor({
    name: `projects/${P}`,
    metricDescriptor: {
      type: METRIC,
      metricKind: 'GAUGE',
      valueType: 'DOUBLE',
      labels: [{ key: 'region', valueType: 'STRING' }],
      displayName: 'Error ratio',
    },
  });
  expect(created.name).toBe(`projects/${P}/metricDescriptors/${METRIC}`);
  const [got] = await w.gcp.monitoring.metrics.getMetricDescriptor({ name: created.name! });
  expect(got).toMatchObject({ type: METRIC, metricKind: 'GAUGE', valueType: 'DOUBLE' });
  expect(got.labels?.[0]).toMatchObject({ key: 'region', valueType: 'STRING' });
  const [list] = await w.gcp.monitoring.metrics.listMetricDescriptors({
    name: `projects/${P}`,
    filter: 'metric.type = starts_with("custom.googleapis.com/")',
  });
  expect(list.map((d) => d.type)).toEqual([METRIC]);
  await expect(
    w.gcp.monitoring.metrics.createMetricDescriptor({
      name: `projects/${P}`,
      metricDescriptor: {
        type: 'loadbalancing.googleapis.com/https/request_count',
        metricKind: 'DELTA',
        valueType: 'INT64',
      },
    }),
  ).rejects.toMatchObject(invalid);
  await expect(
    w.gcp.monitoring.metrics.getMetricDescriptor({
      name: `projects/${P}/metricDescriptors/custom.googleapis.com/nope`,
    }),
  ).rejects.toMatchObject(missing);
});

test('time series: write, list raw (newest first) and aligned, out-of-order and non-custom writes → 400', async () => {
  const t0 = w.emu.ctx.clock.now();
  await write(0.02);
  advance(60_000);
  await write(0.04);
  // A user-defined point is readable "in a few seconds" (timings.ts: 5 s).
  advance(5_000);
  const [raw] = await w.gcp.monitoring.metrics.listTimeSeries({
    name: `projects/${P}`,
    filter: `metric.type = "${METRIC}" AND metric.labels.region = "eu"`,
    interval: { startTime: ts(t0 - 1000), endTime: ts(w.emu.ctx.clock.now()) },
    view: 'FULL',
  });
  expect(raw).toHaveLength(1);
  expect(raw[0]!.points!.map((p) => p.value!.doubleValue)).toEqual([0.04, 0.02]);
  expect(raw[0]).toMatchObject({ metricKind: 'GAUGE', valueType: 'DOUBLE', metric: { labels: { region: 'eu' } } });

  const [aligned] = await w.gcp.monitoring.metrics.listTimeSeries({
    name: `projects/${P}`,
    filter: `metric.type = "${METRIC}"`,
    interval: { startTime: ts(t0 - 1000), endTime: ts(w.emu.ctx.clock.now()) },
    aggregation: { alignmentPeriod: { seconds: 120 }, perSeriesAligner: 'ALIGN_MEAN' },
  });
  expect(aligned[0]!.points).toHaveLength(1);
  expect(aligned[0]!.points![0]!.value!.doubleValue).toBeCloseTo(0.03);

  const stale = point(0.5);
  stale.points[0]!.interval.endTime = ts(t0 + 1000);
  await expect(
    w.gcp.monitoring.metrics.createTimeSeries({ name: `projects/${P}`, timeSeries: [stale] }),
  ).rejects.toMatchObject({ code: 400, message: expect.stringContaining('Points must be written in order') });

  const builtin = point(1);
  builtin.metric.type = 'loadbalancing.googleapis.com/https/request_count';
  await expect(
    w.gcp.monitoring.metrics.createTimeSeries({ name: `projects/${P}`, timeSeries: [builtin] }),
  ).rejects.toMatchObject(invalid);
  await expect(
    w.gcp.monitoring.metrics.listTimeSeries({
      name: `projects/${P}`,
      filter: 'resource.type = "global"',
      interval: { endTime: ts(t0) },
    }),
  ).rejects.toMatchObject(invalid);
});

describe('alerting into Pub/Sub', () => {
  const topicName = 'health-alerts';
  let subscription: Subscription;
  const received: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  let channel: string;

  beforeAll(async () => {
    const [topic] = await w.gcp.pubsub.createTopic(topicName);
    [subscription] = await topic.createSubscription('health-alerts-pull');
    subscription.on('message', (m: Message) => {
      m.ack();
      // Delivery is at least once (the virtual clock may pass the ack deadline before the ack lands).
      const text = m.data.toString('utf8');
      if (!seen.has(text)) received.push(JSON.parse(text) as Record<string, unknown>);
      seen.add(text);
    });
  });
  afterAll(async () => {
    await subscription?.close();
  });

  /** Plays up to 5 virtual minutes: a point every 60 s, evaluation every 30 s, until `n` messages came. */
  async function keepWriting(value: number, n: number): Promise<void> {
    for (let step = 0; step < 10 && received.length < n; step++) {
      advance(30_000);
      if (step % 2 === 1) await write(value);
      for (let i = 0; i < 20 && received.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    }
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(n);
  }

  test('a pubsub notification channel: created, label validated', async () => {
    const [ch] = await w.gcp.monitoring.notificationChannels.createNotificationChannel({
      name: `projects/${P}`,
      notificationChannel: {
        type: 'pubsub',
        displayName: 'health',
        labels: { topic: `projects/${P}/topics/${topicName}` },
      },
    });
    channel = ch.name!;
    expect(channel).toMatch(new RegExp(`^projects/${P}/notificationChannels/\\d+$`));
    await expect(
      w.gcp.monitoring.notificationChannels.createNotificationChannel({
        name: `projects/${P}`,
        notificationChannel: { type: 'pubsub', labels: {} },
      }),
    ).rejects.toMatchObject(invalid);
  });

  const policy = () => ({
    displayName: 'error ratio high',
    combiner: 'OR' as const,
    userLabels: { georoute: 'health' },
    conditions: [
      {
        displayName: 'error ratio > 0.1',
        conditionThreshold: {
          filter: FILTER,
          aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MEAN' as const }],
          comparison: 'COMPARISON_GT' as const,
          thresholdValue: 0.1,
          duration: { seconds: 60 },
          trigger: { count: 1 },
        },
      },
    ],
    notificationChannels: [channel],
  });

  test('bad policies → 400: missing filter, unknown channel, duration not a multiple of 60 s, unsupported comparison', async () => {
    const client = w.gcp.monitoring.alertPolicies;
    const noFilter = policy();
    noFilter.conditions[0]!.conditionThreshold.filter = '';
    await expect(client.createAlertPolicy({ name: `projects/${P}`, alertPolicy: noFilter })).rejects.toMatchObject(
      invalid,
    );
    const badChannel = { ...policy(), notificationChannels: [`projects/${P}/notificationChannels/123`] };
    await expect(client.createAlertPolicy({ name: `projects/${P}`, alertPolicy: badChannel })).rejects.toMatchObject(
      invalid,
    );
    const odd = policy();
    odd.conditions[0]!.conditionThreshold.duration = { seconds: 90 };
    await expect(client.createAlertPolicy({ name: `projects/${P}`, alertPolicy: odd })).rejects.toMatchObject(invalid);
    const ge = policy() as { conditions: Array<{ conditionThreshold: { comparison: string } }> };
    ge.conditions[0]!.conditionThreshold.comparison = 'COMPARISON_GE'; // only GT and LT are supported
    await expect(client.createAlertPolicy({ name: `projects/${P}`, alertPolicy: ge as never })).rejects.toMatchObject(
      invalid,
    );
  });

  test('a threshold held for its duration opens an incident (1.2), and its end closes it', async () => {
    const [created] = await w.gcp.monitoring.alertPolicies.createAlertPolicy({
      name: `projects/${P}`,
      alertPolicy: policy(),
    });
    expect(created.conditions![0]!.name).toMatch(new RegExp(`^${created.name}/conditions/\\d+$`));
    expect(created.conditions![0]!.conditionThreshold).toMatchObject({
      comparison: 'COMPARISON_GT',
      thresholdValue: 0.1,
    });
    const [fetched] = await w.gcp.monitoring.alertPolicies.getAlertPolicy({ name: created.name! });
    expect(fetched.enabled?.value).toBe(true);

    advance(60_000);
    await write(0.5);
    advance(30_000);
    expect(received).toHaveLength(0); // violating, but not yet for the condition's 60 s
    await keepWriting(0.6, 1);
    const open = received[0] as { version: string; incident: Record<string, unknown> };
    expect(open.version).toBe('1.2');
    expect(open.incident).toMatchObject({
      state: 'open',
      ended_at: null,
      scoping_project_id: P,
      policy_name: 'error ratio high',
      policy_user_labels: { georoute: 'health' },
      condition_name: 'error ratio > 0.1',
      threshold_value: '0.1',
      resource: { type: 'global', labels: { project_id: P } },
      metric: { type: METRIC, labels: { region: 'eu' } },
    });
    expect(['0.5', '0.6']).toContain(open.incident.observed_value);
    expect(typeof open.incident.started_at).toBe('number');

    await keepWriting(0.01, 2);
    const closed = received[1] as { version: string; incident: Record<string, unknown> };
    expect(closed.incident).toMatchObject({ state: 'closed', incident_id: open.incident.incident_id });
    expect(typeof closed.incident.ended_at).toBe('number');

    const view = await w.control.incidents();
    expect(view.incidents.map((i) => i.state)).toEqual(['closed']);
  });

  test('policies: list, patch with an update mask, channel in use → FAILED_PRECONDITION, delete', async () => {
    const client = w.gcp.monitoring.alertPolicies;
    const [list] = await client.listAlertPolicies({ name: `projects/${P}` });
    expect(list).toHaveLength(1);
    const name = list[0]!.name!;
    const [patched] = await client.updateAlertPolicy({
      alertPolicy: { name, displayName: 'renamed' },
      updateMask: { paths: ['display_name'] },
    });
    expect(patched).toMatchObject({ displayName: 'renamed', userLabels: { georoute: 'health' } });
    expect(patched.conditions).toHaveLength(1);
    await expect(
      w.gcp.monitoring.notificationChannels.deleteNotificationChannel({ name: channel }),
    ).rejects.toMatchObject({
      code: 400,
      message: expect.stringContaining('FAILED_PRECONDITION'),
    });
    await client.deleteAlertPolicy({ name });
    await expect(client.getAlertPolicy({ name })).rejects.toMatchObject(missing);
    await w.gcp.monitoring.notificationChannels.deleteNotificationChannel({ name: channel });
  });
});
