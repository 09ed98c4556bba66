import type { FaultRule } from '../../emulator/core/faults';
import { readRecord } from '../../shared/gcp/dns-rest';
import { handleCapacityRequest } from '../../shared/handlers/capacity-request';
import { handleHealthAlert } from '../../shared/handlers/health-alert';
import { reconcile } from '../../shared/reconcile/reconcile';
import { readBackendNote } from '../../shared/state/notes';
import { incidentEvent, pubsubEvent, recordingRuntime } from '../helpers/events';
import { testConfig } from '../helpers/stack';
import { startWorld, type World } from '../helpers/world';
import { writeFigures } from './helpers/report';

/**
 * One write of a reconcile lands and another does not (DNS after the backend service, and the
 * reverse), or the function dies between its writes: the next reconcile must converge, and the one
 * after it find nothing to do.
 */
const config = testConfig();
let w: World;
let n = 0;
const figures: Record<string, unknown> = {};
const tick = () => reconcile(w.deps, config, { kind: 'tick', eventId: `pf-${++n}` });

beforeEach(async () => {
  // Writes retry a transient failure in place (shared/gcp/retry.ts); a fault that outlasts the retries
  // fails the write. Few, short retries here, so a write fails fast when a fault persists.
  w = await startWorld(config, { retry: { write: { attempts: 3, baseMs: 5, capMs: 20 } } });
  await w.servedForAWhile();
  await tick();
});
afterEach(async () => {
  await w.close();
});
afterAll(() => writeFigures('partial-failure', figures));

const entryIp = async (region: string) =>
  (await w.gcp.compute.addresses.get({ project: config.project, region, address: `georoute-entry-${region}` }))[0]
    .address as string;
async function scaler(region: string): Promise<number> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return bs.backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler ?? 1;
}
async function servedIps(): Promise<string[]> {
  const record = await readRecord(w.gcp.dns, config.dns.managedZone, config.dns.recordName, 'A');
  return [...new Set((record?.routingPolicy?.geo?.items ?? []).flatMap((i) => i.rrdatas ?? []))];
}

/** Drains us-east4 with `fault` in place; then the next reconciles must converge. */
async function drainWith(fault: FaultRule, name: string) {
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  await w.control.addFault(fault);
  const first = await tick();
  await w.control.clearFaults();
  const afterFirst = {
    scaler: await scaler('us-east4'),
    dnsHasEast: (await servedIps()).includes(await entryIp('us-east4')),
  };
  const second = await tick();
  const third = await tick();
  figures[name] = {
    firstErrors: first.errors.map((e) => e.actuator),
    afterFirst,
    secondErrors: second.errors.length,
    thirdChanges: third.actions.length,
  };
  return { first, second, third, afterFirst };
}

test('the DNS write fails after the backend write succeeded → the next reconcile converges', async () => {
  const r = await drainWith({ api: 'dns', writes: true, statuses: [503] }, 'dnsFailsAfterLb');
  expect(r.first.errors.map((e) => e.actuator)).toEqual(['dns']);
  expect(r.afterFirst).toEqual({ scaler: 0, dnsHasEast: true }); // half done
  expect(r.second.errors).toEqual([]);
  expect(r.second.actions.map((a) => a.actuator)).toContain('dns');
  expect(await servedIps()).not.toContain(await entryIp('us-east4'));
  expect(r.third.actions).toEqual([]);
});

test('the backend write fails after the DNS write succeeded → the next reconcile converges', async () => {
  const r = await drainWith(
    { api: 'compute', method: 'PATCH', pathPattern: '/global/backendServices/', statuses: [503] },
    'lbFailsAfterDns',
  );
  expect(r.first.errors.map((e) => e.actuator)).toEqual(['lb']);
  expect(r.afterFirst).toEqual({ scaler: 1, dnsHasEast: false }); // DNS moved, the drain did not
  expect(r.second.errors).toEqual([]);
  expect(await scaler('us-east4')).toBe(0);
  expect(r.third.actions).toEqual([]);
});

