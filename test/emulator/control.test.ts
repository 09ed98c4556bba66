import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EmulatorControl } from '../../emulator/control-client';
import { isRetryable, reasonOf } from '../../shared/core/errors';
import type { GcpClients } from '../../shared/gcp/clients';
import { startTwin, type Twin } from '../helpers/twin';

const project = 'p-control';
let w: Twin;
let gcp: GcpClients;
let control: EmulatorControl;

beforeEach(async () => {
  w = await startTwin({ project, timings: 'google' });
  gcp = w.gcp;
  control = w.control;
});
afterEach(() => w.close());

const getHc = () => gcp.compute.healthChecks.get({ project, healthCheck: 'none' });

test('fault rules: an injected status reaches the official client, `count` bounds it, and the log marks it', async () => {
  const id = await control.addFault({ api: 'compute', statuses: [503], count: 2 });
  await expect(getHc()).rejects.toMatchObject({ code: 503 });
  await expect(getHc()).rejects.toMatchObject({ code: 503 });
  await expect(getHc()).rejects.toMatchObject({ code: 404 }); // the rule is spent: the API answers again
  const { requests } = await control.requests({ api: 'compute' });
  expect(requests.map((r) => [r.status, r.injected ?? false])).toEqual([
    [503, true],
    [503, true],
    [404, false],
  ]);
  await control.removeFault(id);
  expect(await control.faults()).toEqual([]);
});

test('fault rules match by API, by path and by writes only; latency is added', async () => {
  await control.addFault({ api: 'dns', statuses: [429] });
  await control.addFault({ api: 'compute', pathPattern: '/regions/us-east4/', statuses: [500] });
  await control.addFault({ api: 'compute', writes: true, statuses: [503] });
  await control.addFault({ api: 'compute', latencyMs: 120 });
  await expect(getHc()).rejects.toMatchObject({ code: 404 }); // a global read: none of the failing rules
  await expect(
    gcp.compute.regionAutoscalers.get({ project, region: 'us-east4', autoscaler: 'a' }),
  ).rejects.toMatchObject({ code: 500 });
  await expect(
    gcp.compute.healthChecks.insert({
      project,
      healthCheckResource: { name: 'hc', type: 'TCP', tcpHealthCheck: { port: 1 } },
    }),
  ).rejects.toMatchObject({ code: 503 });
  const started = Date.now();
  await expect(getHc()).rejects.toMatchObject({ code: 404 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  const [zones] = await gcp.dns.getZones().catch((e: { code: number }) => [e.code]);
  expect(zones).toBe(429);
});

test("fault rules carry Google's reason and message: resourceNotReady (400) and rateLimitExceeded (403)", async () => {
  // Shapes as Google answers them: https://github.com/kubernetes/ingress-gce/issues/396 (400 resourceNotReady),
  // https://cloud.google.com/compute/api-quota (403 rateLimitExceeded).
  const busy = `The resource 'projects/${project}/global/healthChecks/hc' is not ready`;
  await control.addFault({
    api: 'compute',
    writes: true,
    statuses: [400],
    reason: 'resourceNotReady',
    message: busy,
    count: 1,
  });
  await control.addFault({ api: 'compute', writes: false, statuses: [403], reason: 'rateLimitExceeded', count: 1 });
  const insert = () =>
    gcp.compute.healthChecks.insert({
      project,
      healthCheckResource: { name: 'hc', type: 'TCP', tcpHealthCheck: { port: 1 } },
    });
  const notReady = await w.failure(insert());
  expect(notReady.code).toBe(400);
  expect(reasonOf(notReady)).toBe('resourceNotReady');
  expect(notReady.message).toContain(busy);
  expect(isRetryable(notReady)).toBe(true);
  const limited = await w.failure(getHc());
  expect(limited.code).toBe(403);
  expect(reasonOf(limited)).toBe('rateLimitExceeded');
  expect(isRetryable(limited)).toBe(true);
  await expect(getHc()).rejects.toMatchObject({ code: 404 });
});

test('the virtual clock: speed and jumps through the control API, bad values refused', async () => {
  const before = await control.clock();
  await control.advance(3_600_000);
  const after = await control.clock();
  expect(after.now - before.now).toBeGreaterThanOrEqual(3_600_000);
  await control.setClockSpeed(50);
  expect((await control.clock()).speed).toBe(50);
  // A negative speed is refused (setClockSpeed is the typed call; the route answers 400).
  await expect(control.setClockSpeed(-1)).rejects.toMatchObject({ status: 400 });
});

test('--state FILE: what a run created is there after a restart', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'georoute-state-')), 'state.json');
  const first = await startTwin({
    project,
    stateFile: file,
    timings: { operationPendingMs: 0, operationRunningMs: 0 },
  });
  const c1 = first.gcp;
  await c1.compute.healthChecks.insert({
    project,
    healthCheckResource: { name: 'kept', type: 'TCP', tcpHealthCheck: { port: 80 } },
  });
  await c1.dns.createZone('kept-zone', { dnsName: 'kept.example.', description: 'kept' });
  await c1.pubsub.createTopic('kept-topic');
  await first.close();

  const second = await startTwin({ project, stateFile: file });
  const c2 = second.gcp;
  try {
    const [hc] = await c2.compute.healthChecks.get({ project, healthCheck: 'kept' });
    expect(hc.tcpHealthCheck?.port).toBe(80);
    const [zone] = await c2.dns.zone('kept-zone').get();
    expect(zone.metadata.dnsName).toBe('kept.example.');
    const [exists] = await c2.pubsub.topic('kept-topic').exists();
    expect(exists).toBe(true);
  } finally {
    await second.close();
  }
});
