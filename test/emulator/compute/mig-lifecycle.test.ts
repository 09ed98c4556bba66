import { startTwin, type Twin } from '../../helpers/twin';
import {
  BASE,
  BOOT_MS,
  createMig,
  gpuTemplate,
  managed,
  P,
  PROBE_MS,
  R,
  TO_HEALTHY_MS,
  WARMUP_MS,
  zoneOf,
} from './mig-helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'mig' });
});
afterAll(async () => {
  await w.close();
});

const getMig = async (name: string) =>
  (await w.gcp.compute.regionInstanceGroupManagers.get({ project: P, region: R, instanceGroupManager: name }))[0];

test('insert refuses a template that does not exist (404) and a missing baseInstanceName (400)', async () => {
  const missing = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: R,
      instanceGroupManagerResource: {
        name: w.uniq('mig'),
        baseInstanceName: 'x',
        instanceTemplate: `${BASE}projects/${P}/global/instanceTemplates/nope`,
        targetSize: 1,
      },
    }),
  );
  expect(missing.code).toBe(404);
  expect(missing.message).toContain('instanceTemplates/nope');
  const template = await gpuTemplate(w);
  const noBase = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: R,
      instanceGroupManagerResource: { name: w.uniq('mig'), instanceTemplate: template, targetSize: 1 },
    }),
  );
  expect(noBase.code).toBe(400);
  expect(noBase.message).toContain('baseInstanceName');
  const badZone = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: R,
      instanceGroupManagerResource: {
        name: w.uniq('mig'),
        baseInstanceName: 'x',
        instanceTemplate: template,
        distributionPolicy: { zones: [{ zone: `${BASE}projects/${P}/zones/europe-west4-a` }] },
      },
    }),
  );
  expect(badZone.code).toBe(400);
  expect(badZone.message).toContain('distributionPolicy.zones[0].zone');
});

test('a MIG gets server fields, an instance group, and VMs that are RUNNING only after the boot time', async () => {
  const name = await createMig(w, { targetSize: 3 });
  const mig = await getMig(name);
  expect(mig.instanceGroup).toBe(`${BASE}projects/${P}/regions/${R}/instanceGroups/${name}`);
  expect(mig.region).toBe(`${BASE}projects/${P}/regions/${R}`);
  expect(mig.fingerprint).toBeTruthy();
  expect(mig.distributionPolicy?.zones).toHaveLength(3);
  expect(mig.distributionPolicy?.targetShape).toBe('EVEN');
  expect(mig.status?.isStable).toBe(false);
  expect(mig.currentActions?.creating).toBe(3);
  expect(w.emu.compute.state.resources[`projects/${P}/regions/${R}/instanceGroups/${name}`]?.kind).toBe(
    'compute#instanceGroup',
  );

  const booting = await managed(w, name);
  expect(booting).toHaveLength(3);
  expect(new Set(booting.map((m) => zoneOf(m.instance))).size).toBe(3); // EVEN: one per zone
  for (const m of booting) {
    expect(m.currentAction).toBe('CREATING');
    expect(['PROVISIONING', 'STAGING']).toContain(m.instanceStatus);
  }

  w.advance(BOOT_MS + 1_000);
  const running = await managed(w, name);
  expect(running.map((m) => [m.instanceStatus, m.currentAction])).toEqual([
    ['RUNNING', 'NONE'],
    ['RUNNING', 'NONE'],
    ['RUNNING', 'NONE'],
  ]);
  const stable = await getMig(name);
  expect(stable.status?.isStable).toBe(true);
  expect(stable.currentActions?.none).toBe(3);
});

test('resize of a MIG without autoscaler sets targetSize; scale-in deletes VMs', async () => {
  const name = await createMig(w, { targetSize: 1 });
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.resize({
      project: P,
      region: R,
      instanceGroupManager: name,
      size: 4,
    }),
  );
  expect((await getMig(name)).targetSize).toBe(4);
  expect(await managed(w, name)).toHaveLength(4);
  w.advance(BOOT_MS);
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.resize({
      project: P,
      region: R,
      instanceGroupManager: name,
      size: 1,
    }),
  );
  const shrinking = await managed(w, name);
  expect(shrinking.filter((m) => m.currentAction === 'DELETING')).toHaveLength(3);
  w.advance(15_000);
  expect(await managed(w, name)).toHaveLength(1);

  const negative = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.resize({ project: P, region: R, instanceGroupManager: name, size: -1 }),
  );
  expect(negative.code).toBe(400);
});

test('patch needs the current fingerprint (412 without or stale) and is a merge patch', async () => {
  const name = await createMig(w, { targetSize: 0 });
  const before = await getMig(name);
  const noPrint = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.patch({
      project: P,
      region: R,
      instanceGroupManager: name,
      instanceGroupManagerResource: { description: 'x' },
    }),
  );
  expect(noPrint.code).toBe(412);
  expect(noPrint.message).toContain('conditionNotMet');
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.patch({
      project: P,
      region: R,
      instanceGroupManager: name,
      instanceGroupManagerResource: { description: 'x', fingerprint: before.fingerprint },
    }),
  );
  const after = await getMig(name);
  expect(after.description).toBe('x');
  expect(after.namedPorts?.map((p) => p.port)).toEqual([8080]); // untouched by the merge patch
  expect(after.fingerprint).not.toBe(before.fingerprint);
  const stale = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.patch({
      project: P,
      region: R,
      instanceGroupManager: name,
      instanceGroupManagerResource: { description: 'y', fingerprint: before.fingerprint },
    }),
  );
  expect(stale.code).toBe(412);
});

