import { readRecord } from '../../../shared/gcp/dns-rest';
import type { CloudEventLike } from '../../../shared/handlers/envelope';
import { handleHealthAlert } from '../../../shared/handlers/health-alert';
import { createRuntime } from '../../../shared/handlers/runtime';
import { reconcile } from '../../../shared/reconcile/reconcile';
import { decodeWeights, weightsRecordName } from '../../../shared/state/weights-record';
import { incident } from '../../helpers/incidents';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

/**
 * A failover handled in-process through the official clients, and the same delivery handled again:
 * one read per touched resource the first time, zero writes the second. The load makes the drain
 * push another location off its nearest region (us-central1 fills with us-east4's clients), a shift
 * the churn limit spreads over several steps: a repeated event must not take the next one.
 */
const config = testConfig();
const LOAD = { 'us-central1': 8, 'us-east4': 11.2, 'us-west1': 4, 'europe-west4': 2, 'europe-west1': 2 };
const BACKEND_SERVICE = `/global/backendServices/${config.loadBalancer.backendService}`;
let w: World;

beforeEach(async () => {
  w = await startWorld(config);
  await w.servedForAWhile();
});
afterEach(async () => {
  await w.close();
});

function event(payload: unknown, id: string): CloudEventLike {
  return {
    id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/projects/${config.project}/topics/${config.pubsub.healthAlerts}`,
    data: {
      message: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), messageId: id, attributes: {} },
      subscription: 's',
    },
  };
}

async function converge(): Promise<void> {
  for (let i = 0; i < 12; i++) {
    await w.setLoad(LOAD);
    const r = await reconcile(w.deps, config, { kind: 'tick', eventId: `converge-${i}` });
    expect(r.errors).toEqual([]);
    if (r.actions.length === 0) return;
    w.advance(61_000);
  }
  throw new Error('the stack did not converge');
}

const weights = async () =>
  decodeWeights(
    (await readRecord(w.gcp.dns, config.dns.managedZone, weightsRecordName(config.dns.recordName), 'TXT'))?.rrdatas,
  );

test('a repeated incident event writes nothing; each handling reads the backend service once', async () => {
  await converge();
  const rt = createRuntime({ config, deps: w.deps, publish: async () => 'unused' });
  const delivery = event(incident('inc-repeat', 'open', 'us-east4', w.emu.ctx.clock.now()), 'evt-repeat');

  let mark = await w.control.mark();
  const first = await handleHealthAlert(rt, delivery);
  expect(first.decision).toBe('incident open: us-east4 drained');
  let { requests } = await w.control.requests({ since: mark });
  const touched = requests.filter((r) => r.api === 'compute' || r.api === 'dns');
  expect(touched.filter((r) => r.write).length).toBeGreaterThanOrEqual(2); // drain + DNS (+ floors)
  expect(touched.filter((r) => r.method === 'GET' && r.path.endsWith(BACKEND_SERVICE))).toHaveLength(1);
  expect(touched.filter((r) => r.method === 'PATCH' && r.path.endsWith(BACKEND_SERVICE))).toHaveLength(1);
  // The shift the drain set off is under way, not finished: us-west1 moves off us-central1 in steps.
  const moved = await weights();
  expect(moved['us-west1']?.['us-central1']).toBeGreaterThan(0);
  expect(moved['us-west1']?.['europe-west4']).toBeGreaterThan(0);

  mark = await w.control.mark();
  const again = await handleHealthAlert(rt, delivery); // Pub/Sub delivers at least once
  expect(again.decision).toBe('incident open: us-east4 drained');
  ({ requests } = await w.control.requests({ since: mark }));
  expect(requests.filter((r) => r.write && r.api !== 'control')).toEqual([]);
  expect(requests.filter((r) => r.method === 'GET' && r.path.endsWith(BACKEND_SERVICE))).toHaveLength(1);
  expect(await weights()).toEqual(moved);

  // The shift is level-triggered: a tick a DNS TTL later takes the next step.
  w.advance(config.dns.ttlSec * 1000);
  await w.setLoad(LOAD);
  const tick = await reconcile(w.deps, config, { kind: 'tick', eventId: 'after-ttl' });
  expect(tick.actions.map((a) => a.actuator)).toContain('dns');
  expect((await weights())['us-west1']?.['europe-west4']).toBeGreaterThan(moved['us-west1']?.['europe-west4'] ?? 1);
});
