import { startTwin, type Twin } from '../../helpers/twin';

/**
 * Google's clock in Monitoring (emulator/core/timings.ts): a point is readable only after the
 * metric's ingestion latency, alert policies are evaluated once a minute and notifications leave
 * later still. The virtual clock barely moves by itself (0.001× real time); every delay is crossed
 * by an explicit advance.
 */
const P = 'mon-latency';
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ project: P, clockSpeed: 0.001 });
});
afterAll(async () => {
  await w.close();
});

const sec = (ms: number) => ({ seconds: Math.floor(ms / 1000) });

/** What the world simulation does: write a point of one of Google's own metrics ending now. */
function googlePoint(type: string, resourceType: string, valueKind: 'int64' | 'distribution'): number {
  const end = w.emu.ctx.clock.now();
  const value =
    valueKind === 'int64'
      ? { int64Value: '5' }
      : {
          distributionValue: {
            count: '1',
            mean: 40,
            bucketOptions: { explicitBuckets: { bounds: [0, 100] } },
            bucketCounts: ['0', '1', '0'],
          },
        };
  w.emu.monitoring.write(P, {
    metric: { type, labels: { response_code_class: '200' } },
    resource: { type: resourceType, labels: { project_id: P } },
    points: [{ interval: { startTime: end - 60_000, endTime: end }, value }],
  });
  return end;
}

async function count(type: string): Promise<number> {
  const now = w.emu.ctx.clock.now();
  const [series] = await w.gcp.monitoring.metrics.listTimeSeries({
    name: `projects/${P}`,
    filter: `metric.type = "${type}"`,
    interval: { startTime: sec(now - 3_600_000), endTime: sec(now) },
  });
  return series.length;
}

// https://cloud.google.com/monitoring/api/metrics_gcp: "Sampled every 60 seconds. After sampling, data
// is not visible for up to N seconds".
test.each([
  ['loadbalancing.googleapis.com/https/external/regional/request_count', 'http_external_regional_lb_rule', 'int64', 90],
  [
    'loadbalancing.googleapis.com/https/external/regional/backend_latencies',
    'http_external_regional_lb_rule',
    'distribution',
    210,
  ],
  ['loadbalancing.googleapis.com/https/request_count', 'https_lb_rule', 'int64', 210],
  ['loadbalancing.googleapis.com/https/backend_request_count', 'https_lb_rule', 'int64', 210],
] as const)('%s is readable %i s after its end time… (%s)', async (type, resource, kind, seconds) => {
  googlePoint(type, resource, kind);
  w.advance(seconds * 1000 - 1_000);
  expect(await count(type)).toBe(0);
  w.advance(1_000);
  expect(await count(type)).toBe(1);
});

test('a user-defined point is readable "in a few seconds" (5 s) after the write', async () => {
  const type = 'custom.googleapis.com/latency/probe';
  await w.gcp.monitoring.metrics.createTimeSeries({
    name: `projects/${P}`,
    timeSeries: [
      {
        metric: { type, labels: {} },
        resource: { type: 'global', labels: { project_id: P } },
        points: [{ interval: { endTime: sec(w.emu.ctx.clock.now()) }, value: { doubleValue: 1 } }],
      },
    ],
  });
  w.advance(4_000);
  expect(await count(type)).toBe(0);
  w.advance(1_000);
  expect(await count(type)).toBe(1);
});

test('alert policies are evaluated once a minute; the Pub/Sub notification leaves 30 s after the incident opens', async () => {
  const type = 'custom.googleapis.com/latency/error_ratio';
  const [topic] = await w.gcp.pubsub.createTopic('latency-alerts');
  const [channel] = await w.gcp.monitoring.notificationChannels.createNotificationChannel({
    name: `projects/${P}`,
    notificationChannel: { type: 'pubsub', labels: { topic: `projects/${P}/topics/${topic.name.split('/').pop()}` } },
  });
  await w.gcp.monitoring.alertPolicies.createAlertPolicy({
    name: `projects/${P}`,
    alertPolicy: {
      displayName: 'errors',
      combiner: 'OR',
      conditions: [
        {
          displayName: 'ratio > 0.1',
          conditionThreshold: {
            filter: `metric.type = "${type}" AND resource.type = "global"`,
            comparison: 'COMPARISON_GT',
            thresholdValue: 0.1,
            duration: { seconds: 0 },
          },
        },
      ],
      notificationChannels: [channel.name!],
    },
  });
  await w.control.call('POST', '/__emulator/monitoring/evaluate'); // an evaluation now: the cycle starts here
  await w.gcp.monitoring.metrics.createTimeSeries({
    name: `projects/${P}`,
    timeSeries: [
      {
        metric: { type, labels: {} },
        resource: { type: 'global', labels: { project_id: P } },
        points: [{ interval: { endTime: sec(w.emu.ctx.clock.now()) }, value: { doubleValue: 0.5 } }],
      },
    ],
  });
  const incidents = () => w.emu.monitoring.incidents().filter((i) => i.metric.type === type);
  const published = async () => (await w.control.topicMessages('latency-alerts', P)).length;

  w.advance(59_000); // visible after 5 s, but the next evaluation is at 60 s
  expect(incidents()).toHaveLength(0);
  w.advance(1_000);
  expect(incidents()).toHaveLength(1);
  expect(await published()).toBe(0);
  w.advance(29_000);
  expect(await published()).toBe(0);
  w.advance(1_000);
  expect(await published()).toBe(1);
});
