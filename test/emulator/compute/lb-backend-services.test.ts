import { randomUUID } from 'node:crypto';
import { startTwin, type Twin } from '../../helpers/twin';
import { addInstanceGroup, backendService, globalHealthCheck, P, R } from './lb-helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const get = async (name: string) => (await w.gcp.compute.backendServices.get({ project: P, backendService: name }))[0];

test('insert, then get returns the service with the defaults Google fills in', async () => {
  const bs = await backendService(w);
  const got = await get(bs.name);
  expect(got.kind).toBe('compute#backendService');
  expect(got.selfLink).toBe(bs.link);
  expect(got.fingerprint).toEqual(expect.any(String));
  expect(got.timeoutSec).toBe(30);
  expect(got.connectionDraining?.drainingTimeoutSec).toBe(0);
  expect(got.loadBalancingScheme).toBe('EXTERNAL');
  expect(got.protocol).toBe('HTTP');
  expect(got.healthChecks).toEqual([bs.hc]);
  expect(got.backends).toHaveLength(1);
  expect(got.backends?.[0]).toMatchObject({
    group: bs.groups[0],
    balancingMode: 'UTILIZATION',
    capacityScaler: 1,
    maxUtilization: 0.8,
  });
  const names = (await w.gcp.compute.backendServices.list({ project: P }))[0].map((b) => b.name);
  expect(names).toContain(bs.name);
});

test('a duplicate name → 409', async () => {
  const bs = await backendService(w);
  const err = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: { name: bs.name, healthChecks: [bs.hc] },
    }),
  );
  expect(err.code).toBe(409);
});

test('patch with a stale fingerprint → 412 conditionNotMet; without one → 412', async () => {
  const bs = await backendService(w);
  const before = await get(bs.name);
  await w.done(
    await w.gcp.compute.backendServices.patch({
      project: P,
      backendService: bs.name,
      backendServiceResource: { fingerprint: before.fingerprint, timeoutSec: 600 },
    }),
  );
  const stale = await w.failure(
    w.gcp.compute.backendServices.patch({
      project: P,
      backendService: bs.name,
      backendServiceResource: { fingerprint: before.fingerprint, timeoutSec: 900 },
    }),
  );
  expect(stale.code).toBe(412);
  expect(stale.message).toContain('conditionNotMet');
  const missing = await w.failure(
    w.gcp.compute.backendServices.patch({
      project: P,
      backendService: bs.name,
      backendServiceResource: { timeoutSec: 900 },
    }),
  );
  expect(missing.code).toBe(412);
  expect(missing.message).toContain('conditionNotMet');
  const update = await w.failure(
    w.gcp.compute.backendServices.update({
      project: P,
      backendService: bs.name,
      backendServiceResource: { ...before, timeoutSec: 900 },
    }),
  );
  expect(update.code).toBe(412);
  expect((await get(bs.name)).timeoutSec).toBe(600);
});

