import type { WorldEvent } from '../../../emulator/world';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

/**
 * The native baseline on the world (docs/BENCHMARKS.md, "The native baseline"): the bootstrapped stack
 * with georoute's functions off. Clients resolve the health-checked geo record; Cloud DNS probes each
 * region's regional load balancer every 30 s; a hard failure leaves the answers after 2 failed probes,
 * a gray failure never does; outlier detection ejects a sick VM from its regional backend service.
 * The testConfig fences `europe-west4`'s clients to `eu`, so the record is fenced and each bucket holds
 * its residency group's regions (infra/native.ts).
 */
const config = testConfig();
const INTERVAL = 30_000;
let w: World;

beforeAll(async () => {
  w = await startWorld(config, { profile: 'native' });
  w.emu.world.configure({
    project: config.project,
    recordName: config.dns.recordName,
    backendService: config.loadBalancer.backendService,
    locations: config.clientLocations.map((l) => l.location),
    sampleSec: 30,
    seed: 7,
  });
  // Light enough that us-central1's one VM (4 rps) absorbs us-east4's clients without new VMs.
  w.emu.world.setLoad({ 'us-east4': 1, 'us-central1': 1, 'europe-west4': 1, 'us-west1': 0.5, 'europe-west1': 0.5 });
  step(2 * INTERVAL);
}, 120_000);
afterAll(() => w.close());

/** Virtual time in 5 s steps, so probes and samples run at their own times. */
function step(ms: number): void {
  for (let t = 0; t < ms; t += 5_000) w.advance(5_000);
}

const dnsEvents = (location: string, since: number) =>
  w.emu.world.events.filter(
    (e): e is Extract<WorldEvent, { kind: 'dns' }> => e.kind === 'dns' && e.location === location && e.at > since,
  );

test('a hard failure leaves the DNS answers only after the health check thresholds × interval', async () => {
  const lastSample = () => w.emu.world.samples[w.emu.world.samples.length - 1]!;
  expect(lastSample().locations['us-east4']!.answer).toEqual(['us-central1', 'us-east4']);
  const failedAt = w.emu.ctx.clock.now();
  await w.control.setHealth({ mig: config.regions[1]!.mig, region: 'us-east4', health: 'UNHEALTHY' });
  step(INTERVAL - 5_000); // at most one failed probe so far
  expect(dnsEvents('us-east4', failedAt)).toEqual([]);
  step(INTERVAL + 5_000); // the second failed probe has run
  const [moved] = dnsEvents('us-east4', failedAt);
  expect(moved).toMatchObject({ from: ['us-central1', 'us-east4'], to: ['us-central1'] });
  expect(moved!.at - failedAt).toBeGreaterThan(INTERVAL);
  expect(moved!.at - failedAt).toBeLessThanOrEqual(2 * INTERVAL + 1_000);
  // After the TTL, no client request reaches the dead region.
  step(config.dns.ttlSec * 1000 + INTERVAL);
  expect(lastSample().regions['us-east4']!.clientRps).toBe(0);
  expect(lastSample().locations['us-east4']!.errorRatio).toBeLessThan(0.05);
  // The fenced location kept its region: europe-west4's bucket never changed.
  expect(dnsEvents('europe-west4', 0)).toEqual([]);
  await w.control.setHealth({ mig: config.regions[1]!.mig, region: 'us-east4', health: 'auto' });
  step(3 * INTERVAL);
  expect(lastSample().locations['us-east4']!.answer).toEqual(['us-central1', 'us-east4']);
}, 120_000);

test('a gray failure keeps the region in DNS; VMs failing alike are no outliers; consecutive-5xx ejection only cuts capacity', async () => {
  // Three VMs in us-central1 (its autoscaler's floor, as a careful engineer sizes it), then 50 % 5xx there.
  const region = config.regions[0]!;
  const c = w.gcp.compute;
  const [as] = await c.regionAutoscalers.get({
    project: config.project,
    region: region.name,
    autoscaler: region.autoscaler,
  });
  await c.regionAutoscalers.patch({
    project: config.project,
    region: region.name,
    autoscaler: region.autoscaler,
    autoscalerResource: { autoscalingPolicy: { ...as.autoscalingPolicy, minNumReplicas: 3 } },
  });
  step(4 * 60_000);
  const ejections = (since: number) =>
    w.emu.world.events.filter(
      (e): e is Extract<WorldEvent, { kind: 'ejection' }> => e.kind === 'ejection' && e.at > since,
    );
  const since = w.emu.ctx.clock.now();
  w.emu.world.setFault(region.name, 0.5);
  step(5 * 60_000);
  // DNS: the health checks pass, the region stays answered.
  expect(dnsEvents('us-central1', since)).toEqual([]);
  const health = await w.control.dnsHealth({ project: config.project, name: config.dns.recordName });
  expect(health.every((h) => h.healthy)).toBe(true);
  // The stack's outlier detection (success rate only): the three VMs fail alike, none is an outlier.
  expect(ejections(since)).toEqual([]);

  // Consecutive-5xx ejection turned on for the regional backend service: VMs go in and out, at most one
  // of three at a time, and the region keeps its clients — ejection only takes capacity away.
  const [bs] = await c.regionBackendServices.get({
    project: config.project,
    region: region.name,
    backendService: region.backend,
  });
  await c.regionBackendServices.patch({
    project: config.project,
    region: region.name,
    backendService: region.backend,
    backendServiceResource: {
      fingerprint: bs.fingerprint,
      outlierDetection: { ...bs.outlierDetection, enforcingConsecutiveErrors: 100 },
    },
  });
  const on = w.emu.ctx.clock.now();
  step(10 * 60_000);
  const seen = ejections(on);
  expect(seen.length).toBeGreaterThan(0);
  for (const e of seen) expect(e).toMatchObject({ service: region.backend, reason: 'consecutiveErrors' });
  for (const s of w.emu.world.samples.filter((x) => x.at > on)) {
    expect(s.regions[region.name]!.ejected.regional).toBeLessThanOrEqual(1);
    expect(s.regions[region.name]!.clientRps).toBeGreaterThan(0);
  }
  w.emu.world.setFault(region.name, 0);
}, 120_000);
