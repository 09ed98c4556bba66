import { startTwin, type Twin } from '../../helpers/twin';

/**
 * The filter language of timeSeries.list and which metrics clients may write, through the official
 * client, against https://cloud.google.com/monitoring/api/v3/filters and
 * https://cloud.google.com/monitoring/api/v3/naming-conventions.
 */
const P = 'mon-filters';
const METRIC = 'custom.googleapis.com/georoute/probe_ms';
const REGIONS = ['eu-west', 'eu-north', 'us-east', 'asia-east'];

let w: Twin;
let end: { seconds: number };
beforeAll(async () => {
  w = await startTwin({ project: P });
  const now = w.emu.ctx.clock.now();
  await w.gcp.monitoring.metrics.createTimeSeries({
    name: `projects/${P}`,
    timeSeries: REGIONS.map((region, i) => ({
      metric: { type: METRIC, labels: { region } },
      resource: { type: 'gce_instance', labels: { project_id: P, instance_id: String(i), zone: `${region}-a` } },
      points: [{ interval: { endTime: { seconds: Math.floor(now / 1000) } }, value: { doubleValue: i } }],
    })),
  });
  // "You can retrieve the data in a few seconds" (timings.ts: 5 s for user-defined metrics).
  w.advance(5_000);
  end = { seconds: Math.floor(w.emu.ctx.clock.now() / 1000) };
});
afterAll(async () => {
  await w.close();
});

async function regions(filter: string): Promise<string[]> {
  const [series] = await w.gcp.monitoring.metrics.listTimeSeries({
    name: `projects/${P}`,
    filter: `metric.type = "${METRIC}" AND ${filter}`,
    interval: { startTime: { seconds: end.seconds - 60 }, endTime: end },
  });
  return series.map((s) => s.metric!.labels!.region!).sort();
}

const refused = { code: 400, message: expect.stringContaining('"status":"INVALID_ARGUMENT"') };

test.each([
  ['a metric label', 'metric.labels.region = "eu-west"', ['eu-west']],
  ['a resource label', 'resource.labels.zone = "us-east-a"', ['us-east']],
  ['starts_with', 'metric.labels.region = starts_with("eu-")', ['eu-north', 'eu-west']],
  ['ends_with', 'metric.labels.region = ends_with("-east")', ['asia-east', 'us-east']],
  ['has_substring', 'metric.labels.region = has_substring("st")', ['asia-east', 'eu-west', 'us-east']],
  ['one_of', 'metric.labels.region = one_of("us-east", "eu-north")', ['eu-north', 'us-east']],
  [
    'monitoring.regex.full_match',
    'metric.labels.region = monitoring.regex.full_match("eu-.*")',
    ['eu-north', 'eu-west'],
  ],
  ['NOT and !=', 'NOT metric.labels.region = starts_with("eu-") AND metric.labels.region != "us-east"', ['asia-east']],
])('%s: %s', async (_what, filter, want) => {
  expect(await regions(filter)).toEqual(want);
});

test('timeSeries.list needs exactly one metric type: none, a prefix or alternatives are refused', async () => {
  const list = (filter: string) =>
    w.gcp.monitoring.metrics.listTimeSeries({
      name: `projects/${P}`,
      filter,
      interval: { startTime: { seconds: end.seconds - 60 }, endTime: end },
    });
  await expect(list('resource.type = "gce_instance"')).rejects.toMatchObject(refused);
  await expect(list('metric.type = starts_with("custom.googleapis.com/")')).rejects.toMatchObject(refused);
  await expect(list(`metric.type = "${METRIC}" OR metric.type = "custom.googleapis.com/other"`)).rejects.toMatchObject(
    refused,
  );
  await expect(list(`metric.type = "${METRIC}"`)).resolves.toBeDefined();
});

test('createTimeSeries takes user-defined metric types only (custom., external., workload.googleapis.com/)', async () => {
  const write = (type: string) =>
    w.gcp.monitoring.metrics.createTimeSeries({
      name: `projects/${P}`,
      timeSeries: [
        {
          metric: { type, labels: {} },
          resource: { type: 'global', labels: { project_id: P } },
          points: [{ interval: { endTime: end }, value: { int64Value: 1 } }],
        },
      ],
    });
  for (const builtIn of [
    'loadbalancing.googleapis.com/https/request_count',
    'compute.googleapis.com/instance/cpu/utilization',
    'agent.googleapis.com/gpu/utilization',
    'logging.googleapis.com/user/errors',
  ]) {
    await expect(write(builtIn)).rejects.toMatchObject(refused);
  }
  for (const user of [
    'custom.googleapis.com/georoute/writes',
    'external.googleapis.com/prometheus/writes',
    'workload.googleapis.com/writes',
  ]) {
    await expect(write(user)).resolves.toBeDefined();
  }
});
