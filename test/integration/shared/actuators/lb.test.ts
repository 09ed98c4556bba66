import { applyLb } from '../../../../shared/actuators/lb';
import { testConfig } from '../../../helpers/stack';
import { startWorld, type World } from '../../../helpers/world';

const config = testConfig();
const bsName = config.loadBalancer.backendService;
let w: World;

beforeAll(async () => {
  w = await startWorld(config);
});
afterAll(async () => {
  await w.close();
});

async function read() {
  const [bs] = await w.gcp.compute.backendServices.get({ project: config.project, backendService: bsName });
  return bs;
}
const scalerOf = async (region: string) =>
  (await read()).backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler;

test('drains one backend with one conditional write, then makes no write when nothing differs', async () => {
  const mark = await w.control.mark();
  const r1 = await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0 } }, { eventId: 'e1' });
  expect(r1).toMatchObject({ changed: true, writes: 1, reads: 1 });
  expect(r1.changes).toEqual(['us-east4 capacityScaler 1 → 0']);
  expect(await scalerOf('us-east4')).toBe(0);
  expect(await scalerOf('us-central1')).toBe(1);
  const r2 = await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0 } }, { eventId: 'e1' });
  expect(r2).toMatchObject({ changed: false, writes: 0 });
  const { requests } = await w.control.requests({ since: mark });
  const patches = requests.filter((r) => r.method === 'PATCH');
  expect(patches).toHaveLength(1);
});

test('two writers with different intents race: one gets 412, re-reads, and both changes survive', async () => {
  await applyLb(
    w.deps,
    { backendService: bsName, scalers: { 'us-east4': 1, 'europe-west4': 1 } },
    { eventId: 'reset' },
  );
  await w.control.addFault({ api: 'compute', method: 'PATCH', latencyMs: 150 });
  const [a, b] = await Promise.all([
    applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0.5 } }, { eventId: 'a' }),
    applyLb(w.deps, { backendService: bsName, scalers: { 'europe-west4': 0.1 } }, { eventId: 'b' }),
  ]);
  await w.control.clearFaults();
  expect(a.retries + b.retries).toBeGreaterThanOrEqual(1);
  expect(await scalerOf('us-east4')).toBe(0.5);
  expect(await scalerOf('europe-west4')).toBe(0.1);
});

test('a write whose answer is lost is not repeated: the retry re-reads and finds it done', async () => {
  await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 1 } }, { eventId: 'lost-reset' });
  // The PATCH reaches the API, then the caller sees a 503 (a response lost after the commit).
  await w.control.addFault({ api: 'compute', method: 'PATCH', statuses: [503], count: 1, afterApply: true });
  await expect(
    applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0.1 } }, { eventId: 'lost' }),
  ).rejects.toMatchObject({
    retryable: true,
  });
  await w.control.clearFaults();
  expect(await scalerOf('us-east4')).toBe(0.1);
  const redelivered = await applyLb(
    w.deps,
    { backendService: bsName, scalers: { 'us-east4': 0.1 } },
    { eventId: 'lost' },
  );
  expect(redelivered).toMatchObject({ changed: false, writes: 0 });
});

test('notes ride in the backend description, re-derived from what is read', async () => {
  await applyLb(
    w.deps,
    { backendService: bsName, scalers: {}, notes: { 'us-central1': (cur) => `${cur ?? ''}x`.slice(-3) } },
    { eventId: 'note' },
  );
  const backend = (await read()).backends?.find((b) => b.group?.includes('/regions/us-central1/'));
  expect(backend?.description).toBe('x');
});

test('refuses to drain every backend (Google would answer 400)', async () => {
  await expect(
    applyLb(
      w.deps,
      { backendService: bsName, scalers: { 'us-central1': 0, 'us-east4': 0, 'europe-west4': 0 } },
      { eventId: 'all' },
    ),
  ).rejects.toThrow(/refusing to drain every backend/);
});
