import type { Zone } from '@google-cloud/dns';
import { DnsService, distanceKm, GCP_REGIONS } from '../../../emulator/dns';
import { startTwin, type Twin } from '../../helpers/twin';
import { CHANGE_MS, newZone, PROJECT, policyRecord, resolve, zoneRequest } from './helpers';

let w: Twin;
let zone: Zone;
let name: string;
beforeAll(async () => {
  w = await startTwin({ timings: 'dns' });
  zone = await newZone(w);
  name = `llm.${zone.metadata.dnsName}`;
  const routingPolicy = {
    geo: {
      items: [
        { location: 'us-east4', rrdatas: ['192.0.2.1'] },
        { location: 'europe-west4', rrdatas: ['192.0.2.2', '192.0.2.3'] },
        { location: 'asia-northeast1', rrdatas: ['192.0.2.4'] },
      ],
    },
  };
  await zone.createChange({ add: policyRecord(zone, 'a', { name, ttl: 30, routingPolicy }) });
  w.advance(CHANGE_MS);
});
afterAll(() => w.close());

test('the region table has coordinates and a sane great-circle distance', () => {
  expect(Object.keys(GCP_REGIONS).length).toBeGreaterThan(35);
  expect(distanceKm('us-east4', 'us-east4')).toBe(0);
  const atlantic = distanceKm('us-east4', 'europe-west2');
  expect(atlantic).toBeGreaterThan(5_500);
  expect(atlantic).toBeLessThan(6_200);
});

test('a client in a region that has an item gets that item', async () => {
  const { status, body } = await resolve(w, { project: PROJECT, name, location: 'europe-west4' });
  expect(status).toBe(200);
  expect(body).toMatchObject({
    policy: 'geo',
    matchedLocation: 'europe-west4',
    exact: true,
    rrdatas: ['192.0.2.2', '192.0.2.3'],
  });
});

test('a client in a region without an item gets the nearest item', async () => {
  const paris = await resolve(w, { project: PROJECT, name, type: 'A', location: 'europe-west9' });
  expect(paris.body).toMatchObject({
    matchedLocation: 'europe-west4',
    exact: false,
    rrdatas: ['192.0.2.2', '192.0.2.3'],
  });
  const dallas = await resolve(w, { project: PROJECT, name, location: 'us-south1' });
  expect(dallas.body).toMatchObject({ matchedLocation: 'us-east4', rrdatas: ['192.0.2.1'] });
  const seoul = await resolve(w, { project: PROJECT, name, location: 'asia-northeast3' });
  expect(seoul.body.matchedLocation).toBe('asia-northeast1');
  const all = await resolve(w, { project: PROJECT, name });
  expect(all.body.answers?.['me-west1']).toEqual(['192.0.2.2', '192.0.2.3']);
});

test('unknown regions and names are refused', async () => {
  expect((await resolve(w, { project: PROJECT, name, location: 'atlantis1' })).status).toBe(400);
  expect(
    (await resolve(w, { project: PROJECT, name: `nope.${zone.metadata.dnsName}`, location: 'us-east4' })).status,
  ).toBe(404);
});

test('name servers answer a change only once it is done', async () => {
  const n = `slow.${zone.metadata.dnsName}`;
  await zone.createChange({ add: zone.record('a', { name: n, ttl: 30, data: '198.51.100.7' }) });
  expect((await resolve(w, { project: PROJECT, name: n, location: 'us-east4' })).status).toBe(404);
  expect((await resolve(w, { project: PROJECT, name: n, location: 'us-east4', view: 'api' })).body.rrdatas).toEqual([
    '198.51.100.7',
  ]);
  w.advance(CHANGE_MS);
  const done = await resolve(w, { project: PROJECT, name: n, location: 'us-east4' });
  expect(done.body).toMatchObject({ policy: 'none', rrdatas: ['198.51.100.7'] });
});

test('WRR answers the weighted set; primary/backup answers the primary targets, trickling to the backup', async () => {
  const apex = zone.metadata.dnsName;
  await zoneRequest(zone, {
    method: 'POST',
    uri: '/rrsets',
    json: {
      name: `w.${apex}`,
      type: 'A',
      ttl: 30,
      routingPolicy: {
        wrr: {
          items: [
            { weight: 3, rrdatas: ['192.0.2.10'] },
            { weight: 1, rrdatas: ['192.0.2.11'] },
            { weight: 0, rrdatas: ['192.0.2.12'] },
          ],
        },
      },
    },
  });
  await zoneRequest(zone, {
    method: 'POST',
    uri: '/rrsets',
    json: {
      name: `pb.${apex}`,
      type: 'A',
      ttl: 30,
      routingPolicy: {
        primaryBackup: {
          primaryTargets: { internalLoadBalancers: [{ ipAddress: '10.0.0.5', port: '80', ipProtocol: 'tcp' }] },
          backupGeoTargets: { items: [{ location: 'us-east1', rrdatas: ['192.0.2.20'] }] },
          trickleTraffic: 0.1,
        },
      },
    },
  });
  w.advance(CHANGE_MS);
  const wrr = await resolve(w, { project: PROJECT, name: `w.${apex}`, location: 'us-east4' });
  expect(wrr.body).toMatchObject({ policy: 'wrr', rrdatas: ['192.0.2.10', '192.0.2.11'] });
  expect(wrr.body.weighted?.map((x) => x.share)).toEqual([0.75, 0.25]);
  const pb = await resolve(w, { project: PROJECT, name: `pb.${apex}`, location: 'us-east4' });
  // trickleTraffic 0.1: "sending a small percentage of the traffic to the backup targets" while PRIMARY.
  expect(pb.body).toMatchObject({
    policy: 'primaryBackup',
    servingState: 'PRIMARY',
    rrdatas: ['10.0.0.5', '192.0.2.20'],
  });
  expect(pb.body.weighted?.map((x) => [x.share, x.rrdatas])).toEqual([
    [0.9, ['10.0.0.5']],
    [0.1, ['192.0.2.20']],
  ]);
});

test('state snapshots to plain JSON, restores into a fresh service, and resets', async () => {
  const snap = JSON.parse(JSON.stringify(w.emu.dns.snapshot()));
  const other = new DnsService(w.emu.ctx);
  other.restore(snap);
  expect(other.snapshot()).toEqual(snap);
  other.reset();
  expect(other.snapshot()).toEqual({ projects: {} });
  expect(Object.keys(snap.projects[PROJECT])).toContain(zone.name);
});