test('capacityScaler must be 0 or within [0.1, 1.0]', async () => {
  const bs = await backendService(w, [1, 1]);
  const fingerprint = (await get(bs.name)).fingerprint;
  for (const bad of [0.05, 1.5, -0.1]) {
    const err = await w.failure(
      w.gcp.compute.backendServices.patch({
        project: P,
        backendService: bs.name,
        backendServiceResource: {
          fingerprint,
          backends: [{ group: bs.groups[0], capacityScaler: bad }, { group: bs.groups[1] }],
        },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.message).toContain('resource.backends[0].capacityScaler');
  }
});

test('draining the only backend (capacityScaler 0) → 400; draining one of two is fine', async () => {
  const lone = await backendService(w);
  const err = await w.failure(
    w.gcp.compute.backendServices.patch({
      project: P,
      backendService: lone.name,
      backendServiceResource: {
        fingerprint: (await get(lone.name)).fingerprint,
        backends: [{ group: lone.groups[0], capacityScaler: 0 }],
      },
    }),
  );
  expect(err.code).toBe(400);
  expect(err.message).toContain('capacityScaler');

  const insert = await w.failure(backendService(w, [0]));
  expect(insert.code).toBe(400);

  const two = await backendService(w, [1, 0]);
  const got = await get(two.name);
  expect(got.backends?.map((b) => b.capacityScaler)).toEqual([1, 0]);
});

test('patch replaces the backends array whole (JSON merge patch)', async () => {
  const bs = await backendService(w, [1, 1]);
  const before = await get(bs.name);
  await w.done(
    await w.gcp.compute.backendServices.patch({
      project: P,
      backendService: bs.name,
      backendServiceResource: {
        fingerprint: before.fingerprint,
        backends: [{ group: bs.groups[1], capacityScaler: 0.5 }],
      },
    }),
  );
  const after = await get(bs.name);
  expect(after.backends).toHaveLength(1);
  expect(after.backends?.[0]).toMatchObject({ group: bs.groups[1], capacityScaler: 0.5 });
  expect(after.fingerprint).not.toBe(before.fingerprint);
  // Fields not in the patch are kept.
  expect(after.healthChecks).toEqual([bs.hc]);
});

test('a retried mutation with the same requestId returns the same operation and applies once', async () => {
  const hc = await globalHealthCheck(w);
  const group = addInstanceGroup(w, w.uniq('ig'));
  const name = w.uniq('bs');
  const requestId = randomUUID();
  const insert = () =>
    w.gcp.compute.backendServices.insert({
      project: P,
      requestId,
      backendServiceResource: { name, healthChecks: [hc], backends: [{ group }] },
    });
  const first = await insert();
  const second = await insert();
  const op1 = (first[0] as { latestResponse: { name: string } }).latestResponse;
  const op2 = (second[0] as { latestResponse: { name: string } }).latestResponse;
  expect(op2.name).toBe(op1.name);
  await w.done(second);
  const all = (await w.gcp.compute.backendServices.list({ project: P }))[0].filter((b) => b.name === name);
  expect(all).toHaveLength(1);

  // A retried patch with a now-stale fingerprint is not re-applied: it answers the first operation.
  const fingerprint = (await get(name)).fingerprint;
  const patchId = randomUUID();
  const patch = (timeoutSec: number) =>
    w.gcp.compute.backendServices.patch({
      project: P,
      backendService: name,
      requestId: patchId,
      backendServiceResource: { fingerprint, timeoutSec },
    });
  const p1 = await patch(120);
  const p2 = await patch(240);
  expect((p2[0] as { latestResponse: { name: string } }).latestResponse.name).toBe(
    (p1[0] as { latestResponse: { name: string } }).latestResponse.name,
  );
  expect((await get(name)).timeoutSec).toBe(120);
});

test('a backend naming a group that does not exist → 404 notFound', async () => {
  const hc = await globalHealthCheck(w);
  const err = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: {
        name: w.uniq('bs'),
        healthChecks: [hc],
        backends: [{ group: `projects/${P}/regions/${R}/instanceGroups/nope` }],
      },
    }),
  );
  expect(err.code).toBe(404);
  expect(err.message).toContain(`projects/${P}/regions/${R}/instanceGroups/nope`);
});

test('the same group twice → 400; an instance-group backend without a health check → 400', async () => {
  const hc = await globalHealthCheck(w);
  const group = addInstanceGroup(w, w.uniq('ig'));
  const dup = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: { name: w.uniq('bs'), healthChecks: [hc], backends: [{ group }, { group }] },
    }),
  );
  expect(dup.code).toBe(400);
  expect(dup.message).toContain('resource.backends[1].group');
  const noHc = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: { name: w.uniq('bs'), backends: [{ group }] },
    }),
  );
  expect(noHc.code).toBe(400);
  expect(noHc.message).toContain('resource.healthChecks');
});

test('RATE needs exactly one of maxRate / maxRatePerInstance', async () => {
  const hc = await globalHealthCheck(w);
  const group = addInstanceGroup(w, w.uniq('ig'));
  const both = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: {
        name: w.uniq('bs'),
        healthChecks: [hc],
        backends: [{ group, balancingMode: 'RATE', maxRate: 100, maxRatePerInstance: 10 }],
      },
    }),
  );
  expect(both.code).toBe(400);
  expect(both.message).toContain('Both maxRate or maxRatePerInstance cannot be set.');
  const name = w.uniq('bs');
  await w.done(
    await w.gcp.compute.backendServices.insert({
      project: P,
      backendServiceResource: {
        name,
        healthChecks: [hc],
        backends: [{ group, balancingMode: 'RATE', maxRatePerInstance: 10 }],
      },
    }),
  );
  expect((await get(name)).backends?.[0]).toMatchObject({ balancingMode: 'RATE', maxRatePerInstance: 10 });
});

test('a health check in use by a backend service cannot be deleted → 400 resourceInUseByAnotherResource', async () => {
  const bs = await backendService(w);
  const hcName = bs.hc.slice(bs.hc.lastIndexOf('/') + 1);
  const err = await w.failure(w.gcp.compute.healthChecks.delete({ project: P, healthCheck: hcName }));
  expect(err.code).toBe(400);
  expect(err.message).toContain('resourceInUseByAnotherResource');
  // Once the backend service is gone, the health check can go.
  await w.done(await w.gcp.compute.backendServices.delete({ project: P, backendService: bs.name }));
  await w.done(await w.gcp.compute.healthChecks.delete({ project: P, healthCheck: hcName }));
});

