import type { Zone } from '@google-cloud/dns';
import type { EndpointHealth } from '../../../emulator/dns';
import { startTwin, type Twin } from '../../helpers/twin';
import { newZone, PROJECT, resolve, zoneRequest } from './helpers';
import { dnsHealthCheck, type RegionLb, regionLb } from './lb-fixture';

/**
 * Cloud DNS health-checked routing policies in a public zone, through the official clients: external
 * endpoints (two regions' load balancer IPs) probed by a global health check with source regions, every
 * 30 s, unhealthy after 2 failed probes (the health check's defaults).
 */
const INTERVAL = 30_000;
let w: Twin;
let zone: Zone;
let east: RegionLb;
let west: RegionLb;

beforeAll(async () => {
  w = await startTwin({ timings: 'stack' });
  east = await regionLb(w, 'us-east4');
  west = await regionLb(w, 'europe-west4');
  w.advance(120_000); // the VMs boot and pass their load balancer's health check
  zone = await newZone(w);
});
afterAll(() => w.close());

async function record(name: string, routingPolicy: Record<string, unknown>): Promise<string> {
  const fqdn = `${name}.${zone.metadata.dnsName}`;
  await zoneRequest(zone, { method: 'POST', uri: '/rrsets', json: { name: fqdn, type: 'A', ttl: 30, routingPolicy } });
  return fqdn;
}

const geo = (healthCheck: string, enableFencing: boolean) => ({
  healthCheck,
  geo: {
    enableFencing,
    items: [
      { location: 'us-east4', healthCheckedTargets: { externalEndpoints: [east.ip] } },
      { location: 'europe-west4', healthCheckedTargets: { externalEndpoints: [west.ip] } },
    ],
  },
});

const answer = async (name: string, location = 'us-east4') =>
  (await resolve(w, { project: PROJECT, name, location })).body;

const health = async (name: string): Promise<Record<string, EndpointHealth>> =>
  Object.fromEntries((await w.control.dnsHealth({ project: PROJECT, name })).map((h) => [h.ip, h]));

test('a hard failure leaves the answers only after unhealthyThreshold × interval; recovery after healthyThreshold × interval', async () => {
  const hc = await dnsHealthCheck(w);
  const open = await record('open', geo(hc, false));
  const fenced = await record('fenced', geo(hc, true));
  const wrr = await record('wrr', {
    healthCheck: hc,
    wrr: {
      items: [
        { weight: 3, healthCheckedTargets: { externalEndpoints: [east.ip] } },
        { weight: 1, healthCheckedTargets: { externalEndpoints: [west.ip] } },
      ],
    },
  });
  const failover = await record('failover', {
    healthCheck: hc,
    primaryBackup: {
      primaryTargets: { externalEndpoints: [east.ip] },
      backupGeoTargets: {
        items: [{ location: 'europe-west4', healthCheckedTargets: { externalEndpoints: [west.ip] } }],
      },
    },
  });
  w.advance(1_000); // the change is done: the name servers serve it, and the first probes run
  expect((await health(open))[east.ip]).toMatchObject({ healthy: true, lastResult: true });
  expect(await answer(open)).toMatchObject({ rrdatas: [east.ip], matchedLocation: 'us-east4' });

  // Every VM behind the us-east4 load balancer fails its health check: the LB answers 503.
  await w.control.setHealth({ mig: east.mig, region: 'us-east4', health: 'UNHEALTHY' });
  w.advance(INTERVAL); // 1 failed probe
  w.advance(INTERVAL - 1_000); // not yet 2 × interval
  expect((await health(open))[east.ip]).toMatchObject({ healthy: true, failures: 1, lastResult: false });
  for (const name of [open, fenced, failover]) expect((await answer(name)).rrdatas).toEqual([east.ip]);
  expect((await answer(wrr)).rrdatas).toEqual([east.ip, west.ip]);

  w.advance(1_000); // the 2nd failed probe
  const down = (await health(open))[east.ip]!;
  expect(down).toMatchObject({ healthy: false, failures: 2, lastDetail: expect.stringMatching(/^503/) });
  // Geo without fencing: the next nearest bucket with a healthy target.
  expect(await answer(open)).toMatchObject({
    rrdatas: [west.ip],
    matchedLocation: 'europe-west4',
    failedOverFrom: 'us-east4',
  });
  // Geo with fencing: no failover; the bucket's targets are answered although all are unhealthy.
  expect(await answer(fenced)).toMatchObject({ rrdatas: [east.ip], matchedLocation: 'us-east4' });
  expect((await answer(fenced)).failedOverFrom).toBeUndefined();
  // WRR: the unhealthy item drops out; failover: the backup geo targets serve.
  expect(await answer(wrr)).toMatchObject({ rrdatas: [west.ip], weighted: [{ weight: 1, share: 1 }] });
  expect(await answer(failover)).toMatchObject({ servingState: 'BACKUP', rrdatas: [west.ip] });
  // europe-west4's own clients were never affected.
  expect((await answer(open, 'europe-west4')).rrdatas).toEqual([west.ip]);

  await w.control.setHealth({ mig: east.mig, region: 'us-east4', health: 'auto' });
  w.advance(INTERVAL); // 1 passed probe of the 2 the health check's healthyThreshold asks for
  expect((await answer(open)).rrdatas).toEqual([west.ip]);
  w.advance(INTERVAL);
  expect(await answer(open)).toMatchObject({ rrdatas: [east.ip], matchedLocation: 'us-east4' });
  expect(await answer(failover)).toMatchObject({ servingState: 'PRIMARY', rrdatas: [east.ip] });
});

test('a gray failure (5xx to clients, health checks passing) never fails the probes', async () => {
  const hc = await dnsHealthCheck(w);
  const name = await record('gray', geo(hc, false));
  w.advance(1_000);
  w.emu.world.setFault('us-east4', 0.6);
  for (let i = 0; i < 10; i++) w.advance(INTERVAL);
  expect((await health(name))[east.ip]).toMatchObject({ healthy: true, failures: 0 });
  expect((await answer(name)).rrdatas).toEqual([east.ip]);
  w.emu.world.setFault('us-east4', 0);
});

test('what a probe reaches: a TCP check cannot see dead backends; a wrong port is refused', async () => {
  const tcp = await dnsHealthCheck(w, { type: 'TCP', httpHealthCheck: undefined, tcpHealthCheck: { port: 80 } });
  const wrongPort = await dnsHealthCheck(w, { httpHealthCheck: { port: 8080, requestPath: '/health' } });
  const viaTcp = await record('tcp', geo(tcp, false));
  const viaWrongPort = await record('port', geo(wrongPort, false));
  w.advance(1_000);
  await w.control.setHealth({ mig: east.mig, region: 'us-east4', health: 'UNHEALTHY' });
  for (let i = 0; i < 3; i++) w.advance(INTERVAL);
  // The proxy accepts TCP connections whatever its backends: the dead region stays in the answers.
  expect((await answer(viaTcp)).rrdatas).toEqual([east.ip]);
  // The load balancers listen on 80 only: every endpoint fails, none is answered before another —
  // with no healthy bucket anywhere the nearest bucket answers all its targets.
  expect((await health(viaWrongPort))[west.ip]).toMatchObject({
    healthy: false,
    lastDetail: expect.stringMatching(/^refused/),
  });
  expect((await answer(viaWrongPort)).rrdatas).toEqual([east.ip]);
  await w.control.setHealth({ mig: east.mig, region: 'us-east4', health: 'auto' });
});
