import { startTwin, type Twin } from '../../helpers/twin';
import { BASE, type ManagedInstanceView, managed, P, R } from './mig-helpers';

/**
 * Compute on Google's clock (emulator/core/timings.ts): operations per resource kind, a GPU VM's
 * boot, driver and model warm-up, health by the health check's probes, the project-wide GPU quota
 * and request-rate quotas. The virtual clock barely moves by itself (0.001× real time); every delay
 * is crossed by an explicit advance.
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ clockSpeed: 0.001 });
});
afterAll(async () => {
  await w.close();
});
afterEach(async () => {
  await w.control.setRateQuota({});
});

const S = 1_000;
const { vmBootMs, gpuDriverMs, vmWarmupMs } = { vmBootMs: 150 * S, gpuDriverMs: 180 * S, vmWarmupMs: 600 * S };

type Mutation = Parameters<Twin['done']>[0];
const opOf = (m: Mutation) => (m[0] as { latestResponse: { name: string } }).latestResponse;
async function status(m: Mutation): Promise<string> {
  const [op] = await w.gcp.compute.globalOperations.get({ project: P, operation: opOf(m).name });
  return String(op.status);
}
/** Moves time past any operation and waits for it (DONE, no error). */
async function settle(m: Mutation): Promise<void> {
  w.advance(30 * S);
  await w.done(m);
}

test('operations: PENDING 1 s, then RUNNING for their kind (health check 5 s, backend service 15 s)', async () => {
  const hc = w.uniq('hc');
  const insertHc = await w.gcp.compute.healthChecks.insert({
    project: P,
    healthCheckResource: { name: hc, type: 'TCP', tcpHealthCheck: { port: 80 } },
  });
  expect(await status(insertHc)).toBe('PENDING');
  w.advance(1 * S);
  expect(await status(insertHc)).toBe('RUNNING');
  w.advance(5 * S - 1);
  expect(await status(insertHc)).toBe('RUNNING');
  w.advance(1);
  expect(await status(insertHc)).toBe('DONE');

  const insertBs = await w.gcp.compute.backendServices.insert({
    project: P,
    backendServiceResource: { name: w.uniq('bs'), loadBalancingScheme: 'EXTERNAL_MANAGED' },
  });
  w.advance(1 * S + 15 * S - 1);
  expect(await status(insertBs)).toBe('RUNNING');
  w.advance(1);
  expect(await status(insertBs)).toBe('DONE');
});

async function template(machineType: string, gpus: boolean): Promise<string> {
  const name = w.uniq('tpl');
  await settle(
    await w.gcp.compute.instanceTemplates.insert({
      project: P,
      instanceTemplateResource: {
        name,
        properties: {
          machineType,
          ...(gpus ? { guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 1 }] } : {}),
          scheduling: { onHostMaintenance: gpus ? 'TERMINATE' : 'MIGRATE' },
        },
      },
    }),
  );
  return `${BASE}projects/${P}/global/instanceTemplates/${name}`;
}

async function mig(instanceTemplate: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = w.uniq('mig');
  await settle(
    await w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: R,
      instanceGroupManagerResource: {
        name,
        baseInstanceName: name.slice(0, 40),
        instanceTemplate,
        targetSize: 1,
        ...extra,
      },
    }),
  );
  return name;
}

const health = (name: string) =>
  w.emu.compute.sim.groupHealth(`projects/${P}/regions/${R}/instanceGroups/${name}`).map((h) => h.healthState);
const statusOf = async (name: string) => ((await managed(w, name))[0] as ManagedInstanceView).instanceStatus;
/** When the MIG's (only) VM was created: the MIG creates it at its next tick after the insert. */
const createdAt = (name: string): number =>
  w.emu.compute.sim.instancesOf(`projects/${P}/regions/${R}/instanceGroupManagers/${name}`)[0]!.createdAt;

