import { eventually, type FunctionsHarness, startFunctions } from '../helpers/functions';
import { testConfig } from '../helpers/stack';
import { startWorld, type World } from '../helpers/world';

/**
 * The whole loop on the local twin: an error-ratio series crosses the alert policy's threshold →
 * Monitoring publishes the incident to the channel's topic → push → healthAlert → drain, DNS
 * rewrite, neighbours scaled; the series recovers → closing incident → the region ramps back.
 */
const config = testConfig();
const ERROR_RATIO = 'custom.googleapis.com/georoute/error_ratio';
let w: World;
let fx: FunctionsHarness;
let ticks = 0;

beforeAll(async () => {
  w = await startWorld(config);
  fx = await startFunctions(w);
});
afterAll(async () => {
  await fx.close();
  await w.close();
});

async function writeErrorRatio(region: string, value: number): Promise<void> {
  await w.gcp.monitoring.metrics.createTimeSeries({
    name: `projects/${config.project}`,
    timeSeries: [
      {
        metric: { type: ERROR_RATIO, labels: { region } },
        resource: { type: 'global', labels: { project_id: config.project } },
        points: [
          {
            interval: { endTime: { seconds: Math.floor(w.emu.ctx.clock.now() / 1000) } },
            value: { doubleValue: value },
          },
        ],
      },
    ],
  });
}

/** Keeps writing the series for `seconds` of virtual time (a point every 30 s), running the world. */
async function hold(region: string, value: number, seconds: number): Promise<void> {
  for (let t = 0; t < seconds; t += 30) {
    w.advance(30_000);
    await writeErrorRatio(region, value);
  }
}

async function tick(): Promise<void> {
  ticks++;
  await fx.publish(config.pubsub.reconcile, { tick: ticks });
  await eventually(
    () =>
      fx.logs.filter((l) => l.function === 'reconcile' && /^(applied|no action)/.test(String(l.decision))).length >=
      ticks,
  );
}

const scaler = async (region: string) => {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return bs.backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler ?? 1;
};
const floor = async (region: string) => {
  const [a] = await w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region,
    autoscaler: `georoute-as-${region}`,
  });
  return a.autoscalingPolicy?.minNumReplicas ?? 0;
};
const ip = async (region: string) =>
  (await w.gcp.compute.addresses.get({ project: config.project, region, address: `georoute-entry-${region}` }))[0]
    .address;
async function geoAnswers(): Promise<Record<string, string[]>> {
  w.advance(2_000);
  const out: Record<string, string[]> = {};
  for (const l of config.clientLocations) {
    out[l.location] =
      (
        await w.control.resolve({
          project: config.project,
          name: config.dns.recordName,
          type: 'A',
          location: l.location,
        })
      ).rrdatas ?? [];
  }
  return out;
}

test('a regional outage is detected, drained, rerouted and absorbed, then recovered through the ramp', async () => {
  const [channel] = await w.gcp.monitoring.notificationChannels.createNotificationChannel({
    name: `projects/${config.project}`,
    notificationChannel: {
      type: 'pubsub',
      displayName: 'georoute',
      labels: { topic: `projects/${config.project}/topics/${config.pubsub.healthAlerts}` },
    },
  });
  await w.gcp.monitoring.alertPolicies.createAlertPolicy({
    name: `projects/${config.project}`,
    alertPolicy: {
      displayName: 'georoute us-east4 error ratio',
      combiner: 'OR',
      userLabels: { 'georoute-region': 'us-east4', 'georoute-alert': 'error-ratio' },
      conditions: [
        {
          displayName: 'error ratio > 0.05',
          conditionThreshold: {
            filter: `metric.type = "${ERROR_RATIO}" AND resource.type = "global" AND metric.labels.region = "us-east4"`,
            aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MEAN' }],
            comparison: 'COMPARISON_GT',
            thresholdValue: 0.05,
            duration: { seconds: 60 },
            trigger: { count: 1 },
          },
        },
      ],
      notificationChannels: [channel.name as string],
      alertStrategy: { autoClose: { seconds: 1800 } },
    },
  });

  // A steady load, served for a while under georoute's eye (its start-up is long past).
  const load = { 'us-central1': 4, 'us-east4': 8, 'us-west1': 2, 'europe-west4': 4, 'europe-west1': 2 };
  await w.setLoad(load);
  await w.servedForAWhile();
  await w.setLoad(load);
  await hold('us-east4', 0.01, 60);
  await tick();
  const east = await ip('us-east4');
  const central = await ip('us-central1');
  expect((await geoAnswers())['us-east4']).toEqual([east]);
  const centralFloorBefore = await floor('us-central1');

  // The outage: errors above the threshold for longer than the condition's duration.
  await hold('us-east4', 0.6, 150);
  const opened = await eventually(() =>
    fx.logs.find((l) => l.function === 'healthAlert' && String(l.decision).startsWith('incident open')),
  );
  expect(opened).toMatchObject({ region: 'us-east4', state: 'open', capacityScaler: 0 });
  expect(await scaler('us-east4')).toBe(0);
  const during = await geoAnswers();
  for (const answer of Object.values(during)) expect(answer).not.toContain(east);
  expect(during['us-east4']).toEqual([central]); // its clients go to the nearest healthy region
  expect(await floor('us-central1')).toBeGreaterThan(centralFloorBefore); // which scales out to absorb them

  // Recovery: the series falls back under the threshold → the closing incident.
  await w.setLoad({ 'us-central1': 4, 'us-east4': 8, 'us-west1': 2, 'europe-west4': 4, 'europe-west1': 2 });
  await hold('us-east4', 0.0, 150);
  await eventually(() =>
    fx.logs.find((l) => l.function === 'healthAlert' && String(l.decision).startsWith('incident closed')),
  );
  const ramp: number[] = [await scaler('us-east4')];
  for (let i = 0; i < 6 && ramp[ramp.length - 1] !== 1; i++) {
    w.advance(61_000);
    await tick();
    ramp.push(await scaler('us-east4'));
  }
  expect(ramp.filter((s, i) => s !== ramp[i - 1])).toEqual([0, 0.1, 0.5, 1]);
  // Traffic shifts back at most maxWeightShiftPerStep per step: within a few ticks its clients are home.
  let answer = (await geoAnswers())['us-east4'];
  for (let i = 0; i < 4 && answer?.join() !== east; i++) {
    w.advance(61_000);
    await tick();
    answer = (await geoAnswers())['us-east4'];
  }
  expect(answer).toEqual([east]);
});
