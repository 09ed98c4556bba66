import type { Message, PubSub, v1 } from '@google-cloud/pubsub';
import { eventually } from '../../helpers/eventually';
import { startTwin, type Twin } from '../../helpers/twin';

const project = 'p-pull';
let w: Twin;
let pubsub: PubSub;
let subscriber: v1.SubscriberClient;

beforeAll(async () => {
  w = await startTwin({ project, clockSpeed: 1, random: 7 });
  pubsub = w.gcp.pubsub;
  const { v1: api } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
  const { grpc, googleAuthLibrary } = require('google-gax') as typeof import('google-gax');
  const [host, port] = w.emu.pubsubHost.split(':');
  subscriber = new api.SubscriberClient({
    servicePath: host,
    port: Number(port),
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  } as never);
});
afterAll(async () => {
  await subscriber.close();
  await w.close();
});
beforeEach(async () => {
  await w.control.reset();
});

const topicName = (t: string): string => `projects/${project}/topics/${t}`;
const subName = (s: string): string => `projects/${project}/subscriptions/${s}`;

test('publishMessage then subscription.on("message"): data, attributes, ids; ack removes it', async () => {
  const [topic] = await pubsub.createTopic('events');
  const [sub] = await topic.createSubscription('events-sub');
  const received: Message[] = [];
  sub.on('message', (m: Message) => {
    received.push(m);
    m.ack();
  });
  sub.on('error', () => undefined);
  try {
    const id = await topic.publishMessage({ data: Buffer.from('hello'), attributes: { kind: 'greeting' } });
    await eventually(() => received.length === 1);
    const m = received[0] as Message;
    expect(m.id).toBe(id);
    expect(m.data.toString()).toBe('hello');
    expect(m.attributes).toEqual({ kind: 'greeting' });
    expect(m.publishTime.getTime()).toBeGreaterThan(0);
    expect(m.deliveryAttempt).toBe(0); // no dead-letter policy
    // The ack (a unary Acknowledge from this client) empties the backlog.
    await eventually(async () => (await backlog('events-sub')) === 0);
  } finally {
    await sub.close();
  }
  const log = w.emu.ctx.log.list({ api: 'pubsub' }).map((e) => e.rpc);
  expect(log).toEqual(
    expect.arrayContaining(['Subscriber/StreamingPull', 'Subscriber/Acknowledge', 'Publisher/Publish']),
  );
});

test('streaming pull on a missing subscription → error code 5', async () => {
  const sub = pubsub.subscription('ghost');
  const err = await new Promise<{ code?: number }>((resolve) => {
    sub.on('error', resolve);
    sub.on('message', () => undefined);
  });
  await sub.close();
  expect(err.code).toBe(5);
});

test('v1 Pull + Acknowledge; an unacked message is redelivered after the ack deadline (virtual time)', async () => {
  await pubsub.createTopic('jobs');
  await pubsub.topic('jobs').createSubscription('jobs-sub', { ackDeadlineSeconds: 20 });
  await pubsub.topic('jobs').publishMessage({ data: Buffer.from('job-1') });

  const [first] = await subscriber.pull({ subscription: subName('jobs-sub'), maxMessages: 10 });
  expect(first.receivedMessages).toHaveLength(1);
  const msg = first.receivedMessages?.[0];
  expect(msg?.message?.data?.toString()).toBe('job-1');

  // Leased: not delivered again before the deadline…
  const [none] = await subscriber.pull({ subscription: subName('jobs-sub'), maxMessages: 10, returnImmediately: true });
  expect(none.receivedMessages ?? []).toHaveLength(0);
  // …but after it.
  await w.control.advance(21_000);
  const [again] = await subscriber.pull({ subscription: subName('jobs-sub'), maxMessages: 10 });
  expect(again.receivedMessages).toHaveLength(1);
  expect(again.receivedMessages?.[0]?.message?.messageId).toBe(msg?.message?.messageId);
  expect(again.receivedMessages?.[0]?.ackId).not.toBe(msg?.ackId);

  await subscriber.acknowledge({
    subscription: subName('jobs-sub'),
    ackIds: [again.receivedMessages?.[0]?.ackId as string],
  });
  await w.control.advance(60_000);
  const [after] = await subscriber.pull({
    subscription: subName('jobs-sub'),
    maxMessages: 10,
    returnImmediately: true,
  });
  expect(after.receivedMessages ?? []).toHaveLength(0);

  await expect(
    subscriber.acknowledge({ subscription: subName('jobs-sub'), ackIds: ['garbage'] }),
  ).rejects.toMatchObject({
    code: 3,
  });
  await expect(subscriber.pull({ subscription: subName('nope'), maxMessages: 1 })).rejects.toMatchObject({ code: 5 });
});

