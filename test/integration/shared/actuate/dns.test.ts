import { applyDns } from '../../../../shared/actuate/dns';
import { dnsRequest, readRecord } from '../../../../shared/gcp/dns-rest';
import { decodeMovedAt, decodeWeights, weightsRecordName } from '../../../../shared/state/weights-record';
import { testConfig } from '../../../helpers/stack';
import { startWorld, type World } from '../../../helpers/world';

const config = testConfig();
const base = { managedZone: config.dns.managedZone, name: config.dns.recordName, ttl: 30 };
let w: World;

beforeAll(async () => {
  w = await startWorld(config, { boot: false });
});
afterAll(async () => {
  await w.close();
});

const items = (ip: string) => config.clientLocations.map((l) => ({ location: l.location, rrdatas: [ip] }));

test('rewrites the geo record in one atomic change whose deletion is the exact current record', async () => {
  const mark = await w.control.mark();
  const r = await applyDns(w.deps, { ...base, items: items('192.0.2.10') }, { eventId: 'e1' });
  expect(r).toMatchObject({ changed: true, writes: 1, reads: 1 });
  const { requests } = await w.control.requests({ since: mark, api: 'dns' });
  expect(requests.filter((q) => q.write).map((q) => q.path)).toEqual([
    `/dns/v1/projects/${config.project}/managedZones/${config.dns.managedZone}/changes`,
  ]);
  const record = await readRecord(w.gcp.dns, base.managedZone, base.name, 'A');
  expect(record?.routingPolicy?.geo?.items.map((i) => i.rrdatas)).toEqual(
    config.clientLocations.map(() => ['192.0.2.10']),
  );
  const again = await applyDns(w.deps, { ...base, items: items('192.0.2.10') }, { eventId: 'e2' });
  expect(again).toMatchObject({ changed: false, writes: 0 });
});

test('item order and rrdata order do not count as a difference', async () => {
  await applyDns(
    w.deps,
    { ...base, items: [{ location: 'us-east4', rrdatas: ['192.0.2.1', '192.0.2.2'] }] },
    { eventId: 'o1' },
  );
  const r = await applyDns(
    w.deps,
    { ...base, items: [{ location: 'us-east4', rrdatas: ['192.0.2.2', '192.0.2.1'] }] },
    { eventId: 'o2' },
  );
  expect(r.writes).toBe(0);
});

test('someone changed the record between read and write: 412, re-read, retried on the fresh record', async () => {
  await applyDns(w.deps, { ...base, items: items('192.0.2.20') }, { eventId: 'r0' });
  // Delay DNS writes; meanwhile another writer replaces the record by hand.
  await w.control.addFault({ api: 'dns', method: 'POST', pathPattern: '/changes$', latencyMs: 200, count: 0 });
  const ours = applyDns(w.deps, { ...base, items: items('192.0.2.30') }, { eventId: 'r1' });
  await new Promise((r) => setTimeout(r, 50));
  const current = await readRecord(w.gcp.dns, base.managedZone, base.name, 'A');
  await w.control.clearFaults();
  await dnsRequest(w.gcp.dns, base.managedZone, {
    method: 'POST',
    uri: '/changes',
    json: { deletions: [current], additions: [{ ...current, routingPolicy: { geo: { items: items('192.0.2.99') } } }] },
  });
  const result = await ours;
  expect(result.retries).toBeGreaterThanOrEqual(1);
  const record = await readRecord(w.gcp.dns, base.managedZone, base.name, 'A');
  expect(record?.routingPolicy?.geo?.items[0]?.rrdatas).toEqual(['192.0.2.30']);
});

test('the weights record carries when the weights moved; a newer time alone is no reason to write', async () => {
  const weights = { 'us-west1': { 'us-central1': 0.75, 'europe-west4': 0.25 } };
  const first = await applyDns(
    w.deps,
    { ...base, items: items('192.0.2.40'), weights, weightsMovedAt: 1_000_000 },
    { eventId: 'w1' },
  );
  expect(first.writes).toBe(1);
  const txt = await readRecord(w.gcp.dns, base.managedZone, weightsRecordName(base.name), 'TXT');
  expect(decodeWeights(txt?.rrdatas)).toEqual(weights);
  expect(decodeMovedAt(txt?.rrdatas)).toBe(1_000_000);
  const same = await applyDns(
    w.deps,
    { ...base, items: items('192.0.2.40'), weights, weightsMovedAt: 2_000_000 },
    { eventId: 'w2' },
  );
  expect(same).toMatchObject({ changed: false, writes: 0 });
  const moved = { 'us-west1': { 'us-central1': 0.5, 'europe-west4': 0.5 } };
  const step = await applyDns(
    w.deps,
    { ...base, items: items('192.0.2.40'), weights: moved, weightsMovedAt: 3_000_000 },
    { eventId: 'w3' },
  );
  expect(step).toMatchObject({ changed: true, writes: 1, changes: ['weights updated (geo answers unchanged)'] });
  const after = await readRecord(w.gcp.dns, base.managedZone, weightsRecordName(base.name), 'TXT');
  expect(decodeMovedAt(after?.rrdatas)).toBe(3_000_000);
});
