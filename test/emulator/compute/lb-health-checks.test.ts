import { startTwin, type Twin } from '../../helpers/twin';
import { P, R } from './lb-helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const insert = (healthCheckResource: Record<string, unknown>) =>
  w.gcp.compute.healthChecks.insert({ project: P, healthCheckResource });

test('insert and get: Google defaults filled in, the sub-object kept', async () => {
  const name = w.uniq('hc');
  await w.done(await insert({ name, type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/healthz' } }));
  const [hc] = await w.gcp.compute.healthChecks.get({ project: P, healthCheck: name });
  expect(hc).toMatchObject({
    kind: 'compute#healthCheck',
    name,
    type: 'HTTP',
    checkIntervalSec: 5,
    timeoutSec: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
  });
  expect(hc.httpHealthCheck).toMatchObject({ port: 8080, requestPath: '/healthz', proxyHeader: 'NONE' });
  expect(hc.selfLink).toBe(`https://www.googleapis.com/compute/v1/projects/${P}/global/healthChecks/${name}`);
});

test('timeoutSec greater than checkIntervalSec → 400', async () => {
  const err = await w.failure(
    insert({ name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 }, checkIntervalSec: 5, timeoutSec: 10 }),
  );
  expect(err.code).toBe(400);
  expect(err.message).toContain('TimeoutSec should be less than checkIntervalSec');
  // Equal is allowed.
  await w.done(
    await insert({ name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 }, checkIntervalSec: 5, timeoutSec: 5 }),
  );
});

test('a sub-object that does not match the type, or no type → 400', async () => {
  expect((await w.failure(insert({ name: w.uniq('hc'), type: 'HTTP', tcpHealthCheck: { port: 80 } }))).code).toBe(400);
  expect((await w.failure(insert({ name: w.uniq('hc'), httpHealthCheck: { port: 80 } }))).code).toBe(400);
  expect((await w.failure(insert({ name: w.uniq('hc'), type: 'HTTP', httpHealthCheck: { port: 70000 } }))).code).toBe(
    400,
  );
});

test('sourceRegions: exactly 3 regions and checkIntervalSec ≥ 30, global only', async () => {
  const regions = ['us-central1', 'europe-west4', 'asia-east1'];
  const ok = w.uniq('hc');
  await w.done(
    await insert({
      name: ok,
      type: 'HTTP',
      httpHealthCheck: { port: 80 },
      sourceRegions: regions,
      checkIntervalSec: 30,
    }),
  );
  const [hc] = await w.gcp.compute.healthChecks.get({ project: P, healthCheck: ok });
  expect(hc.sourceRegions).toEqual(regions);

  const two = await w.failure(
    insert({ name: w.uniq('hc'), type: 'HTTP', sourceRegions: regions.slice(0, 2), checkIntervalSec: 30 }),
  );
  expect(two.code).toBe(400);
  expect(two.message).toContain('sourceRegions');
  const fast = await w.failure(
    insert({ name: w.uniq('hc'), type: 'HTTP', sourceRegions: regions, checkIntervalSec: 10 }),
  );
  expect(fast.code).toBe(400);
  expect(fast.message).toContain('checkIntervalSec');
  const http2 = await w.failure(
    insert({ name: w.uniq('hc'), type: 'HTTP2', sourceRegions: regions, checkIntervalSec: 30 }),
  );
  expect(http2.code).toBe(400);
  const regional = await w.failure(
    w.gcp.compute.regionHealthChecks.insert({
      project: P,
      region: R,
      healthCheckResource: { name: w.uniq('hc'), type: 'HTTP', sourceRegions: regions, checkIntervalSec: 30 },
    }),
  );
  expect(regional.code).toBe(400);
});

test('patch and update (no fingerprint on health checks), then delete → 404 on get', async () => {
  const name = w.uniq('hc');
  await w.done(await insert({ name, type: 'HTTP' }));
  await w.done(
    await w.gcp.compute.healthChecks.patch({
      project: P,
      healthCheck: name,
      healthCheckResource: { checkIntervalSec: 10, httpHealthCheck: { requestPath: '/ready' } },
    }),
  );
  let [hc] = await w.gcp.compute.healthChecks.get({ project: P, healthCheck: name });
  expect(hc.checkIntervalSec).toBe(10);
  // Merge patch: the nested object merges, its other fields stay.
  expect(hc.httpHealthCheck).toMatchObject({ requestPath: '/ready', port: 80 });
  await w.done(
    await w.gcp.compute.healthChecks.update({
      project: P,
      healthCheck: name,
      healthCheckResource: { name, type: 'TCP', tcpHealthCheck: { port: 5000 } },
    }),
  );
  [hc] = await w.gcp.compute.healthChecks.get({ project: P, healthCheck: name });
  expect(hc.type).toBe('TCP');
  expect(hc.httpHealthCheck).toBeFalsy();
  expect(hc.checkIntervalSec).toBe(5);
  await w.done(await w.gcp.compute.healthChecks.delete({ project: P, healthCheck: name }));
  expect((await w.failure(w.gcp.compute.healthChecks.get({ project: P, healthCheck: name }))).code).toBe(404);
});

test('operations go PENDING → RUNNING → DONE over virtual time', async () => {
  const frozen = await startTwin({
    clockSpeed: 1,
    timings: { operationPendingMs: 60_000, operationRunningMs: 60_000 },
  });
  try {
    const [lro] = await frozen.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: { name: 'slow', type: 'TCP' },
    });
    const op = (lro as unknown as { latestResponse: { name: string; status: string } }).latestResponse;
    expect(op.status).toBe('PENDING');
    const status = async () =>
      (await frozen.gcp.compute.globalOperations.get({ project: P, operation: op.name }))[0].status;
    frozen.emu.ctx.clock.advance(61_000);
    expect(await status()).toBe('RUNNING');
    frozen.emu.ctx.clock.advance(60_000);
    expect(await status()).toBe('DONE');
  } finally {
    await frozen.close();
  }
});
