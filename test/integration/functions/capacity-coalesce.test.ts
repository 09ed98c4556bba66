import { eventually, type FunctionsHarness, startFunctions } from '../../helpers/functions';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

const config = testConfig({ gpuBudget: { maxTotalAccelerators: 40 } });
const topics = config.pubsub;
let w: World;
let fx: FunctionsHarness;

beforeAll(async () => {
  w = await startWorld(config);
  fx = await startFunctions(w);
});
afterAll(async () => {
  await fx.close();
  await w.close();
});

const answers = async () =>
  (await fx.messages(topics.capacityResults)).map(
    (m) => JSON.parse(m.text) as { requestId: string; status: string; reason: string },
  );

async function autoscaler(region: string) {
  const [a] = await w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region,
    autoscaler: `georoute-as-${region}`,
  });
  return a;
}

test('a burst delivered twice to one instance: one answer each, far fewer writes than requests', async () => {
  const regions = ['us-central1', 'europe-west4'];
  const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
  await w.control.call('POST', '/__emulator/pubsub/delivery', { duplicates: 2 });
  const mark = await w.control.mark();
  try {
    await Promise.all(
      ids.map((requestId, i) =>
        fx.publish(topics.capacityRequests, {
          requestId,
          region: regions[i % 2],
          accelerator: 'nvidia-l4',
          replicas: 1 + (Math.floor(i / 2) % 2),
          durationMinutes: 30,
        }),
      ),
    );
    await eventually(async () => {
      const got = new Set((await answers()).map((a) => a.requestId));
      return ids.every((id) => got.has(id));
    }, 60_000);
    await w.control.call('POST', '/__emulator/pubsub/flush');
  } finally {
    await w.control.call('POST', '/__emulator/pubsub/delivery', { duplicates: 1 });
  }
  const mine = (await answers()).filter((a) => ids.includes(a.requestId));
  expect(mine).toHaveLength(ids.length); // exactly once each, duplicates included
  expect(new Set(mine.map((a) => a.requestId)).size).toBe(ids.length);
  expect(mine.every((a) => a.status === 'granted')).toBe(true);

  const { requests } = await w.control.requests({ since: mark, api: 'compute' });
  const autoscalerWrites = requests.filter((r) => r.method === 'PATCH' && r.path.includes('/autoscalers'));
  const claims = requests.filter(
    (r) => r.method === 'PATCH' && r.path.endsWith(`/backendServices/${config.loadBalancer.backendService}`),
  );
  // Uncoalesced: one autoscaler patch and one claim per request (40 each). Coalesced: a few.
  expect(autoscalerWrites.length).toBeLessThan(ids.length / 2);
  expect(claims.length).toBeLessThan(ids.length);
  // Requests of one window share one schedule whose floor is the largest asked.
  for (const region of regions) {
    const schedules = Object.entries((await autoscaler(region)).autoscalingPolicy?.scalingSchedules ?? {}).filter(
      ([name]) => name.startsWith('georoute-'),
    );
    expect(schedules.length).toBeLessThanOrEqual(2); // the burst may straddle a minute
    expect(Math.max(...schedules.map(([, s]) => s.minRequiredReplicas ?? 0))).toBe(2);
  }
});

test('an autoscaler at Compute Engine’s 128-schedule limit: the request is answered `rejected` with the reason', async () => {
  const region = 'us-east4';
  const current = await autoscaler(region);
  // 128 schedules of the operator's (not georoute's): the MIG has no room for another.
  const scalingSchedules = Object.fromEntries(
    Array.from({ length: 128 }, (_, i) => [
      `ops-${i}`,
      { minRequiredReplicas: 1, schedule: `${i % 60} 3 1 1 *`, durationSec: 300, timeZone: 'UTC' },
    ]),
  );
  await w.gcp.compute.regionAutoscalers.patch({
    project: config.project,
    region,
    autoscaler: current.name as string,
    autoscalerResource: { name: current.name, autoscalingPolicy: { scalingSchedules } },
  });
  await fx.publish(topics.capacityRequests, {
    requestId: 'full-1',
    region,
    accelerator: 'nvidia-l4',
    replicas: 2,
    durationMinutes: 45,
  });
  const answer = await eventually(async () => (await answers()).find((a) => a.requestId === 'full-1'));
  expect(answer.status).toBe('rejected');
  expect(answer.reason).toMatch(/128 scaling schedules/);
  expect(Object.keys((await autoscaler(region)).autoscalingPolicy?.scalingSchedules ?? {})).toHaveLength(128);
});