test('a GPU VM: RUNNING after the boot, then the driver, then the model; HEALTHY on the second good probe', async () => {
  const name = await mig(await template('g2-standard-8', true));
  const created = createdAt(name);
  const at = (ms: number) => w.advance(created + ms - w.emu.ctx.clock.now());
  at(vmBootMs - 1);
  expect(await statusOf(name)).toBe('STAGING');
  at(vmBootMs);
  expect(await statusOf(name)).toBe('RUNNING');
  at(vmBootMs + gpuDriverMs + vmWarmupMs - 1);
  expect(health(name)).toEqual(['UNHEALTHY']);
  at(vmBootMs + gpuDriverMs + vmWarmupMs + 5 * S); // probes every 5 s: the second good one
  expect(health(name)).toEqual(['HEALTHY']);
});

test('a VM without GPUs installs no driver', async () => {
  const name = await mig(await template('n2-standard-4', false));
  w.advance(createdAt(name) + vmBootMs + vmWarmupMs + 5 * S - w.emu.ctx.clock.now());
  expect(health(name)).toEqual(['HEALTHY']);
});

test('autohealing with the default initialDelaySec (0) recreates a GPU VM before its model ever serves', async () => {
  const hc = w.uniq('hc');
  await settle(
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name: hc, type: 'HTTP', httpHealthCheck: { port: 8080 } },
    }),
  );
  const name = await mig(await template('g2-standard-8', true), {
    autoHealingPolicies: [{ healthCheck: `${BASE}projects/${P}/global/healthChecks/${hc}` }],
  });
  const [got] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: P,
    region: R,
    instanceGroupManager: name,
  });
  expect(got.autoHealingPolicies?.[0]?.initialDelaySec).toBe(0);
  w.advance(vmBootMs + 30 * S); // RUNNING, then two probes time out: UNHEALTHY
  const first = (await managed(w, name))[0];
  expect(first?.currentAction).toBe('RECREATING');
});

test('GPUS_ALL_REGIONS caps the project in every region: QUOTA_EXCEEDED "… Limit: 1.0 globally."', async () => {
  await w.control.setQuota({ project: P, metric: 'GPUS_ALL_REGIONS', limit: 1 });
  try {
    const gpu = await template('g2-standard-8', true);
    await mig(gpu);
    const second = await mig(gpu); // any region: the quota is project-wide
    const [errs] = await w.gcp.compute.regionInstanceGroupManagers.listErrors({
      project: P,
      region: R,
      instanceGroupManager: second,
    });
    expect(errs[0]?.error?.code).toBe('QUOTA_EXCEEDED');
    expect(errs[0]?.error?.message).toMatch(/Quota 'GPUS_ALL_REGIONS' exceeded\. {2}Limit: 1\.0 globally\.$/);
  } finally {
    await w.control.setQuota({ project: P, metric: 'GPUS_ALL_REGIONS', limit: null });
  }
});

test('request-rate quotas: 403 rateLimitExceeded (domain usageLimits), refilled at the next minute', async () => {
  const hc = w.uniq('hc');
  await settle(
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name: hc, type: 'TCP', tcpHealthCheck: { port: 80 } },
    }),
  );
  w.advance(60 * S - (w.emu.ctx.clock.now() % (60 * S))); // the start of a minute
  await w.control.setRateQuota({ globalReads: 2 });
  const read = () => w.gcp.compute.healthChecks.get({ project: P, healthCheck: hc });
  await read();
  await read();
  const refused = await w.failure(read());
  expect(refused.code).toBe(403);
  const body = JSON.parse(refused.message) as {
    error: { errors: Array<{ reason: string; domain: string }>; message: string; details: Array<{ reason: string }> };
  };
  expect(body.error.errors[0]).toMatchObject({ reason: 'rateLimitExceeded', domain: 'usageLimits' });
  expect(body.error.message).toMatch(
    /^Quota exceeded for quota metric '.+' and limit 'GlobalReadsPerMinutePerProject'/,
  );
  expect(body.error.details[0]?.reason).toBe('RATE_LIMIT_EXCEEDED');
  // Regional calls count against their own group; the global one refills at the next minute.
  await w.gcp.compute.regionInstanceGroupManagers.list({ project: P, region: R });
  w.advance(60 * S);
  await expect(read()).resolves.toBeDefined();
});