test('nacks count delivery attempts; after maxDeliveryAttempts the message goes to the dead-letter topic', async () => {
  await pubsub.createTopic('inbox');
  await pubsub.createTopic('inbox-dead');
  await pubsub.topic('inbox').createSubscription('in-sub', {
    deadLetterPolicy: { deadLetterTopic: topicName('inbox-dead'), maxDeliveryAttempts: 5 },
  });
  const id = await pubsub.topic('inbox').publishMessage({ data: Buffer.from('poison'), attributes: { a: '1' } });

  for (let attempt = 1; attempt <= 5; attempt++) {
    const [res] = await subscriber.pull({ subscription: subName('in-sub'), maxMessages: 1 });
    const r = res.receivedMessages?.[0];
    expect(r?.deliveryAttempt).toBe(attempt);
    await subscriber.modifyAckDeadline({
      subscription: subName('in-sub'),
      ackIds: [r?.ackId as string],
      ackDeadlineSeconds: 0,
    });
  }
  const [empty] = await subscriber.pull({ subscription: subName('in-sub'), maxMessages: 1, returnImmediately: true });
  expect(empty.receivedMessages ?? []).toHaveLength(0);

  const dead = await w.control.topicMessages('inbox-dead', project);
  expect(dead).toHaveLength(1);
  expect(dead[0]?.text).toBe('poison');
  expect(dead[0]?.attributes).toMatchObject({
    a: '1',
    CloudPubSubDeadLetterSourceDeliveryCount: '5',
    CloudPubSubDeadLetterSourceSubscription: 'in-sub',
    CloudPubSubDeadLetterSourceSubscriptionProject: project,
  });
  expect(dead[0]?.messageId).not.toBe(id);
});

test('duplicates: each message is delivered N times', async () => {
  await pubsub.createTopic('dup');
  await pubsub.topic('dup').createSubscription('dup-sub');
  await w.control.setDelivery({ duplicates: 3 });
  const id = await pubsub.topic('dup').publishMessage({ data: Buffer.from('once') });
  const [res] = await subscriber.pull({ subscription: subName('dup-sub'), maxMessages: 10 });
  expect(res.receivedMessages?.map((r) => r.message?.messageId)).toEqual([id, id, id]);
});

test('shuffle: held briefly, then released out of publish order', async () => {
  await pubsub.createTopic('mix');
  await pubsub.topic('mix').createSubscription('mix-sub');
  await w.control.setDelivery({ shuffle: true, shuffleWindowMs: 60_000 });
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await pubsub.topic('mix').publishMessage({ data: Buffer.from(String(i)) }));
  const [held] = await subscriber.pull({ subscription: subName('mix-sub'), maxMessages: 10, returnImmediately: true });
  expect((held.receivedMessages ?? []).length).toBeLessThan(8);
  for (const r of held.receivedMessages ?? []) {
    await subscriber.acknowledge({ subscription: subName('mix-sub'), ackIds: [r.ackId as string] });
  }
  await w.control.flush();
  const [res] = await subscriber.pull({ subscription: subName('mix-sub'), maxMessages: 10 });
  const got = [...(held.receivedMessages ?? []), ...(res.receivedMessages ?? [])].map((r) => r.message?.messageId);
  expect([...got].sort()).toEqual([...ids].sort());
  expect(got).not.toEqual(ids);
});

test('snapshot / restore keeps topics, subscriptions and pending messages', async () => {
  await pubsub.createTopic('keep');
  await pubsub.topic('keep').createSubscription('keep-sub');
  await pubsub.topic('keep').publishMessage({ data: Buffer.from('kept') });
  const state = JSON.parse(JSON.stringify(w.emu.pubsub.snapshot()));
  w.emu.pubsub.reset();
  await expect(pubsub.topic('keep').getMetadata()).rejects.toMatchObject({ code: 5 });
  w.emu.pubsub.restore(state);
  const [res] = await subscriber.pull({ subscription: subName('keep-sub'), maxMessages: 10 });
  expect(res.receivedMessages?.[0]?.message?.data?.toString()).toBe('kept');
});

test('internal publish (Monitoring): same path, throws for a missing topic', async () => {
  await pubsub.createTopic('alerts');
  await pubsub.topic('alerts').createSubscription('alerts-sub');
  const id = w.emu.pubsub.publish(topicName('alerts'), Buffer.from('{"incident":{}}'), { src: 'monitoring' });
  const [res] = await subscriber.pull({ subscription: subName('alerts-sub'), maxMessages: 1 });
  expect(res.receivedMessages?.[0]?.message).toMatchObject({ messageId: id, attributes: { src: 'monitoring' } });
  expect(() => w.emu.pubsub.publish(topicName('nowhere'), Buffer.from('x'))).toThrow(/not found/i);
});

async function backlog(sub: string): Promise<number> {
  return (await w.control.subscriptions()).find((s) => s.name === subName(sub))?.backlog ?? -1;
}
