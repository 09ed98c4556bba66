import { AckError, type Message, type PubSub, type v1 } from '@google-cloud/pubsub';
import { eventually } from '../../helpers/eventually';
import { startTwin, type Twin } from '../../helpers/twin';
import { v1Subscriber } from './v1-subscriber';

/**
 * Pub/Sub as Google documents it, through the official client, one behaviour per test with its page.
 * The virtual clock barely moves by itself (0.001× real time): every delay is crossed by an
 * explicit advance, so the assertions hold on a slow machine too.
 */
const project = 'p-conf';
let w: Twin;
let pubsub: PubSub;
let subscriber: v1.SubscriberClient;

beforeAll(async () => {
  w = await startTwin({ project, clockSpeed: 0.001, random: 11 });
  pubsub = w.gcp.pubsub;
  subscriber = v1Subscriber(w.emu.pubsubHost);
});
afterAll(async () => {
  await subscriber.close();
  await w.close();
});
beforeEach(async () => {
  await w.control.reset();
  // Leases expire on the virtual clock only (the grace exists for the streaming client's timers).
  await w.control.setDelivery({ leaseGraceRealMs: 0 });
});

const topicName = (t: string): string => `projects/${project}/topics/${t}`;
const subName = (s: string): string => `projects/${project}/subscriptions/${s}`;
const pull = async (sub: string, max = 10) =>
  (await subscriber.pull({ subscription: subName(sub), maxMessages: max, returnImmediately: true }))[0]
    .receivedMessages ?? [];
const ack = (sub: string, ackIds: string[]) => subscriber.acknowledge({ subscription: subName(sub), ackIds });
const nack = (sub: string, ackIds: string[]) =>
  subscriber.modifyAckDeadline({ subscription: subName(sub), ackIds, ackDeadlineSeconds: 0 });
const text = (r: { message?: { data?: Uint8Array | string | null } | null }): string =>
  Buffer.from(r.message!.data!).toString();

describe('ordering keys (https://cloud.google.com/pubsub/docs/ordering)', () => {
  test('with enableMessageOrdering a key is delivered in publish order, one at a time until acked', async () => {
    const topic = pubsub.topic('orders', { messageOrdering: true });
    await topic.create();
    await topic.createSubscription('ordered', { enableMessageOrdering: true });
    await topic.createSubscription('unordered');
    // Held messages are released in random order: only the ordering guarantee keeps them in line.
    await w.control.setDelivery({ shuffle: true, shuffleWindowMs: 5_000 });
    const sent = Array.from({ length: 8 }, (_, i) => `m${i}`);
    for (const m of sent) await topic.publishMessage({ data: Buffer.from(m), orderingKey: 'customer-1' });
    await w.control.flush();

    const got: string[] = [];
    for (let i = 0; i < sent.length; i++) {
      const batch = await pull('ordered');
      expect(batch).toHaveLength(1); // the next one of the key waits for this ack
      got.push(text(batch[0]!));
      expect(batch[0]!.message!.orderingKey).toBe('customer-1');
      await ack('ordered', [batch[0]!.ackId!]);
    }
    expect(got).toEqual(sent);

    // "Otherwise, they may be delivered in any order": ordering keys mean nothing without the setting.
    const unordered = await pull('unordered');
    expect(unordered).toHaveLength(sent.length);
    expect(unordered.map(text)).not.toEqual(sent);
  });

  test('a nacked message of a key comes back before the later ones; other keys are not held up', async () => {
    const topic = pubsub.topic('orders2', { messageOrdering: true });
    await topic.create();
    await topic.createSubscription('ordered2', { enableMessageOrdering: true });
    await topic.publishMessage({ data: Buffer.from('a1'), orderingKey: 'a' });
    await topic.publishMessage({ data: Buffer.from('a2'), orderingKey: 'a' });
    await topic.publishMessage({ data: Buffer.from('b1'), orderingKey: 'b' });
    const first = await pull('ordered2');
    expect(first.map(text).sort()).toEqual(['a1', 'b1']);
    const a1 = first.find((r) => text(r) === 'a1')!;
    await nack('ordered2', [a1.ackId!]);
    expect((await pull('ordered2')).map(text)).toEqual(['a1']);
  });
});

