import type { Zone } from '@google-cloud/dns';
import { startTwin, type Twin } from '../../helpers/twin';
import { CHANGE_MS, newZone, policyRecord } from './helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'dns' });
});
afterAll(() => w.close());

const geoPolicy = (ip: string) => ({
  geo: {
    items: [
      { location: 'us-east4', rrdatas: [ip] },
      { location: 'europe-west1', rrdatas: ['203.0.113.1', '203.0.113.2'] },
    ],
  },
});

async function names(zone: Zone): Promise<string[]> {
  const [records] = await zone.getRecords();
  return records.map((r) => `${r.metadata.name} ${r.type}`).sort();
}

test('a deletion that does not match the current record set exactly → 412 naming entity.change.deletions[i]', async () => {
  const zone = await newZone(w);
  const name = `api.${zone.metadata.dnsName}`;
  await zone.createChange({ add: policyRecord(zone, 'a', { name, ttl: 30, routingPolicy: geoPolicy('192.0.2.1') }) });

  // Same name and type, different geo data: the precondition fails.
  const stale = policyRecord(zone, 'a', { name, ttl: 30, routingPolicy: geoPolicy('192.0.2.99') });
  const fresh = policyRecord(zone, 'a', { name, ttl: 30, routingPolicy: geoPolicy('192.0.2.2') });
  const err = await zone.createChange({ delete: stale, add: fresh }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 412, errors: [expect.objectContaining({ reason: 'conditionNotMet' })] });
  expect((err as Error).message).toContain('entity.change.deletions[0]');

  // A different TTL is a mismatch too.
  const ttl = policyRecord(zone, 'a', { name, ttl: 60, routingPolicy: geoPolicy('192.0.2.1') });
  await expect(zone.createChange({ delete: ttl, add: fresh })).rejects.toMatchObject({ code: 412 });

  // The exact current record (items in another order, kinds as read back) matches.
  const reordered = policyRecord(zone, 'a', {
    name,
    ttl: 30,
    routingPolicy: { geo: { items: [...geoPolicy('192.0.2.1').geo.items].reverse() } },
  });
  await zone.createChange({ delete: reordered, add: fresh });
  const [[after]] = await zone.getRecords({ name, type: 'A' });
  expect(after!.metadata).toMatchObject({ routingPolicy: geoPolicy('192.0.2.2') });
});

test('deleting a record set that does not exist → 404', async () => {
  const zone = await newZone(w);
  const ghost = zone.record('a', { name: `ghost.${zone.metadata.dnsName}`, ttl: 60, data: '192.0.2.1' });
  await expect(zone.createChange({ delete: ghost })).rejects.toMatchObject({ code: 404 });
});

test('an addition that already exists → 409 alreadyExists naming the record set', async () => {
  const zone = await newZone(w);
  const name = `dup.${zone.metadata.dnsName}`;
  await zone.createChange({ add: zone.record('a', { name, ttl: 60, data: '192.0.2.1' }) });
  const err = await zone
    .createChange({
      add: [
        zone.record('txt', { name: `other.${zone.metadata.dnsName}`, ttl: 60, data: '"x"' }),
        zone.record('a', { name, ttl: 60, data: '192.0.2.2' }),
      ],
    })
    .catch((e: unknown) => e);
  // Google's message names the record set `entity.rrset`: https://github.com/hashicorp/terraform-provider-google/issues/9112
  expect(err).toMatchObject({
    code: 409,
    message: expect.stringMatching(/^The resource 'entity\.rrset' named '.+ \(A\)' already exists$/),
    errors: [expect.objectContaining({ reason: 'alreadyExists' })],
  });
});

