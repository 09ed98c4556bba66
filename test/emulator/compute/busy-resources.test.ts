import { randomUUID } from 'node:crypto';
import { reasonOf } from '../../../shared/core/errors';
import { patchBackendService } from '../../../shared/gcp/conditional-write';
import { eventually } from '../../helpers/eventually';
import { type Mutation, startTwin, type Twin } from '../../helpers/twin';
import { addInstanceGroup, P } from './lb-helpers';
import { gpuTemplate, R } from './mig-helpers';

/**
 * A resource whose previous operation still runs refuses another mutation: 400 `resourceNotReady`,
 * "The resource '<path>' is not ready" (https://github.com/kubernetes/ingress-gce/issues/396,
 * https://github.com/hashicorp/terraform-provider-google/issues/13033). Operations here last a virtual
 * minute on a real-time clock, so they stay RUNNING until a test moves time on.
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ clockSpeed: 1, timings: { operationPendingMs: 30_000, operationRunningMs: 30_000 } });
});
afterAll(() => w.close());

const c = () => w.gcp.compute;
const opName = (m: Mutation) => (m[0] as { latestResponse: { name: string } }).latestResponse.name;

/** Health checks are not serialised: inserted and readable at once. Moves time so they are DONE. */
async function settledHealthCheck(): Promise<string> {
  const name = w.uniq('hc');
  await c().healthChecks.insert({
    project: P,
    healthCheckResource: { name, type: 'HTTP', httpHealthCheck: { port: 8080 } },
  });
  w.advance(60_000);
  return `https://www.googleapis.com/compute/v1/projects/${P}/global/healthChecks/${name}`;
}

async function insertBackendService(name: string, requestId?: string): Promise<Mutation> {
  return (await c().backendServices.insert({
    project: P,
    requestId,
    backendServiceResource: {
      name,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      healthChecks: [await settledHealthCheck()],
      backends: [{ group: addInstanceGroup(w, w.uniq('ig')), balancingMode: 'RATE', maxRatePerInstance: 4 }],
    },
  })) as Mutation;
}

const patchTimeout = async (name: string, timeoutSec: number, requestId?: string) => {
  const [bs] = await c().backendServices.get({ project: P, backendService: name });
  return c().backendServices.patch({
    project: P,
    backendService: name,
    requestId,
    backendServiceResource: { timeoutSec, fingerprint: bs.fingerprint },
  });
};

test('a backend service patched while its insert runs answers 400 resourceNotReady; once DONE it is accepted', async () => {
  const name = w.uniq('bs');
  await insertBackendService(name);
  const err = await w.failure(patchTimeout(name, 60));
  expect(err.code).toBe(400);
  expect(reasonOf(err)).toBe('resourceNotReady');
  expect(err.message).toContain(`The resource 'projects/${P}/global/backendServices/${name}' is not ready`);
  // A delete is a mutation too.
  const del = await w.failure(c().backendServices.delete({ project: P, backendService: name }));
  expect(reasonOf(del)).toBe('resourceNotReady');

  w.advance(60_000);
  await patchTimeout(name, 60);
  const again = await w.failure(patchTimeout(name, 90)); // the patch's own operation now runs
  expect(reasonOf(again)).toBe('resourceNotReady');
  w.advance(60_000);
  await patchTimeout(name, 90);
  w.advance(60_000);
  const [bs] = await c().backendServices.get({ project: P, backendService: name });
  expect(bs.timeoutSec).toBe(90);
});

test('a repeat with the same requestId replays the first operation, busy or not', async () => {
  const name = w.uniq('bs');
  const requestId = randomUUID();
  const first = await insertBackendService(name, requestId);
  const replay = (await c().backendServices.insert({
    project: P,
    requestId,
    backendServiceResource: { name },
  })) as Mutation;
  expect(opName(replay)).toBe(opName(first));

  w.advance(60_000);
  const patchId = randomUUID();
  const patched = (await patchTimeout(name, 45, patchId)) as Mutation;
  const repeated = (await patchTimeout(name, 45, patchId)) as Mutation; // its own operation still runs
  expect(opName(repeated)).toBe(opName(patched));
});

test('another resource is not held up: only the one being changed is busy', async () => {
  const a = w.uniq('bs');
  const b = w.uniq('bs');
  await insertBackendService(a);
  w.advance(60_000);
  await insertBackendService(b);
  await patchTimeout(a, 50); // b's insert runs, a is settled
  w.advance(60_000);
});

test('URL maps, MIGs (resize) and autoscalers are busy while their operation runs', async () => {
  const bsName = w.uniq('bs');
  await insertBackendService(bsName);
  w.advance(60_000);
  const um = w.uniq('um');
  const service = `https://www.googleapis.com/compute/v1/projects/${P}/global/backendServices/${bsName}`;
  await c().urlMaps.insert({ project: P, urlMapResource: { name: um, defaultService: service } });
  const [map] = await c().urlMaps.get({ project: P, urlMap: um });
  const umErr = await w.failure(
    c().urlMaps.patch({ project: P, urlMap: um, urlMapResource: { description: 'x', fingerprint: map.fingerprint } }),
  );
  expect(reasonOf(umErr)).toBe('resourceNotReady');

  const template = await gpuTemplateSettled();
  const mig = w.uniq('mig');
  await c().regionInstanceGroupManagers.insert({
    project: P,
    region: R,
    instanceGroupManagerResource: { name: mig, baseInstanceName: 'vm', instanceTemplate: template, targetSize: 0 },
  });
  const resize = await w.failure(
    c().regionInstanceGroupManagers.resize({ project: P, region: R, instanceGroupManager: mig, size: 1 }),
  );
  expect(resize.code).toBe(400);
  expect(resize.message).toContain(
    `The resource 'projects/${P}/regions/${R}/instanceGroupManagers/${mig}' is not ready`,
  );
  w.advance(60_000);

  const as = w.uniq('as');
  const target = `https://www.googleapis.com/compute/v1/projects/${P}/regions/${R}/instanceGroupManagers/${mig}`;
  await c().regionAutoscalers.insert({
    project: P,
    region: R,
    autoscalerResource: { name: as, target, autoscalingPolicy: { maxNumReplicas: 3 } },
  });
  const asErr = await w.failure(
    c().regionAutoscalers.patch({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: { autoscalingPolicy: { maxNumReplicas: 4 } },
    }),
  );
  expect(reasonOf(asErr)).toBe('resourceNotReady');
  w.advance(60_000);
});

test("georoute's conditional write retries a busy backend service until its operation is DONE", async () => {
  const name = w.uniq('bs');
  await insertBackendService(name);
  const mark = await w.control.mark();
  const write = patchBackendService(w.gcp, P, name, {
    derive: (current) => (current.timeoutSec === 120 ? undefined : { patch: { timeoutSec: 120 }, changes: ['t'] }),
    what: 'test patch',
  });
  // Time moves only once the write has met the busy resource.
  await eventually(async () => {
    const { requests } = await w.control.requests({ since: mark, api: 'compute' });
    return requests.some((r) => r.method === 'PATCH' && r.status === 400);
  });
  const outcome = await whileTimeMoves(write);
  expect(outcome.writes).toBe(1);
  expect(outcome.conflicts).toBeGreaterThanOrEqual(1);
  const [bs] = await c().backendServices.get({ project: P, backendService: name });
  expect(bs.timeoutSec).toBe(120);
});

/** Awaits `promise` while virtual time moves on (its operation waits need DONE). */
async function whileTimeMoves<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => w.advance(60_000), 20);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

const gpuTemplateSettled = () => whileTimeMoves(gpuTemplate(w));