describe('nack and redelivery (https://cloud.google.com/pubsub/docs/handling-failures)', () => {
  test('without a retry policy a nacked message is redelivered at once, with a new ack id', async () => {
    await pubsub.createTopic('work');
    await pubsub.topic('work').createSubscription('work-sub');
    await pubsub.topic('work').publishMessage({ data: Buffer.from('w') });
    const [first] = await pull('work-sub');
    await nack('work-sub', [first!.ackId!]);
    const [again] = await pull('work-sub');
    expect(text(again!)).toBe('w');
    expect(again!.ackId).not.toBe(first!.ackId);
  });

  test('with a retry policy the redelivery waits minimumBackoff, doubling up to maximumBackoff', async () => {
    await pubsub.createTopic('retry');
    await pubsub.topic('retry').createSubscription('retry-sub', {
      retryPolicy: { minimumBackoff: { seconds: 10 }, maximumBackoff: { seconds: 15 } },
    });
    await pubsub.topic('retry').publishMessage({ data: Buffer.from('r') });
    let [m] = await pull('retry-sub');
    for (const backoff of [10_000, 15_000]) {
      await nack('retry-sub', [m!.ackId!]);
      await w.control.advance(backoff - 100);
      expect(await pull('retry-sub')).toHaveLength(0);
      await w.control.advance(100);
      [m] = await pull('retry-sub');
      expect(text(m!)).toBe('r');
    }
  });
});

describe('ack deadlines (https://cloud.google.com/pubsub/docs/lease-management)', () => {
  test('10–600 s; 0 means the default 10 s; an unacked message is redelivered once it passes', async () => {
    await pubsub.createTopic('leases');
    const [sub] = await pubsub.topic('leases').createSubscription('leases-sub', { ackDeadlineSeconds: 0 });
    expect((await sub.getMetadata())[0].ackDeadlineSeconds).toBe(10);
    for (const bad of [9, 601]) {
      await expect(
        pubsub.topic('leases').createSubscription(`bad-${bad}`, { ackDeadlineSeconds: bad }),
      ).rejects.toMatchObject({ code: 3 });
    }
    await pubsub.topic('leases').publishMessage({ data: Buffer.from('l') });
    const [first] = await pull('leases-sub');
    await w.control.advance(9_900);
    expect(await pull('leases-sub')).toHaveLength(0);
    await w.control.advance(200);
    const [again] = await pull('leases-sub');
    expect(again!.message!.messageId).toBe(first!.message!.messageId);
  });
});

describe('dead-letter topics (https://cloud.google.com/pubsub/docs/handling-failures)', () => {
  test('maxDeliveryAttempts is 5–100 (0 means 5); deliveryAttempt counts from 1, and is 0 without a policy', async () => {
    await pubsub.createTopic('dlq-src');
    await pubsub.createTopic('dl-dead');
    const policy = (n: number) => ({ deadLetterTopic: topicName('dl-dead'), maxDeliveryAttempts: n });
    for (const bad of [4, 101]) {
      await expect(
        pubsub.topic('dlq-src').createSubscription(`dl-${bad}`, { deadLetterPolicy: policy(bad) }),
      ).rejects.toMatchObject({ code: 3 });
    }
    const [withPolicy] = await pubsub.topic('dlq-src').createSubscription('dl-sub', { deadLetterPolicy: policy(0) });
    expect((await withPolicy.getMetadata())[0].deadLetterPolicy?.maxDeliveryAttempts).toBe(5);
    await pubsub.topic('dlq-src').createSubscription('plain-sub');
    await pubsub.topic('dlq-src').publishMessage({ data: Buffer.from('d') });
    const [first] = await pull('dl-sub');
    expect(first!.deliveryAttempt).toBe(1);
    await nack('dl-sub', [first!.ackId!]);
    expect((await pull('dl-sub'))[0]!.deliveryAttempt).toBe(2);
    expect((await pull('plain-sub'))[0]!.deliveryAttempt).toBe(0);
  });
});

describe('exactly-once delivery (https://cloud.google.com/pubsub/docs/exactly-once-delivery)', () => {
  test('only the latest ack id acks; an acked message is never redelivered', async () => {
    await pubsub.createTopic('once');
    await pubsub.topic('once').createSubscription('once-sub', { enableExactlyOnceDelivery: true });
    await pubsub.topic('once').publishMessage({ data: Buffer.from('o') });
    const [first] = await pull('once-sub');
    // No redelivery while outstanding; after the deadline it comes back with a new ack id…
    expect(await pull('once-sub')).toHaveLength(0);
    await w.control.advance(10_100);
    const [second] = await pull('once-sub');
    // …and the old one fails: INVALID_ARGUMENT, with the failed id in the ErrorInfo.
    const err = await ack('once-sub', [first!.ackId!]).then(
      () => undefined,
      (e: { code: number; errorInfoMetadata?: Record<string, string> }) => e,
    );
    expect(err?.code).toBe(3);
    expect(err?.errorInfoMetadata).toEqual({ [first!.ackId!]: 'PERMANENT_FAILURE_INVALID_ACK_ID' });
    await ack('once-sub', [second!.ackId!]);
    await w.control.advance(60_000);
    expect(await pull('once-sub')).toHaveLength(0);
    await expect(ack('once-sub', [second!.ackId!])).rejects.toMatchObject({ code: 3 });
  });

  test('the streaming client learns it from the stream: a superseded ack id is refused, the live one acks', async () => {
    await pubsub.createTopic('once2');
    const [sub] = await pubsub.topic('once2').createSubscription('once2-sub', { enableExactlyOnceDelivery: true });
    const received: Message[] = [];
    sub.on('message', (m: Message) => received.push(m));
    sub.on('error', () => undefined);
    try {
      await pubsub.topic('once2').publishMessage({ data: Buffer.from('x') });
      const [first] = await eventually(() => received.length === 1 && received);
      await w.control.advance(700_000); // past any deadline the client may have asked for (≤ 600 s)
      const second = await eventually(() => received[1]);
      expect(second.id).toBe(first!.id);
      const refused = await first!.ackWithResponse().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(AckError);
      expect((refused as AckError).errorCode).toBe('INVALID');
      await expect(second.ackWithResponse()).resolves.toBe('SUCCESS');
      await w.control.advance(700_000);
      await w.control.flush();
      expect((await w.control.subscriptions()).find((s) => s.name.endsWith('/once2-sub'))).toMatchObject({
        backlog: 0,
        delivered: 2,
      });
    } finally {
      await sub.close();
    }
  });
});

