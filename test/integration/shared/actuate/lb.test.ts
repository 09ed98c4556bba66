import { applyLb } from '../../../../shared/actuate/lb';
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
  const mark = await w.control.mark();
  // The write layer retries a transient failure by reading again (never by replaying the write): the
  // re-read finds the change made, so nothing is written twice.
  const first = await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0.1 } }, { eventId: 'lost' });
  expect(first).toMatchObject({ changed: false, writes: 0, retries: 1 });
  const patches = (await w.control.requests({ since: mark })).requests.filter((r) => r.method === 'PATCH');
  expect(patches).toHaveLength(1);
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

describe("with observe's copy (`current`): no read of its own unless the copy is stale", () => {
  const patchOps = async () => {
    const [ops] = await w.gcp.compute.globalOperations.list({ project: config.project });
    return ops.filter((op) => op.operationType === 'patch' && op.targetLink?.endsWith(`/backendServices/${bsName}`))
      .length;
  };

  test('a fresh copy: one patch with its fingerprint, no GET', async () => {
    await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 1 } }, { eventId: 'copy-reset' });
    const copy = await read();
    const mark = await w.control.mark();
    const r = await applyLb(
      w.deps,
      { backendService: bsName, scalers: { 'us-east4': 0 }, current: copy },
      { eventId: 'copy-fresh' },
    );
    expect(r).toMatchObject({ changed: true, writes: 1, reads: 0, retries: 0 });
    const { requests } = await w.control.requests({ since: mark, api: 'compute' });
    expect(requests.filter((q) => q.path.endsWith(`/backendServices/${bsName}`)).map((q) => q.method)).toEqual([
      'PATCH',
    ]);
    expect(await scalerOf('us-east4')).toBe(0);
  });

  test('a stale copy: 412, re-read, and the other writer’s change survives', async () => {
    await applyLb(
      w.deps,
      { backendService: bsName, scalers: { 'us-east4': 1, 'europe-west4': 1 } },
      { eventId: 'stale-reset' },
    );
    const copy = await read();
    await applyLb(w.deps, { backendService: bsName, scalers: { 'europe-west4': 0.5 } }, { eventId: 'stale-other' });
    const r = await applyLb(
      w.deps,
      { backendService: bsName, scalers: { 'us-east4': 0 }, current: copy },
      { eventId: 'stale-ours' },
    );
    expect(r).toMatchObject({ changed: true, writes: 1, reads: 1, retries: 1 });
    expect(await scalerOf('us-east4')).toBe(0);
    expect(await scalerOf('europe-west4')).toBe(0.5);
  });

  test('a stale copy whose change another event already made: 412, re-read, nothing to write', async () => {
    await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 1 } }, { eventId: 'dup-reset' });
    const copy = await read();
    await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 0 } }, { eventId: 'dup-first' });
    const before = await patchOps();
    const r = await applyLb(
      w.deps,
      { backendService: bsName, scalers: { 'us-east4': 0 }, current: copy },
      { eventId: 'dup-second' },
    );
    expect(r).toMatchObject({ changed: false, writes: 0, reads: 1, retries: 1 });
    expect(await patchOps()).toBe(before);
  });

  test('the same event with the same stale copy (a racing redelivery): replayed by its requestId, one change', async () => {
    await applyLb(w.deps, { backendService: bsName, scalers: { 'us-east4': 1 } }, { eventId: 'redeliver-reset' });
    const copy = await read();
    const before = await patchOps();
    const desired = { backendService: bsName, scalers: { 'us-east4': 0 }, current: copy };
    await applyLb(w.deps, desired, { eventId: 'redelivered' });
    const again = await applyLb(w.deps, desired, { eventId: 'redelivered' });
    // Compute answers the repeated PATCH with the first one's operation: no 412, no second change.
    expect(again).toMatchObject({ retries: 0, reads: 0 });
    expect((await patchOps()) - before).toBe(1);
    expect(await scalerOf('us-east4')).toBe(0);
  });
});