test('the function dies right after its backend-service write: the next reconcile repairs the rest', async () => {
  await w.setLoad({ 'us-central1': 4, 'us-east4': 12, 'us-west1': 2, 'europe-west4': 2, 'europe-west1': 2 });
  await tick();
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  w.advance(10_000);
  await w.setLoad({ 'us-central1': 4, 'us-east4': 12, 'us-west1': 2, 'europe-west4': 2, 'europe-west1': 2 });
  // "Kill" the process the moment the backend-service PATCH is answered: every later call of this
  // reconcile fails (its operation wait never gets an answer), and the writes it had not made yet
  // never reach the API (the actuators run in parallel, so those are held back by faults).
  await w.control.addFault({ id: 'dns-never-sent', api: 'dns', writes: true, statuses: [503] });
  await w.control.addFault({
    id: 'as-never-sent',
    api: 'compute',
    pathPattern: '/autoscalers',
    writes: true,
    statuses: [503],
  });
  const bs = w.deps.gcp.compute.backendServices;
  const patch = bs.patch.bind(bs);
  let killed = false;
  (bs as { patch: unknown }).patch = async (...args: Parameters<typeof patch>) => {
    const result = await patch(...args);
    killed = true;
    w.emu.ctx.faults.add({ id: 'killed', statuses: [503] });
    return result;
  };
  const crashed = await tick();
  (bs as { patch: unknown }).patch = patch;
  await w.control.clearFaults();
  expect(killed).toBe(true);
  expect(await scaler('us-east4')).toBe(0); // the one write that landed
  expect(crashed.errors.length).toBeGreaterThan(0);

  const repair = await tick();
  expect(repair.errors).toEqual([]);
  expect(repair.actions.map((a) => a.actuator)).toEqual(expect.arrayContaining(['dns', 'capacity']));
  const again = await tick();
  expect(again.actions).toEqual([]);
  expect(await servedIps()).not.toContain(await entryIp('us-east4'));
  figures.crashAfterLbWrite = {
    crashedErrors: crashed.errors.map((e) => e.actuator),
    repairedBy: repair.actions.map((a) => a.actuator),
    changesAfterRepair: again.actions.length,
  };
});

test('healthAlert does not ack an incident it could not record (backend service unreadable)', async () => {
  const rt = recordingRuntime(config, w.deps);
  const fault = await w.control.addFault({
    api: 'compute',
    method: 'GET',
    pathPattern: '/global/backendServices/georoute-backend$',
    statuses: [500],
  });
  const event = incidentEvent('unreadable-1', 'open', 'us-east4', w.emu.ctx.clock.now());
  await expect(handleHealthAlert(rt, event)).rejects.toThrow(/backend service could not be read/);
  await w.control.removeFault(fault);
  const redelivered = await handleHealthAlert(rt, event);
  expect(redelivered.decision).toBe('incident open: us-east4 drained');
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  const east = bs.backends?.find((b) => b.group?.includes('/regions/us-east4/'));
  expect(Object.keys(readBackendNote(east?.description).open)).toEqual(['unreadable-1']);
  figures.incidentNotAckedWhenUnrecorded = { firstDelivery: 'nacked', redelivery: redelivered.decision };
});

test('a 503 while waiting on the operation of an applied write is retried, not reported as a failure', async () => {
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  await w.control.addFault({ api: 'compute', pathPattern: '/operations/[^/]+/wait$', statuses: [503, 500], count: 2 });
  const r = await tick();
  await w.control.clearFaults();
  expect(r.errors).toEqual([]);
  expect(await scaler('us-east4')).toBe(0);
  figures.operationWaitRetried = { injected: 2, errors: r.errors.length };
});

/** Two capacity requests under a budget of 8 GPUs; the second placed with or without us-central1 readable. */
async function budgetRun(unreadable: boolean): Promise<number> {
  await w.close();
  const tight = testConfig({ gpuBudget: { maxTotalAccelerators: 8 } });
  w = await startWorld(tight);
  const rt = recordingRuntime(tight, w.deps);
  const ask = (requestId: string, region: string, replicas: number) =>
    handleCapacityRequest(
      rt,
      pubsubEvent({ requestId, region, accelerator: 'nvidia-l4', replicas, durationMinutes: 60 }, `ev-${requestId}`),
    );
  await ask('budget-a', 'us-central1', 5);
  if (unreadable)
    await w.control.addFault({
      api: 'compute',
      method: 'GET',
      pathPattern: '/regions/us-central1/autoscalers/',
      statuses: [500],
    });
  await ask('budget-b', 'europe-west4', 3).catch(() => undefined); // a nack is fine: it is retried later
  await w.control.clearFaults();
  let total = 0;
  for (const r of tight.regions) {
    const [a] = await w.gcp.compute.regionAutoscalers.get({
      project: tight.project,
      region: r.name,
      autoscaler: r.autoscaler,
    });
    const schedules = Object.values(a.autoscalingPolicy?.scalingSchedules ?? {}).filter((sc) => !sc.disabled);
    total += Math.max(a.autoscalingPolicy?.minNumReplicas ?? 0, ...schedules.map((sc) => sc.minRequiredReplicas ?? 0));
  }
  return total;
}

test('capacity requests never hold more GPUs than the budget', async () => {
  const total = await budgetRun(false);
  figures.budget = { budget: 8, replicasHeld: total };
  expect(total).toBeLessThanOrEqual(8);
});

// Found by this suite: a request used to be placed from a partial observation (an unreadable region
// counted at its config minimum) and held 9 GPUs of 8. It is now retried until every region is read.
test('a request is not placed while a region is unreadable: the GPU budget holds', async () => {
  const total = await budgetRun(true);
  figures.budgetUnderPartialObservation = { budget: 8, replicasHeld: total };
  expect(total).toBeLessThanOrEqual(8);
});