describe('detached subscriptions (google/pubsub/v1/pubsub.proto, Subscription.detached)', () => {
  test('get no messages, and Pull answers FAILED_PRECONDITION', async () => {
    await pubsub.createTopic('det');
    const [sub] = await pubsub.topic('det').createSubscription('det-sub');
    await pubsub.detachSubscription(sub.name);
    await pubsub.topic('det').publishMessage({ data: Buffer.from('d') });
    await expect(
      subscriber.pull({ subscription: subName('det-sub'), maxMessages: 1, returnImmediately: true }),
    ).rejects.toMatchObject({ code: 9 });
  });
});

describe('push retry backoff (https://cloud.google.com/eventarc/docs/retry-events)', () => {
  test('"starts at a minimum of 10 seconds and increases with each subsequent failure, up to a maximum of 600 seconds"', async () => {
    const ep = await endpoint(500);
    try {
      await pubsub.createTopic('events');
      await pubsub.topic('events').createSubscription('ev-push', { pushConfig: { pushEndpoint: ep.url } });
      await pubsub.topic('events').publishMessage({ data: Buffer.from('e') });
      await step(COLD_FIRST_PUSH_MS);
      expect(ep.hits).toBe(1);
      for (const backoff of [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]) {
        const before = ep.hits;
        await step(backoff - 100);
        expect(ep.hits).toBe(before);
        await step(100);
        expect(ep.hits).toBe(before + 1);
      }
    } finally {
      await ep.close();
    }
  });
});

describe('push latency and cold starts (no Google figures: emulator/core/timings.ts)', () => {
  test('the first push to an idle endpoint waits for an instance to start; a warm one does not', async () => {
    const ep = await endpoint(204);
    try {
      await pubsub.createTopic('cold');
      await pubsub.topic('cold').createSubscription('cold-push', { pushConfig: { pushEndpoint: ep.url } });
      const { pushLatencyMs, coldStartMs, coldStartIdleMs } = w.emu.ctx.timings;
      await pubsub.topic('cold').publishMessage({ data: Buffer.from('1') });
      await step(pushLatencyMs);
      expect(ep.hits).toBe(0); // the instance is starting
      await step(coldStartMs - 1);
      expect(ep.hits).toBe(0);
      await step(1);
      expect(ep.hits).toBe(1);
      await pubsub.topic('cold').publishMessage({ data: Buffer.from('2') });
      await step(pushLatencyMs);
      expect(ep.hits).toBe(2); // warm: only the latency
      await step(coldStartIdleMs);
      await pubsub.topic('cold').publishMessage({ data: Buffer.from('3') });
      await step(pushLatencyMs);
      expect(ep.hits).toBe(2); // scaled to zero meanwhile
      await step(coldStartMs);
      expect(ep.hits).toBe(3);
    } finally {
      await ep.close();
    }
  });
});

/** Google's delay before the first push to a new endpoint: the latency, then a cold start. */
const COLD_FIRST_PUSH_MS = 100 + 5_000;

/** Moves virtual time on and waits until the pushes it started are answered. */
async function step(ms: number): Promise<void> {
  await w.control.advance(ms);
  await w.control.flush();
}

/** A push endpoint answering `status`, counting requests. */
async function endpoint(status: number): Promise<{ hits: number; url: string; close(): Promise<void> }> {
  const http = await import('node:http');
  const state = { hits: 0, url: '', close: (): Promise<void> => Promise.resolve() };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.hits++;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}
