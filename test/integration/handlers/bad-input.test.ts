import { eventually, functionsWorld, subscriptionOf } from '../../helpers/functions';
import { incident } from '../../helpers/incidents';
import { testConfig } from '../../helpers/stack';

const config = testConfig();
const topics = config.pubsub;
const s = functionsWorld(config);

const ok = { requestId: 'r-ok', region: 'us-central1', accelerator: 'nvidia-l4', replicas: 1, reason: 'x' };
let deep: unknown = 'bottom';
for (let i = 0; i < 2_000; i++) deep = { d: deep };

/** Each: a message that must be acked, logged with its reason, dead-lettered, and cause no action. */
const CASES: Array<{
  name: string;
  topic: string;
  data: Buffer | string | object;
  attributes?: Record<string, string>;
  reason: RegExp;
}> = [
  { name: 'capacity: not JSON', topic: topics.capacityRequests, data: 'please give me GPUs', reason: /not JSON/ },
  {
    name: 'capacity: attributes only, no data',
    topic: topics.capacityRequests,
    data: '',
    attributes: { kind: 'capacity' },
    reason: /empty/,
  },
  {
    name: 'capacity: a JSON array',
    topic: topics.capacityRequests,
    data: '[1,2,3]',
    reason: /invalid capacity request/,
  },
  {
    name: 'capacity: no requestId',
    topic: topics.capacityRequests,
    data: { ...ok, requestId: undefined },
    reason: /requestId/,
  },
  {
    name: 'capacity: both region and near',
    topic: topics.capacityRequests,
    data: { ...ok, near: 'us-east4' },
    reason: /exactly one of region or near/,
  },
  {
    name: 'capacity: neither region nor near',
    topic: topics.capacityRequests,
    data: { ...ok, region: undefined },
    reason: /exactly one of region or near/,
  },
  {
    name: 'capacity: unknown region',
    topic: topics.capacityRequests,
    data: { ...ok, region: 'mars-central1' },
    reason: /not a serving region/,
  },
  {
    name: 'capacity: negative replicas',
    topic: topics.capacityRequests,
    data: { ...ok, replicas: -3 },
    reason: /replicas/,
  },
  {
    name: 'capacity: absurd replicas',
    topic: topics.capacityRequests,
    data: { ...ok, replicas: 1e9 },
    reason: /replicas/,
  },
  {
    name: 'capacity: replicas as a string',
    topic: topics.capacityRequests,
    data: { ...ok, replicas: '3' },
    reason: /replicas/,
  },
  {
    name: 'capacity: an accelerator nobody serves',
    topic: topics.capacityRequests,
    data: { ...ok, accelerator: 'nvidia-h100-80gb' },
    reason: /accelerator/,
  },
  {
    name: 'capacity: unknown field',
    topic: topics.capacityRequests,
    data: { ...ok, priority: 'urgent' },
    reason: /priority/,
  },
  {
    name: 'capacity: zero duration',
    topic: topics.capacityRequests,
    data: { ...ok, durationMinutes: 0 },
    reason: /durationMinutes/,
  },
  {
    name: 'capacity: huge payload',
    topic: topics.capacityRequests,
    data: { ...ok, reason: 'x'.repeat(200_000) },
    reason: /larger than/,
  },
  {
    name: 'capacity: deep nesting',
    topic: topics.capacityRequests,
    data: JSON.stringify({ ...ok, requestId: deep }).slice(0, 60_000),
    reason: /not JSON|invalid/,
  },
  {
    name: 'capacity: binary garbage',
    topic: topics.capacityRequests,
    data: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b]),
    reason: /not JSON/,
  },
  {
    name: 'capacity: unicode in the id',
    topic: topics.capacityRequests,
    data: { ...ok, requestId: 'réquest-💥' },
    reason: /requestId/,
  },
  { name: 'alert: not JSON', topic: topics.healthAlerts, data: '<html>502 Bad Gateway</html>', reason: /not JSON/ },
  { name: 'alert: no incident', topic: topics.healthAlerts, data: { version: '1.2' }, reason: /incident/ },
  // An incident naming no configured region is well-formed, just not georoute's: acknowledged and
  // ignored, not dead-lettered (health-alert-ours.test.ts).
  {
    name: 'alert: impossible state',
    topic: topics.healthAlerts,
    data: incident('i-y', 'maybe' as 'open', 'us-east4', Date.now()),
    reason: /state/,
  },
];

test.each(CASES)(
  '$name → acked, logged, dead-lettered, nothing changed',
  async ({ topic, data, attributes, reason }) => {
    const mark = await s.w.control.mark();
    const subBefore = (await s.fx.subscriptions()).find(
      (s) => s.name === `projects/${config.project}/subscriptions/${subscriptionOf(topic)}`,
    );
    const messageId = await s.fx.publish(topic, data, attributes);
    const dead = await eventually(async () =>
      (await s.fx.messages(topics.deadLetter)).map((m) => JSON.parse(m.text)).find((d) => d.messageId === messageId),
    );
    expect(dead.reason).toMatch(reason);
    expect(dead.function).toBe(topic === topics.healthAlerts ? 'healthAlert' : 'capacityRequest');
    const logged = s.fx.logs.find(
      (l) => l.severity === 'ERROR' && l.decision === 'dead-letter' && reason.test(String(l.message)),
    );
    expect(logged).toBeDefined();
    // Acked at the first delivery: no nack, no redelivery.
    const sub = await eventually(async () => {
      const now = (await s.fx.subscriptions()).find((s) => s.name === subBefore?.name)!;
      return (now.acked as number) > (subBefore!.acked as number) ? now : undefined;
    });
    expect((sub.acked as number) - (subBefore!.acked as number)).toBe(1);
    expect(sub.nacked).toBe(subBefore!.nacked);
    // No action: no Compute or DNS write at all.
    const { requests } = await s.w.control.requests({ since: mark });
    expect(requests.filter((r) => r.write && (r.api === 'compute' || r.api === 'dns'))).toEqual([]);
  },
);

test('hand-made CloudEvents that are not Pub/Sub messages are acked (204) and dead-lettered too', async () => {
  const post = (body: string) =>
    fetch(s.fx.urls.reconcile, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-source': '//pubsub.googleapis.com/projects/x/topics/y',
        'ce-id': `hand-${Math.random()}`,
      },
      body,
    });
  expect((await post('{}')).status).toBe(204);
  expect((await post('{"message":{"data":"!!!not base64!!!"}}')).status).toBe(204);
  const dead = await eventually(async () => {
    const all = (await s.fx.messages(topics.deadLetter))
      .map((m) => JSON.parse(m.text))
      .filter((d) => d.function === 'reconcile');
    return all.length >= 2 ? all : undefined;
  });
  expect(dead.map((d: { reason: string }) => d.reason)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/data.message is missing/),
      expect.stringMatching(/not valid base64/),
    ]),
  );
});
