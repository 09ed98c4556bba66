import type { Zone } from '@google-cloud/dns';
import { startTwin, type Twin } from '../../helpers/twin';
import { newZone, policyRecord, zoneRequest } from './helpers';

let w: Twin;
let zone: Zone;
let apex: string;
beforeAll(async () => {
  w = await startTwin({ timings: 'dns' });
  zone = await newZone(w);
  apex = zone.metadata.dnsName;
});
afterAll(() => w.close());

const geo = (items: Array<[string, string[]]>) => ({
  geo: { items: items.map(([location, rrdatas]) => ({ location, rrdatas })) },
});

test('a geo record set created through createChange reads back with metadata.routingPolicy', async () => {
  const name = `api.${apex}`;
  const routingPolicy = geo([
    ['us-east4', ['192.0.2.10']],
    ['europe-west4', ['192.0.2.20', '192.0.2.21']],
  ]);
  const [change] = await zone.createChange({ add: policyRecord(zone, 'a', { name, ttl: 30, routingPolicy }) });
  expect(change.metadata).toMatchObject({
    kind: 'dns#change',
    status: 'pending',
    additions: [expect.objectContaining({ name })],
  });

  const [records] = await zone.getRecords({ name, type: 'A' });
  expect(records).toHaveLength(1);
  const meta = records[0]!.metadata as unknown as Record<string, unknown>;
  expect(meta).toMatchObject({ kind: 'dns#resourceRecordSet', name, type: 'A', ttl: 30, routingPolicy });
  expect(meta.rrdatas).toBeUndefined();
});

test('record sets can be created, read, patched and deleted through zone.request', async () => {
  const name = `svc.${apex}`;
  const body = { name, type: 'A', ttl: 60, routingPolicy: geo([['asia-east1', ['198.51.100.1']]]) };
  const created = await zoneRequest(zone, { method: 'POST', uri: '/rrsets', json: body });
  expect(created).toMatchObject(body);

  const got = await zoneRequest(zone, { uri: `/rrsets/${name}/A` });
  expect(got).toMatchObject(body);

  const patched = await zoneRequest(zone, { method: 'PATCH', uri: `/rrsets/${name}/A`, json: { ttl: 30 } });
  expect(patched).toMatchObject({ ...body, ttl: 30 });

  await expect(zoneRequest(zone, { method: 'POST', uri: '/rrsets', json: body })).rejects.toMatchObject({ code: 409 });

  await zoneRequest(zone, { method: 'DELETE', uri: `/rrsets/${name}/A` });
  await expect(zoneRequest(zone, { uri: `/rrsets/${name}/A` })).rejects.toMatchObject({ code: 404 });
});

/** Each case must be refused with 400 by both rrsets.create and changes.create. */
const invalidCases: Array<[string, (apex: string) => Record<string, unknown>]> = [
  [
    'rrdatas together with a routingPolicy',
    (a) => ({
      name: `x.${a}`,
      type: 'A',
      ttl: 60,
      rrdatas: ['192.0.2.1'],
      routingPolicy: geo([['us-east1', ['192.0.2.2']]]),
    }),
  ],
  [
    'two routing policies (geo and wrr)',
    (a) => ({
      name: `x.${a}`,
      type: 'A',
      ttl: 60,
      routingPolicy: { ...geo([['us-east1', ['192.0.2.2']]]), wrr: { items: [{ weight: 1, rrdatas: ['192.0.2.3'] }] } },
    }),
  ],
  [
    'a duplicate geo location',
    (a) => ({
      name: `x.${a}`,
      type: 'A',
      ttl: 60,
      routingPolicy: geo([
        ['us-east1', ['192.0.2.2']],
        ['us-east1', ['192.0.2.3']],
      ]),
    }),
  ],
  [
    'a geo location that is not a Google Cloud region',
    (a) => ({ name: `x.${a}`, type: 'A', ttl: 60, routingPolicy: geo([['mars-north1', ['192.0.2.2']]]) }),
  ],
  [
    'healthCheckedTargets on a TXT record',
    (a) => ({
      name: `x.${a}`,
      type: 'TXT',
      ttl: 60,
      routingPolicy: {
        geo: {
          items: [
            { location: 'us-east1', healthCheckedTargets: { internalLoadBalancers: [{ ipAddress: '10.0.0.1' }] } },
          ],
        },
      },
    }),
  ],
  [
    'an A record whose data is not an IPv4 address',
    (a) => ({ name: `x.${a}`, type: 'A', ttl: 60, rrdatas: ['2001:db8::1'] }),
  ],
  ['a name outside the zone', () => ({ name: 'x.elsewhere.net.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] })],
  [
    'a name without the trailing dot',
    (a) => ({ name: `x.${a.slice(0, -1)}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] }),
  ],
  [
    'a WRR item with a negative weight',
    (a) => ({
      name: `x.${a}`,
      type: 'A',
      ttl: 60,
      routingPolicy: { wrr: { items: [{ weight: -1, rrdatas: ['192.0.2.1'] }] } },
    }),
  ],
  [
    'a CNAME with two values',
    (a) => ({ name: `x.${a}`, type: 'CNAME', ttl: 60, rrdatas: ['a.example.com.', 'b.example.com.'] }),
  ],
];

test.each(invalidCases)('400 for %s', async (_label, make) => {
  const body = make(apex);
  await expect(zoneRequest(zone, { method: 'POST', uri: '/rrsets', json: body })).rejects.toMatchObject({ code: 400 });
  await expect(zone.createChange({ add: policyRecord(zone, String(body.type), body) })).rejects.toMatchObject({
    code: 400,
  });
  const [left] = await zone.getRecords({ name: String(body.name) }).catch(() => [[]]);
  expect(left).toHaveLength(0);
});

test('a CNAME cannot share its name with another type', async () => {
  const name = `alias.${apex}`;
  await zone.createChange({ add: zone.record('a', { name, ttl: 60, data: '192.0.2.9' }) });
  await expect(
    zone.createChange({ add: zone.record('cname', { name, ttl: 60, data: 'target.example.com.' }) }),
  ).rejects.toMatchObject({
    code: 400,
    errors: [expect.objectContaining({ reason: 'cnameResourceRecordSetConflict' })],
  });
});

test('listing filters by name and type; type without name is refused', async () => {
  await zone.createChange({ add: zone.record('txt', { name: `list.${apex}`, ttl: 60, data: '"hello"' }) });
  const [byName] = await zone.getRecords({ name: `LIST.${apex}` });
  expect(byName.map((r) => r.type)).toEqual(['TXT']);
  await expect(zoneRequest(zone, { uri: '/rrsets', qs: { type: 'TXT' } })).rejects.toMatchObject({ code: 400 });
  const page = await zoneRequest<{ rrsets: unknown[]; nextPageToken?: string }>(zone, {
    uri: '/rrsets',
    qs: { maxResults: '1' },
  });
  expect(page.rrsets).toHaveLength(1);
  expect(page.nextPageToken).toBeDefined();
});
