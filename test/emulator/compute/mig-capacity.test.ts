import { startTwin, type Twin } from '../../helpers/twin';
import { BOOT_MS, createMig, errors, managed, P, R, zoneOf } from './mig-helpers';

let w: Twin;
beforeEach(async () => {
  w = await startTwin({ timings: 'mig' });
});
afterEach(async () => {
  await w.close();
});

/** `acceleratorType: null`: the whole zone is out of stock. */
const stockout = (zone: string, outOfStock = true, acceleratorType: string | null = 'nvidia-l4') =>
  w.control.stockout({ zone, acceleratorType: acceleratorType ?? undefined, outOfStock });

const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c'];

test('EVEN: a zone out of L4 stock fails creations there with ZONE_RESOURCE_POOL_EXHAUSTED, retried every 30 s', async () => {
  await stockout('us-central1-b');
  const mig = await createMig(w, { targetSize: 3, zones: ZONES });
  const list = await managed(w, mig);
  expect(list).toHaveLength(3);
  const stuck = list.find((m) => zoneOf(m.instance) === 'us-central1-b');
  expect(stuck?.currentAction).toBe('CREATING');
  expect(stuck?.instanceStatus ?? undefined).toBeFalsy(); // no VM exists
  expect(stuck?.lastAttempt?.errors?.errors?.[0]?.code).toBe('ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS');

  const first = await errors(w, mig);
  expect(first).toHaveLength(1);
  expect(first[0]?.error?.code).toBe('ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS');
  expect(first[0]?.error?.message).toContain("zones/us-central1-b' does not have enough resources available");
  expect(first[0]?.instanceActionDetails?.action).toBe('CREATING');
  expect(zoneOf(first[0]?.instanceActionDetails?.instance)).toBe('us-central1-b');

  w.advance(10_000);
  expect(await errors(w, mig)).toHaveLength(1); // rate-limited
  w.advance(21_000);
  expect(await errors(w, mig)).toHaveLength(2); // retried in the same zone

  await stockout('us-central1-b', false);
  w.advance(30_000);
  w.advance(BOOT_MS);
  const healed = await managed(w, mig);
  expect(healed.map((m) => m.instanceStatus)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  expect(new Set(healed.map((m) => zoneOf(m.instance))).size).toBe(3);
});

test('BALANCED places VMs in zones that have stock, after recording the failure', async () => {
  await stockout('us-central1-a');
  const mig = await createMig(w, { targetSize: 4, zones: ZONES, targetShape: 'BALANCED' });
  w.advance(BOOT_MS);
  const list = await managed(w, mig);
  expect(list).toHaveLength(4);
  expect(list.every((m) => m.instanceStatus === 'RUNNING')).toBe(true);
  expect(list.some((m) => zoneOf(m.instance) === 'us-central1-a')).toBe(false);
  const errs = await errors(w, mig);
  expect(errs.length).toBeGreaterThanOrEqual(1);
  expect(errs.every((e) => e.error?.code === 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS')).toBe(true);
});

test('all zones out of stock: errors, fewer instances than the target, an unstable MIG', async () => {
  await stockout('us-central1-a', true, null);
  await stockout('us-central1-b');
  const mig = await createMig(w, { targetSize: 3, zones: ['us-central1-a', 'us-central1-b'], targetShape: 'ANY' });
  w.advance(BOOT_MS);
  const list = await managed(w, mig);
  expect(list).toHaveLength(3);
  expect(list.filter((m) => m.instanceStatus === 'RUNNING')).toHaveLength(0);
  const codes = new Set((await errors(w, mig)).map((e) => e.error?.code));
  expect(codes).toEqual(new Set(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS']));
  const [got] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  expect(got.status?.isStable).toBe(false);
  expect(got.currentActions?.creating).toBe(3);
});

test('regional GPU quota exceeded: QUOTA_EXCEEDED, not a stockout', async () => {
  await w.control.setQuota({ project: P, region: R, metric: 'NVIDIA_L4_GPUS', limit: 2 });
  const mig = await createMig(w, { targetSize: 3 });
  w.advance(BOOT_MS);
  const list = await managed(w, mig);
  expect(list.filter((m) => m.instanceStatus === 'RUNNING')).toHaveLength(2);
  const errs = await errors(w, mig);
  expect(errs).toHaveLength(2); // the first attempt, and one retry at the tick 60 s later
  expect(errs[0]?.error?.code).toBe('QUOTA_EXCEEDED');
  expect(errs[0]?.error?.message).toMatch(/Quota 'NVIDIA_L4_GPUS' exceeded\. {2}Limit: 2\.0 in region us-central1\./);

  await w.control.setQuota({
    project: P,
    region: R,
    metric: 'NVIDIA_L4_GPUS',
    limit: null,
  });
  w.advance(30_000);
  w.advance(BOOT_MS);
  expect((await managed(w, mig)).filter((m) => m.instanceStatus === 'RUNNING')).toHaveLength(3);
});

test('a zone outage: killing every VM of a zone, recreation fails while the zone is out of stock', async () => {
  const mig = await createMig(w, { targetSize: 3, zones: ZONES });
  w.advance(BOOT_MS);
  await stockout('us-central1-c', true, null);
  const killed = await w.control.killInstances({
    mig,
    region: R,
    zone: 'us-central1-c',
  });
  expect(killed).toHaveLength(1);
  w.advance(11_000);
  const errs = await errors(w, mig);
  expect(errs.map((e) => [e.instanceActionDetails?.action, e.error?.code])).toEqual([
    ['RECREATING', 'ZONE_RESOURCE_POOL_EXHAUSTED'],
  ]);
  const dead = (await managed(w, mig)).find((m) => zoneOf(m.instance) === 'us-central1-c');
  expect(dead?.currentAction).toBe('RECREATING');
});

test('BALANCED does not hop zones on QUOTA_EXCEEDED (quota is regional)', async () => {
  await w.control.setQuota({ project: P, region: R, metric: 'NVIDIA_L4_GPUS', limit: 1 });
  const mig = await createMig(w, { targetSize: 2, zones: ZONES, targetShape: 'BALANCED' });
  const errs = await errors(w, mig);
  expect(errs.map((e) => e.error?.code)).toEqual(['QUOTA_EXCEEDED']);
});