test('changes are atomic: when one part fails nothing is applied', async () => {
  const zone = await newZone(w);
  const apex = zone.metadata.dnsName;
  await zone.createChange({ add: zone.record('a', { name: `keep.${apex}`, ttl: 60, data: '192.0.2.1' }) });
  const before = await names(zone);
  const [changesBefore] = await zone.getChanges();

  // A valid addition with a stale deletion (412): the addition is not applied.
  await expect(
    zone.createChange({
      add: [zone.record('a', { name: `new.${apex}`, ttl: 60, data: '192.0.2.5' })],
      delete: [zone.record('a', { name: `keep.${apex}`, ttl: 300, data: '192.0.2.1' })],
    }),
  ).rejects.toMatchObject({ code: 412 });
  // A valid deletion with an existing addition (409): the deletion is not applied.
  await expect(
    zone.createChange({
      delete: [zone.record('a', { name: `keep.${apex}`, ttl: 60, data: '192.0.2.1' })],
      add: [zone.record('ns', { name: apex, ttl: 60, data: 'ns1.example.com.' })],
    }),
  ).rejects.toMatchObject({ code: 409 });

  expect(await names(zone)).toEqual(before);
  const [changesAfter] = await zone.getChanges();
  expect(changesAfter).toHaveLength(changesBefore.length);
});

test('a change is pending, then done once dnsChangeMs of virtual time has passed', async () => {
  const zone = await newZone(w);
  const [change] = await zone.createChange({
    add: zone.record('a', { name: `t.${zone.metadata.dnsName}`, ttl: 60, data: '192.0.2.1' }),
  });
  expect(change.id).toBe('1');
  expect(change.metadata.status).toBe('pending');
  expect(Date.parse(change.metadata.startTime)).not.toBeNaN();
  // Record sets are visible through the API as soon as the change is accepted.
  expect(await names(zone)).toContain(`t.${zone.metadata.dnsName} A`);

  w.advance(CHANGE_MS / 2);
  expect((await change.getMetadata())[0].status).toBe('pending');
  w.advance(CHANGE_MS / 2);
  expect((await change.getMetadata())[0].status).toBe('done');
});

test('changes list in sequence order, descending on request', async () => {
  const zone = await newZone(w);
  const apex = zone.metadata.dnsName;
  await zone.createChange({ add: zone.record('a', { name: `a.${apex}`, ttl: 60, data: '192.0.2.1' }) });
  await zone.createChange({ add: zone.record('a', { name: `b.${apex}`, ttl: 60, data: '192.0.2.2' }) });
  const [asc] = await zone.getChanges();
  expect(asc.map((c) => c.id)).toEqual(['0', '1', '2']);
  const [desc] = await zone.getChanges({ sortBy: 'changeSequence', sortOrder: 'descending' } as never);
  expect(desc.map((c) => c.id)).toEqual(['2', '1', '0']);
  await expect(zone.change('42').getMetadata()).rejects.toMatchObject({ code: 404 });
});

test('the apex SOA and NS cannot be deleted without a replacement', async () => {
  const zone = await newZone(w);
  const [records] = await zone.getRecords('NS');
  await expect(zone.createChange({ delete: records })).rejects.toMatchObject({
    code: 400,
    errors: [expect.objectContaining({ reason: 'invalidZoneApex' })],
  });
});

/**
 * ResourceRecordSet.ttl is an int32 (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets#ResourceRecordSet);
 * Cloud DNS is served through Google's front end (`Server: ESF`, see
 * https://github.com/hashicorp/terraform-provider-google/issues/9041), whose JSON parsing follows the
 * proto3 mapping: an int32 may be a JSON number or a string (https://protobuf.dev/programming-guides/json/).
 */
test('a record set whose ttl is a string of digits is accepted and reads back as a number', async () => {
  const zone = await newZone(w);
  const name = `str.${zone.metadata.dnsName}`;
  await zone.createChange({ add: zone.record('a', { name, ttl: '300' as never, data: '192.0.2.44' }) });
  const [records] = await zone.getRecords({ name, type: 'A' });
  expect(records[0]?.metadata).toMatchObject({ name, ttl: 300, rrdatas: ['192.0.2.44'] });
  await expect(
    zone.createChange({ add: zone.record('a', { name: `bad.${name}`, ttl: 'soon' as never, data: '192.0.2.45' }) }),
  ).rejects.toMatchObject({ code: 400 });
});
