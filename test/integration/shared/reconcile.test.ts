import { reconcile } from '../../../shared/reconcile/reconcile';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

const config = testConfig();
let w: World;
let n = 0;
const tick = () => reconcile(w.deps, config, { kind: 'tick', eventId: `tick-${++n}` });

async function liveScalers(): Promise<Record<string, number>> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return Object.fromEntries(
    (bs.backends ?? []).map((b) => [/regions\/([^/]+)\//.exec(b.group ?? '')![1], b.capacityScaler ?? 1]),
  );
}

async function geoAnswer(location: string): Promise<string[]> {
  w.advance(2_000); // let the DNS change reach `done`
  const res = await w.control.resolve({ project: config.project, name: config.dns.recordName, type: 'A', location });
  return res.rrdatas ?? [];
}

async function entryIp(region: string): Promise<string> {
  const [a] = await w.gcp.compute.addresses.get({
    project: config.project,
    region,
    address: `georoute-entry-${region}`,
  });
  return a.address as string;
}

async function floor(region: string): Promise<number> {
  const [a] = await w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region,
    autoscaler: `georoute-as-${region}`,
  });
  return a.autoscalingPolicy?.minNumReplicas ?? 0;
}

beforeEach(async () => {
  w = await startWorld(config);
});
afterEach(async () => {
  await w.close();
});

test('first reconcile routes every location to its nearest region; a second one makes zero writes', async () => {
  const first = await tick();
  expect(first.errors).toEqual([]);
  expect(first.actions.map((a) => a.actuator)).toContain('dns');
  expect(await geoAnswer('us-west1')).toEqual([await entryIp('us-central1')]);
  expect(await geoAnswer('europe-west1')).toEqual([await entryIp('europe-west4')]);

  const mark = await w.control.mark();
  const second = await tick();
  expect(second.errors).toEqual([]);
  expect(second.actions).toEqual([]);
  expect(await w.writesSince(mark)).toBe(0);
  expect(w.logs.some((l) => String(l.message).includes('no action because'))).toBe(true);
});

test('an unhealthy region is drained and removed from DNS; it comes back through the ramp', async () => {
  await tick();
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  const drained = await tick();
  expect(drained.errors).toEqual([]);
  expect((await liveScalers())['us-east4']).toBe(0);
  const east = await entryIp('us-east4');
  expect(await geoAnswer('us-east4')).not.toContain(east);
  expect(await geoAnswer('us-east4')).toEqual([await entryIp('us-central1')]);

  await w.setHealth({ region: 'us-east4' }, 'auto');
  await tick(); // healthy again: the streak starts now
  expect((await liveScalers())['us-east4']).toBe(0);
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    w.advance(61_000);
    await tick();
    seen.push((await liveScalers())['us-east4'] as number);
  }
  expect(seen).toEqual(expect.arrayContaining([0.1, 0.5, 1]));
  expect(seen.indexOf(0.1)).toBeLessThan(seen.indexOf(0.5));
  expect(seen.indexOf(0.5)).toBeLessThan(seen.indexOf(1));
  expect(await geoAnswer('us-east4')).toContain(east);
});

test('neighbours absorb the load of a drained region: their autoscaler floors rise', async () => {
  await w.setLoad({ 'us-central1': 4, 'us-east4': 12, 'us-west1': 2, 'europe-west4': 2, 'europe-west1': 2 });
  await tick();
  const before = await floor('us-central1');
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  w.advance(10_000); // Monitoring refuses a second point for the same series at the same time
  await w.setLoad({ 'us-central1': 4, 'us-east4': 12, 'us-west1': 2, 'europe-west4': 2, 'europe-west1': 2 });
  const result = await tick();
  expect(result.errors).toEqual([]);
  expect(await floor('us-central1')).toBeGreaterThan(before);
});

test('a GPU stockout in one region moves the extra capacity to the next region', async () => {
  for (const zone of config.regions.find((r) => r.name === 'us-east4')!.zones) {
    await w.control.stockout({ zone, outOfStock: true });
  }
  // Demand that needs more than us-east4's current floor: its MIG tries to grow and hits the stockout.
  await w.control.setDemand({
    mig: 'georoute-mig-us-east4',
    region: 'us-east4',
    replicas: 3,
  });
  w.advance(60_000);
  await w.setLoad({ 'us-central1': 1, 'us-east4': 20, 'us-west1': 1, 'europe-west4': 1, 'europe-west1': 1 });
  const result = await tick();
  expect(result.errors).toEqual([]);
  expect(result.derived.input.observed['us-east4']?.stockout).toBe(true);
  expect(result.reasons.some((r) => r.code === 'stockout-spill')).toBe(true);
  expect(await floor('us-east4')).toBe(1);
  expect(await floor('us-central1')).toBeGreaterThan(1);
});

test('two reconciles racing on the backend service: one 412, re-read, no lost update', async () => {
  await tick();
  // us-east4, not the EU: the only region of a residency fence is kept serving (docs/PLANNER.md rule 12).
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  // Hold every Compute write a little, so both reconciles read the same fingerprint before either writes.
  await w.control.addFault({ api: 'compute', method: 'PATCH', latencyMs: 150 });
  const [a, b] = await Promise.all([tick(), tick()]);
  await w.control.clearFaults();
  expect([...a.errors, ...b.errors]).toEqual([]);
  const lbWrites = [...a.actions, ...b.actions].filter((x) => x.actuator === 'lb').length;
  expect(lbWrites).toBe(1); // exactly one of them wrote the drain…
  expect(a.retries + b.retries).toBeGreaterThanOrEqual(1); // …the other got 412, re-read and found it done
  expect((await liveScalers())['us-east4']).toBe(0);
  const mark = await w.control.mark();
  await tick();
  expect(await w.writesSince(mark)).toBe(0);
});

test('a 503 from one region’s API does not stop the others; the next reconcile converges', async () => {
  await w.setLoad({ 'us-central1': 30, 'us-east4': 30, 'us-west1': 1, 'europe-west4': 30, 'europe-west1': 1 });
  const fault = await w.control.addFault({
    api: 'compute',
    pathPattern: '/regions/us-east4/autoscalers',
    statuses: [503],
  });
  const first = await tick();
  expect(first.errors.some((e) => e.resource.includes('us-east4'))).toBe(true);
  expect(await floor('europe-west4')).toBeGreaterThan(1);
  expect(await floor('us-central1')).toBeGreaterThan(1);
  await w.control.removeFault(fault);
  const second = await tick();
  expect(second.errors).toEqual([]);
  expect(await floor('us-east4')).toBeGreaterThan(1);
});
