import { startTwin, type Twin } from '../../helpers/twin';
import { newZone, PROJECT } from './helpers';

/**
 * Cloud DNS on Google's clock (emulator/core/timings.ts; no Google figures): a change is `pending`
 * for 20 s, "done" means the update was sent and the name servers serve it 30 s later
 * (https://cloud.google.com/dns/docs/reference/rest/v1/changes), and a resolver keeps an answer
 * for its TTL (RFC 1035 §3.2.1). The virtual clock barely moves by itself (0.001× real time).
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ clockSpeed: 0.001 });
});
afterAll(async () => {
  await w.close();
});

test('pending → done after 20 s; the name servers serve it 30 s later; a resolver keeps its copy for the TTL', async () => {
  const zone = await newZone(w);
  const name = `api.${zone.metadata.dnsName}`;
  const record = (ip: string) => zone.record('a', { name, ttl: 300, data: [ip] });
  const [first] = await zone.createChange({ add: record('192.0.2.1') });
  w.advance(50_000);
  const ask = (view: 'served' | 'resolver') =>
    w.control.resolve({ project: PROJECT, name, location: 'europe-west1', view });
  expect((await ask('resolver')).rrdatas).toEqual(['192.0.2.1']); // the resolver caches this for 300 s
  expect(first.metadata.status).toBe('pending');

  const [change] = await zone.createChange({ delete: record('192.0.2.1'), add: record('192.0.2.2') });
  const status = async () => (await zone.change(change.id!).getMetadata())[0].status;
  w.advance(19_999);
  expect(await status()).toBe('pending');
  w.advance(1);
  expect(await status()).toBe('done');
  expect((await ask('served')).rrdatas).toEqual(['192.0.2.1']); // sent, not yet served
  w.advance(30_000);
  expect((await ask('served')).rrdatas).toEqual(['192.0.2.2']);
  expect((await ask('resolver')).rrdatas).toEqual(['192.0.2.1']); // still the cached answer
  w.advance(300_000 - 50_000);
  expect((await ask('resolver')).rrdatas).toEqual(['192.0.2.2']);
});
