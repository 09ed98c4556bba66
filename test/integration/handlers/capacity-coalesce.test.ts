import { handleCapacityRequest } from '../../../shared/handlers/capacity-request';
import { reconcile } from '../../../shared/reconcile/reconcile';
import { pubsubEvent, recordingRuntime } from '../../helpers/events';
import { eventually, functionsWorld } from '../../helpers/functions';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

const config = testConfig({ gpuBudget: { maxTotalAccelerators: 40 } });
const topics = config.pubsub;
const s = functionsWorld(config);

const answers = async () =>
  (await s.fx.messages(topics.capacityResults)).map(
    (m) => JSON.parse(m.text) as { requestId: string; status: string; reason: string },
  );

async function autoscaler(region: string) {
  const [a] = await s.w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region,
    autoscaler: `georoute-as-${region}`,
  });
  return a;
}

test('a burst delivered twice to one instance: one answer each, far fewer writes than requests', async () => {
  const regions = ['us-central1', 'europe-west4'];
  const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
  await s.w.control.setDelivery({ duplicates: 2 });
  const mark = await s.w.control.mark();
  try {
    await Promise.all(
      ids.map((requestId, i) =>
        s.fx.publish(topics.capacityRequests, {
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
    await s.w.control.flush();
  } finally {
    await s.w.control.setDelivery({ duplicates: 1 });
  }
  const mine = (await answers()).filter((a) => ids.includes(a.requestId));
  expect(mine).toHaveLength(ids.length); // exactly once each, duplicates included
  expect(new Set(mine.map((a) => a.requestId)).size).toBe(ids.length);
  expect(mine.every((a) => a.status === 'granted')).toBe(true);

  const { requests } = await s.w.control.requests({ since: mark, api: 'compute' });
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
  await s.w.gcp.compute.regionAutoscalers.patch({
    project: config.project,
    region,
    autoscaler: current.name as string,
    autoscalerResource: { name: current.name, autoscalingPolicy: { scalingSchedules } },
  });
  await s.fx.publish(topics.capacityRequests, {
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

/**
 * The reconcile a capacity batch owes is run by the last handler in flight, not after each batch:
 * run between two batches it wrote a region's planned floor in a patch of its own, and the next
 * batch then patched the same autoscaler again with its schedule (the burst bench saw 4 writes in
 * a region whose three schedule raises were one patch each). Driven in-process (one function
 * instance, its own fresh stack) through the official clients against the emulator; writes
 * counted from its request log.
 */
describe('the reconcile after a burst', () => {
  const fconfig = testConfig();
  let fw: World;
  beforeAll(async () => {
    fw = await startWorld(fconfig);
  });
  afterAll(async () => {
    await fw.close();
  });

  const fAutoscalerPatches = async (since: number, region: string) =>
    (await fw.control.requests({ since, api: 'compute' })).requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes(`/regions/${region}/autoscalers`),
    ).length;

  async function fAutoscaler(region: string) {
    const [a] = await fw.gcp.compute.regionAutoscalers.get({
      project: fconfig.project,
      region,
      autoscaler: `georoute-as-${region}`,
    });
    return a;
  }

  test('two batches back to back: one reconcile after both, one autoscaler patch per region, converged', async () => {
    // Load in europe-west4 needs a floor of 2 that no reconcile has written yet (a fresh stack, as the
    // bench's): whoever writes that autoscaler next carries it.
    await fw.setLoad({ 'us-central1': 1, 'us-east4': 1, 'us-west1': 1, 'europe-west4': 6, 'europe-west1': 1 });
    const before = await reconcile(fw.deps, fconfig, { kind: 'manual', eventId: 'dry-run' }, { dryRun: true });
    const plannedEu = before.plan.regions['europe-west4']?.minReplicas ?? 0;
    expect((await fAutoscaler('europe-west4')).autoscalingPolicy?.minNumReplicas).toBe(1);
    expect(plannedEu).toBeGreaterThan(1);

    const rt = recordingRuntime(fconfig, fw.deps);
    // Autoscaler writes are slow (as Compute operations are): the second batch's patch is still on its
    // way when the first batch's handler is answered, which is when it used to reconcile.
    await fw.control.addFault({ api: 'compute', method: 'PATCH', pathPattern: '/autoscalers', latencyMs: 500 });
    const mark = await fw.control.mark();
    const request = (requestId: string, region: string, replicas: number) =>
      pubsubEvent({ requestId, region, accelerator: 'nvidia-l4', replicas, durationMinutes: 30 });
    let outcomes: Awaited<ReturnType<typeof handleCapacityRequest>>[];
    try {
      // Both submitted at once: the first is placed alone, the second waits and forms the next batch.
      outcomes = await Promise.all([
        handleCapacityRequest(rt, request('follow-a', 'us-central1', 2)),
        handleCapacityRequest(rt, request('follow-b', 'europe-west4', 1)),
      ]);
    } finally {
      await fw.control.clearFaults();
    }
    const coalescers = rt.capacity;
    expect(coalescers.batches.batches).toEqual([1, 1]);

    // Each answered exactly once, granted.
    const answers = rt.published
      .filter((p) => p.topic === fconfig.pubsub.capacityResults)
      .map((p) => p.payload as { requestId: string; status: string });
    expect(answers.map((a) => a.requestId).sort()).toEqual(['follow-a', 'follow-b']);
    expect(answers.every((a) => a.status === 'granted')).toBe(true);

    // One patch per autoscaler touched: the schedule and the planned floor together.
    expect(await fAutoscalerPatches(mark, 'us-central1')).toBe(1);
    expect(await fAutoscalerPatches(mark, 'europe-west4')).toBe(1);
    const eu = await fAutoscaler('europe-west4');
    expect(eu.autoscalingPolicy?.minNumReplicas).toBe(plannedEu);
    expect(
      Object.entries(eu.autoscalingPolicy?.scalingSchedules ?? {}).some(
        ([name, sch]) => name.startsWith('georoute-') && sch.minRequiredReplicas === 1 && !sch.disabled,
      ),
    ).toBe(true);
    expect((await fAutoscaler('us-central1')).autoscalingPolicy?.minNumReplicas).toBe(2);

    // One reconcile, by whichever handler finished last, after both batches.
    expect(outcomes.filter((o) => o.reconciled === true)).toHaveLength(1);
    expect(coalescers.reconciles.runs).toBe(1);
    expect(coalescers.reconciles.owed).toBe(false);

    // Level-triggered: a tick right after finds no floor left to change.
    const tick = await reconcile(fw.deps, fconfig, { kind: 'tick', eventId: 'after-burst' });
    expect(tick.errors).toEqual([]);
    expect(tick.actions.filter((a) => a.actuator === 'capacity')).toEqual([]);
  });

  test('the reconcile left to the last handler in flight is run even when that one is a duplicate', async () => {
    fw.advance(61_000);
    const rt = recordingRuntime(fconfig, fw.deps);
    // Reads of the autoscalers are slow: the duplicate's batch is still observing when the first
    // handler has answered (and leaves the reconcile to it).
    await fw.control.addFault({ api: 'compute', method: 'GET', pathPattern: '/autoscalers', latencyMs: 1_000 });
    const payload = { requestId: 'follow-dup', region: 'us-east4', accelerator: 'nvidia-l4', replicas: 3 };
    let outcomes: Awaited<ReturnType<typeof handleCapacityRequest>>[];
    try {
      outcomes = await Promise.all([
        handleCapacityRequest(rt, pubsubEvent(payload)),
        handleCapacityRequest(rt, pubsubEvent(payload)), // Pub/Sub delivered it twice
      ]);
    } finally {
      await fw.control.clearFaults();
    }
    const coalescers = rt.capacity;
    expect(coalescers.batches.batches).toEqual([1, 1]);
    expect(rt.published.filter((p) => p.topic === fconfig.pubsub.capacityResults)).toHaveLength(1);
    expect(outcomes.map((o) => o.decision)).toEqual(['granted', 'duplicate']);
    // The first left it to the duplicate, still in flight, which ran it.
    expect(outcomes.map((o) => o.reconciled)).toEqual([false, true]);
    expect(coalescers.reconciles.runs).toBe(1);
    expect(coalescers.reconciles.owed).toBe(false);
    expect((await fAutoscaler('us-east4')).autoscalingPolicy?.minNumReplicas).toBe(3);
  });
});
