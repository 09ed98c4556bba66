import { desiredResources } from '../../infra';
import { fencedGroups, nativeGeoPolicy, outlierDetection } from '../../infra/native';
import { dnsRequest, type RrsetJson } from '../../shared/gcp/dns-rest';
import { testConfig } from '../helpers/stack';
import { type InfraWorld, startInfraWorld } from './fixture';

/**
 * `bootstrap(gcp, config, {profile: 'native'})`: the same stack, the geo record health-checked by Cloud
 * DNS (docs/BENCHMARKS.md, "The native baseline"), accepted by the twin and read back through the
 * official clients.
 */
const PROJECT = 'georoute-test';
const config = testConfig();
let w: InfraWorld;

beforeAll(async () => {
  w = await startInfraWorld(PROJECT);
});
afterAll(() => w.close());

test('pure: fencing follows the config fences; buckets hold the residency group under fencing', () => {
  expect([...fencedGroups(config)]).toEqual(['eu']);
  const ips = { 'us-central1': '198.51.100.1', 'us-east4': '198.51.100.2', 'europe-west4': '198.51.100.3' };
  const fenced = nativeGeoPolicy(config, ips, 'hc');
  expect(fenced.geo.enableFencing).toBe(true);
  expect(fenced.geo.items).toEqual([
    { location: 'europe-west4', healthCheckedTargets: { externalEndpoints: ['198.51.100.3'] } },
    { location: 'us-central1', healthCheckedTargets: { externalEndpoints: ['198.51.100.1', '198.51.100.2'] } },
    { location: 'us-east4', healthCheckedTargets: { externalEndpoints: ['198.51.100.2', '198.51.100.1'] } },
  ]);
  // No fence (or a fence with an allowed fallback): one region per bucket, Cloud DNS fails over to the next nearest.
  const open = nativeGeoPolicy(testConfig({ residencyFallback: { eu: 'anycast' } }), ips, 'hc');
  expect(open.geo.enableFencing).toBe(false);
  expect(open.geo.items.map((i) => i.healthCheckedTargets)).toEqual([
    { externalEndpoints: ['198.51.100.3'] },
    { externalEndpoints: ['198.51.100.1'] },
    { externalEndpoints: ['198.51.100.2'] },
  ]);
  // Both profiles carry the same outlier detection; the interval lets a 4 rps replica at 80 % reach 100 requests.
  expect(outlierDetection(config)).toMatchObject({
    enforcingSuccessRate: 100,
    enforcingConsecutiveErrors: 0,
    enforcingConsecutiveGatewayFailure: 0,
    interval: { seconds: '32' },
  });
  for (const profile of ['georoute', 'native'] as const) {
    const services = desiredResources(config, profile).filter((r) => /backendService$/i.test(r.kind));
    expect(services.length).toBe(1 + config.regions.length);
    for (const s of services) expect(s.owned.outlierDetection).toEqual(outlierDetection(config));
  }
  // The DNS health check exists for the native record only: georoute's record is not health-checked
  // (docs/ARCHITECTURE.md), so its stack has no probe nobody reads.
  const dnsProbe = (profile: 'georoute' | 'native') =>
    desiredResources(config, profile).filter((r) => r.name === config.dnsHealthCheck.name);
  expect(dnsProbe('native')).toHaveLength(1);
  expect(dnsProbe('georoute')).toHaveLength(0);
});

test('the twin accepts the native stack; health check, outlier detection and record read back; a re-run writes nothing', async () => {
  const result = await w.run(config, 'apply', 'native');
  expect(result.failure).toBeUndefined();
  expect(result.exitCode).toBe(0);
  const c = w.gcp.compute;

  const [hc] = await c.healthChecks.get({ project: PROJECT, healthCheck: config.dnsHealthCheck.name });
  expect(hc).toMatchObject({
    type: 'HTTP',
    checkIntervalSec: 30,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    sourceRegions: ['us-central1', 'europe-west1', 'asia-southeast1'],
  });
  // Probes the load balancers' port, not the VMs': the request path reaches the model server through the LB.
  expect(hc.httpHealthCheck).toMatchObject({ port: 80, requestPath: config.instance.healthCheckPath });

  const [global] = await c.backendServices.get({
    project: PROJECT,
    backendService: config.loadBalancer.backendService,
  });
  expect(global.outlierDetection).toMatchObject({
    enforcingSuccessRate: 100,
    enforcingConsecutiveGatewayFailure: 0,
    maxEjectionPercent: 50,
    interval: { seconds: '32' },
  });
  for (const r of config.regions) {
    const [bs] = await c.regionBackendServices.get({ project: PROJECT, region: r.name, backendService: r.backend });
    expect(bs.outlierDetection?.successRateRequestVolume).toBe(100);
  }

  const { rrsets } = await dnsRequest<{ rrsets?: RrsetJson[] }>(w.gcp.dns, config.dns.managedZone, {
    method: 'GET',
    uri: '/rrsets',
    qs: { name: config.dns.recordName, type: 'A' },
  });
  const policy = rrsets?.[0]?.routingPolicy as { healthCheck?: string; geo?: Record<string, unknown> } | undefined;
  expect(policy?.healthCheck).toMatch(new RegExp(`/global/healthChecks/${config.dnsHealthCheck.name}$`));
  const entryIps: Record<string, string> = {};
  for (const r of config.regions) {
    const [a] = await c.addresses.get({ project: PROJECT, region: r.name, address: r.entry.addressName });
    entryIps[r.name] = String(a.address);
  }
  const want = nativeGeoPolicy(config, entryIps, String(policy?.healthCheck)).geo;
  expect(policy?.geo).toMatchObject({
    enableFencing: true,
    items: want.items.map((i) => expect.objectContaining(i)),
  });

  const mark = await w.mark();
  const again = await w.run(config, 'apply', 'native');
  expect(again.summary).toMatch(/0 created, 0 updated/);
  expect(await w.writesSince(mark)).toBe(0);
}, 120_000); // two bootstraps of the whole stack

test('Cloud DNS probes each region through its regional load balancer: healthy once a VM serves', async () => {
  w.emu.ctx.clock.advance(150_000);
  w.emu.tick();
  const endpoints = await w.control.dnsHealth({ project: PROJECT, name: config.dns.recordName });
  expect(endpoints).toHaveLength(config.regions.length);
  for (const e of endpoints) expect(e).toMatchObject({ healthy: true, lastResult: true });
});