test('getHealth answers for a backend group and refuses a group that is not a backend', async () => {
  const bs = await backendService(w);
  const [health] = await w.gcp.compute.backendServices.getHealth({
    project: P,
    backendService: bs.name,
    resourceGroupReferenceResource: { group: bs.groups[0] },
  });
  expect(health.kind).toBe('compute#backendServiceGroupHealth');
  // No instances yet (the MIG simulation adds them): Google omits the empty list, the client decodes [].
  expect(health.healthStatus ?? []).toEqual([]);

  const other = addInstanceGroup(w, w.uniq('ig'));
  const err = await w.failure(
    w.gcp.compute.backendServices.getHealth({
      project: P,
      backendService: bs.name,
      resourceGroupReferenceResource: { group: other },
    }),
  );
  expect(err.code).toBe(400);
  const missing = await w.failure(
    w.gcp.compute.backendServices.getHealth({
      project: P,
      backendService: 'nope',
      resourceGroupReferenceResource: { group: other },
    }),
  );
  expect(missing.code).toBe(404);
});

test('getHealth reports what the instance simulation says, with the service port', async () => {
  const bs = await backendService(w);
  const path = bs.groups[0]!.replace('https://www.googleapis.com/compute/v1/', '');
  const spy = jest.spyOn(w.emu.compute.sim, 'groupHealth').mockImplementation((group) =>
    group === path
      ? [
          { instance: 'https://x/instances/vm-a', ipAddress: '10.0.0.2', healthState: 'HEALTHY' },
          { instance: 'https://x/instances/vm-b', ipAddress: '10.0.0.3', healthState: 'UNHEALTHY' },
        ]
      : [],
  );
  try {
    const [health] = await w.gcp.compute.backendServices.getHealth({
      project: P,
      backendService: bs.name,
      resourceGroupReferenceResource: { group: bs.groups[0] },
    });
    expect(health.healthStatus?.map((h) => [h.ipAddress, h.port, h.healthState])).toEqual([
      ['10.0.0.2', 80, 'HEALTHY'],
      ['10.0.0.3', 80, 'UNHEALTHY'],
    ]);
  } finally {
    spy.mockRestore();
  }
});

test('regional backend services: regional health check, groups of the same region', async () => {
  const hcName = w.uniq('rhc');
  await w.done(
    await w.gcp.compute.regionHealthChecks.insert({
      project: P,
      region: R,
      healthCheckResource: { name: hcName, type: 'TCP', tcpHealthCheck: { port: 9000 } },
    }),
  );
  const hc = `projects/${P}/regions/${R}/healthChecks/${hcName}`;
  const group = addInstanceGroup(w, w.uniq('ig'));
  const name = w.uniq('rbs');
  await w.done(
    await w.gcp.compute.regionBackendServices.insert({
      project: P,
      region: R,
      backendServiceResource: {
        name,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        healthChecks: [hc],
        backends: [{ group, capacityScaler: 1 }],
      },
    }),
  );
  const [got] = await w.gcp.compute.regionBackendServices.get({ project: P, region: R, backendService: name });
  expect(got.region).toContain(`/regions/${R}`);
  expect(got.fingerprint).toEqual(expect.any(String));
  const [health] = await w.gcp.compute.regionBackendServices.getHealth({
    project: P,
    region: R,
    backendService: name,
    resourceGroupReferenceResource: { group },
  });
  expect(health.kind).toBe('compute#backendServiceGroupHealth');

  // A global health check on a (non-INTERNAL) regional service → 400; a group of another region → 400.
  const globalHc = await globalHealthCheck(w);
  const wrongHc = await w.failure(
    w.gcp.compute.regionBackendServices.insert({
      project: P,
      region: R,
      backendServiceResource: {
        name: w.uniq('rbs'),
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        healthChecks: [globalHc],
        backends: [{ group }],
      },
    }),
  );
  expect(wrongHc.code).toBe(400);
  const far = addInstanceGroup(w, w.uniq('ig'), 'asia-east1');
  const wrongRegion = await w.failure(
    w.gcp.compute.regionBackendServices.insert({
      project: P,
      region: R,
      backendServiceResource: {
        name: w.uniq('rbs'),
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        healthChecks: [hc],
        backends: [{ group: far }],
      },
    }),
  );
  expect(wrongRegion.code).toBe(400);
  // The regional health check is in use now.
  const inUse = await w.failure(
    w.gcp.compute.regionHealthChecks.delete({ project: P, region: R, healthCheck: hcName }),
  );
  expect(inUse.code).toBe(400);
});
