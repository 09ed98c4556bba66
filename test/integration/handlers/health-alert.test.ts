import { eventually, type FunctionsHarness, startFunctions } from '../../helpers/functions';
import { incident } from '../../helpers/incidents';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

const config = testConfig();
const topics = config.pubsub;
let w: World;
let fx: FunctionsHarness;

beforeEach(async () => {
  w = await startWorld(config);
  await w.servedForAWhile();
  fx = await startFunctions(w);
});
afterEach(async () => {
  await fx.close();
  await w.close();
});

async function scaler(region: string): Promise<number> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return bs.backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler ?? 1;
}

const handled = (fn: string, n: number) =>
  eventually(
    () =>
      fx.logs.filter(
        (l) =>
          l.function === fn &&
          typeof l.decision === 'string' &&
          l.severity !== 'DEBUG' &&
          /^(incident|ignored|applied|no action|dead)/.test(String(l.decision)),
      ).length >= n,
  );

async function geo(location: string): Promise<string[]> {
  w.advance(2_000);
  return (
    (await w.control.resolve({ project: config.project, name: config.dns.recordName, type: 'A', location })).rrdatas ??
    []
  );
}

test('an open incident drains its region and takes it out of DNS; its close brings it back through the ramp', async () => {
  const [east] = await w.gcp.compute.addresses.get({
    project: config.project,
    region: 'us-east4',
    address: 'georoute-entry-us-east4',
  });
  await fx.publish(topics.reconcile, { tick: 1 });
  await handled('reconcile', 1);
  expect(await geo('us-east4')).toEqual([east.address]);

  await fx.publish(topics.healthAlerts, incident('inc-1', 'open', 'us-east4', w.emu.ctx.clock.now()));
  await handled('healthAlert', 1);
  expect(await scaler('us-east4')).toBe(0);
  expect(await geo('us-east4')).not.toContain(east.address);

  w.advance(30_000);
  await fx.publish(topics.healthAlerts, incident('inc-1', 'closed', 'us-east4', w.emu.ctx.clock.now()));
  await handled('healthAlert', 2);
  expect(await scaler('us-east4')).toBe(0); // healthy now, but the stable window has not passed
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    w.advance(61_000);
    await fx.publish(topics.reconcile, { tick: i + 2 });
    await handled('reconcile', i + 2);
    seen.push(await scaler('us-east4'));
  }
  expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual([0.1, 0.5, 1]);
  expect(await geo('us-east4')).toContain(east.address);
});

/** Patch operations Compute made on the backend service (a PATCH replayed by its requestId makes none). */
async function backendServicePatches(): Promise<number> {
  const [ops] = await w.gcp.compute.globalOperations.list({ project: config.project });
  return ops.filter(
    (op) =>
      op.operationType === 'patch' && op.targetLink?.endsWith(`/backendServices/${config.loadBalancer.backendService}`),
  ).length;
}

test('the same incident delivered three times drains once (one backend-service change)', async () => {
  await w.control.setDelivery({ duplicates: 3 });
  const before = await backendServicePatches();
  const mark = await w.control.mark();
  // us-east4: the EU's only region is kept serving its fence (docs/PLANNER.md rule 12).
  await fx.publish(topics.healthAlerts, incident('inc-dup', 'open', 'us-east4', w.emu.ctx.clock.now()));
  await handled('healthAlert', 3);
  await w.control.setDelivery({ duplicates: 1 });
  const { requests } = await w.control.requests({ since: mark, api: 'compute' });
  const bsCalls = requests.filter((r) => r.path.endsWith(`/backendServices/${config.loadBalancer.backendService}`));
  // One read per delivery (observe's); the LB actuator patches with that copy's fingerprint.
  expect(bsCalls.filter((r) => r.method === 'GET')).toHaveLength(3);
  // A copy racing the first sends its PATCH again (observe's fingerprint and the same event id →
  // the same requestId): Compute answers it with the first one's operation and changes nothing.
  expect(bsCalls.filter((r) => r.method === 'PATCH').length).toBeLessThanOrEqual(3);
  expect((await backendServicePatches()) - before).toBe(1);
  expect(await scaler('us-east4')).toBe(0);
});

test('a close that arrives before its open leaves the region serving', async () => {
  const now = w.emu.ctx.clock.now();
  await fx.publish(topics.healthAlerts, incident('inc-late', 'closed', 'us-central1', now));
  await handled('healthAlert', 1);
  await fx.publish(topics.healthAlerts, incident('inc-late', 'OPEN', 'us-central1', now - 300_000));
  await handled('healthAlert', 2);
  expect(await scaler('us-central1')).toBe(1);
});

test('a test notification from the console changes nothing', async () => {
  const mark = await w.control.mark();
  await fx.publish(topics.healthAlerts, {
    ...incident('test-1', 'OPEN', 'us-central1', w.emu.ctx.clock.now()),
    version: 'test',
  });
  await eventually(() => fx.logs.find((l) => l.function === 'healthAlert' && l.decision === 'ignored'));
  expect(fx.logs.find((l) => l.decision === 'ignored')).toMatchObject({ reason: 'test notification' });
  expect(await w.writesSince(mark)).toBe(0);
  expect(await scaler('us-central1')).toBe(1);
});