test('a killed VM goes TERMINATED and is recreated by its MIG', async () => {
  const name = await createMig(w, { targetSize: 2 });
  w.advance(BOOT_MS);
  const [victim] = await managed(w, name);
  const killed = await w.control.killInstances({ instance: victim?.instance ?? undefined });
  expect(killed).toHaveLength(1);
  const dead = (await managed(w, name)).find((m) => m.instance === victim?.instance);
  expect(dead?.instanceStatus).toBe('TERMINATED');
  expect(dead?.currentAction).toBe('RECREATING');
  w.advance(11_000);
  const recreating = (await managed(w, name)).find((m) => m.instance === victim?.instance);
  expect(['PROVISIONING', 'STAGING']).toContain(recreating?.instanceStatus);
  w.advance(BOOT_MS);
  const back = (await managed(w, name)).find((m) => m.instance === victim?.instance);
  expect(back?.instanceStatus).toBe('RUNNING');
  expect(back?.currentAction).toBe('NONE');
});

test('groupHealth follows the health check: healthyThreshold good probes after warm-up, unhealthyThreshold timeouts after a failure', async () => {
  const name = await createMig(w, { targetSize: 2 });
  const group = `projects/${P}/regions/${R}/instanceGroups/${name}`;
  const sim = w.emu.compute.sim;
  const states = () => sim.groupHealth(group).map((h) => h.healthState);
  expect(states()).toEqual(['UNHEALTHY', 'UNHEALTHY']);
  w.advance(BOOT_MS);
  expect(states()).toEqual(['UNHEALTHY', 'UNHEALTHY']);
  w.advance(WARMUP_MS); // the server answers: one good probe so far
  expect(states()).toEqual(['UNHEALTHY', 'UNHEALTHY']);
  w.advance(TO_HEALTHY_MS - PROBE_MS);
  const healthy = sim.groupHealth(group);
  expect(healthy.map((h) => h.healthState)).toEqual(['HEALTHY', 'HEALTHY']);
  expect(healthy[0]?.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
  expect(healthy[0]?.instance).toContain(`/instances/${name.slice(0, 40)}-`);

  // The server stops answering: two probes must time out before the health check says UNHEALTHY.
  await w.control.setHealth({ instance: healthy[0]?.instance, health: 'UNHEALTHY' });
  expect(states()).toEqual(['HEALTHY', 'HEALTHY']);
  w.advance(PROBE_MS);
  expect(states()).toEqual(['HEALTHY', 'HEALTHY']);
  w.advance(2 * PROBE_MS);
  expect(states()).toEqual(['UNHEALTHY', 'HEALTHY']);
  await w.control.setHealth({ mig: name, region: R, health: 'auto' });
  expect(states()).toEqual(['UNHEALTHY', 'HEALTHY']);
  w.advance(TO_HEALTHY_MS);
  expect(states()).toEqual(['HEALTHY', 'HEALTHY']);
});

test('backendServices.getHealth reports the MIG VMs; a MIG used as a backend cannot be deleted', async () => {
  const name = await createMig(w, { targetSize: 1 });
  const group = `${BASE}projects/${P}/regions/${R}/instanceGroups/${name}`;
  const hc = w.uniq('hc');
  await w.done(
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name: hc, type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz' } },
    }),
  );
  const bs = w.uniq('bs');
  await w.done(
    await w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: {
        name: bs,
        healthChecks: [`${BASE}projects/${P}/global/healthChecks/${hc}`],
        backends: [{ group }],
      },
    }),
  );
  w.advance(BOOT_MS + WARMUP_MS + TO_HEALTHY_MS);
  const [health] = await w.gcp.compute.backendServices.getHealth({
    project: P,
    backendService: bs,
    resourceGroupReferenceResource: { group },
  });
  expect(health.healthStatus?.map((h) => h.healthState)).toEqual(['HEALTHY']);

  const inUse = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.delete({ project: P, region: R, instanceGroupManager: name }),
  );
  expect(inUse.code).toBe(400);
  expect(inUse.message).toContain('resourceInUseByAnotherResource');
  expect(inUse.message).toContain(`backendServices/${bs}`);

  await w.done(await w.gcp.compute.backendServices.delete({ project: P, backendService: bs }));
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.delete({ project: P, region: R, instanceGroupManager: name }),
  );
  expect(w.emu.compute.state.resources[`projects/${P}/regions/${R}/instanceGroups/${name}`]).toBeUndefined();
  expect(w.emu.compute.sim.instancesOf(`projects/${P}/regions/${R}/instanceGroupManagers/${name}`)).toHaveLength(0);
});
