import { scheduleName } from '../../../shared/state';
import { eventually, functionsWorld } from '../../helpers/functions';
import { testConfig } from '../../helpers/stack';

const config = testConfig();
const topics = config.pubsub;
const s = functionsWorld(config);

const results = async (requestId: string) =>
  (await s.fx.messages(topics.capacityResults)).map((m) => JSON.parse(m.text)).filter((r) => r.requestId === requestId);
/** Waits for the first answer to a request. */
const answered = (requestId: string) =>
  eventually(async () => ((await results(requestId)).length > 0 ? results(requestId) : undefined));

async function schedules(region: string) {
  const [a] = await s.w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region,
    autoscaler: `georoute-as-${region}`,
  });
  return a.autoscalingPolicy?.scalingSchedules ?? {};
}

test('a time-boxed request becomes a scaling schedule in its region and gets one `granted` answer', async () => {
  await s.fx.publish(topics.capacityRequests, {
    requestId: 'launch-42',
    region: 'us-central1',
    accelerator: 'nvidia-l4',
    replicas: 3,
    durationMinutes: 30,
    reason: 'product launch',
  });
  const [answer] = await answered('launch-42');
  expect(answer).toMatchObject({ status: 'granted', placements: [{ region: 'us-central1', replicas: 3 }] });
  expect(answer.expiresAt).toBeDefined();
  const schedule = (await schedules('us-central1'))[scheduleName('launch-42')];
  expect(schedule).toMatchObject({ minRequiredReplicas: 3, durationSec: 1800, disabled: false });
  // The autoscaler now keeps at least 3 VMs: the MIG's target follows.
  s.w.advance(30_000);
  const [mig] = await s.w.gcp.compute.regionInstanceGroupManagers.get({
    project: config.project,
    region: 'us-central1',
    instanceGroupManager: 'georoute-mig-us-central1',
  });
  expect(mig.targetSize).toBeGreaterThanOrEqual(3);
});

test('the same requestId delivered three times at once has one effect and one answer', async () => {
  await s.w.control.setDelivery({ duplicates: 3 });
  const mark = await s.w.control.mark();
  try {
    await s.fx.publish(topics.capacityRequests, {
      requestId: 'dup-1',
      near: 'europe-west1',
      accelerator: 'nvidia-l4',
      replicas: 2,
      reason: 'eval run',
    });
    await answered('dup-1');
    // Let every copy finish before counting: each logs its decision.
    await eventually(
      () => s.fx.logs.filter((l) => l.function === 'capacityRequest' && l.requestId === 'dup-1').length >= 3,
    );
  } finally {
    await s.w.control.setDelivery({ duplicates: 1 });
  }
  expect(await results('dup-1')).toHaveLength(1);
  expect((await results('dup-1'))[0]).toMatchObject({
    status: 'granted',
    placements: [{ region: 'europe-west4', replicas: 2 }],
  });
  // One schedule: the copies' writes carry the same requestId, so Google applies one and replays the rest.
  expect(Object.keys(await schedules('europe-west4')).filter((n) => n.includes('dup-1'))).toHaveLength(1);
  const { requests } = await s.w.control.requests({ since: mark, api: 'compute' });
  const claims = requests.filter(
    (r) => r.method === 'PATCH' && r.path.endsWith(`/backendServices/${config.loadBalancer.backendService}`),
  );
  expect(claims.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
});

test('stockout-aware: a region out of GPUs is skipped and the next-nearest region with stock gets it', async () => {
  for (const zone of ['us-east4-a', 'us-east4-c']) await s.w.control.stockout({ zone, outOfStock: true });
  await s.w.control.setDemand({
    mig: 'georoute-mig-us-east4',
    region: 'us-east4',
    replicas: 3,
  });
  s.w.advance(60_000); // the MIG tries to grow there and fails: ZONE_RESOURCE_POOL_EXHAUSTED in listErrors
  await s.fx.publish(topics.capacityRequests, {
    requestId: 'spill-1',
    near: 'us-east4',
    accelerator: 'nvidia-l4',
    replicas: 2,
    reason: 'batch',
  });
  const [answer] = await answered('spill-1');
  expect(answer.placements).toEqual([{ region: 'us-central1', replicas: 2 }]);
  expect(answer.reason).toMatch(/us-east4: stockout/);
});

test('a request beyond what the region and its fence can hold is answered `partial`', async () => {
  await s.fx.publish(topics.capacityRequests, {
    requestId: 'big-1',
    region: 'europe-west4',
    accelerator: 'nvidia-l4',
    replicas: 9,
    reason: 'too big',
  });
  const [answer] = await answered('big-1');
  expect(answer.status).toBe('partial');
  expect(answer.placements).toEqual([{ region: 'europe-west4', replicas: 6 }]);
});
