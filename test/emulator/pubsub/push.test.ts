import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PubSub } from '@google-cloud/pubsub';
import { eventually } from '../../helpers/eventually';
import { startTwin, type Twin } from '../../helpers/twin';

const project = 'p-push';
let w: Twin;
let pubsub: PubSub;

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A push endpoint that records requests and answers with `status()`. */
async function endpoint(status: (n: number) => number = () => 204) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status(hits.length)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  return { hits, url, close };
}

beforeAll(async () => {
  // The push format and delivery rules are under test; cold starts and push latency (conformance.test.ts)
  // would only make each first delivery wait 5 s of real time on this real-time clock.
  w = await startTwin({
    project,
    timings: { pushMinBackoffMs: 30_000, pushMaxBackoffMs: 120_000, coldStartMs: 0, pushLatencyMs: 0 },
  });
  pubsub = w.gcp.pubsub;
});
afterAll(async () => {
  await w.close();
});
beforeEach(async () => {
  await w.control.reset();
});
afterEach(() => jest.restoreAllMocks());

const topicName = (t: string): string => `projects/${project}/topics/${t}`;

test('push delivers a binary-mode CloudEvent (Eventarc messagePublished) with the exact headers and body', async () => {
  const ep = await endpoint();
  try {
    await pubsub.createTopic('capacity');
    await pubsub.topic('capacity').createSubscription('capacity-push', {
      pushConfig: {
        pushEndpoint: ep.url,
        oidcToken: { serviceAccountEmail: 'invoker@p.iam.gserviceaccount.com', audience: 'https://fn.example' },
      },
    });
    const id = await pubsub.topic('capacity').publishMessage({ data: Buffer.from('{"n":1}'), attributes: { k: 'v' } });
    await eventually(() => ep.hits.length === 1);
    const hit = ep.hits[0] as Hit;
    const publishTime = (await w.control.topicMessages('capacity', project))[0]?.publishTime;
    expect(hit.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${project}/topics/capacity`,
      'ce-id': id,
      'ce-time': publishTime,
      'content-type': 'application/json',
    });
    expect(JSON.parse(hit.body)).toEqual({
      message: {
        data: Buffer.from('{"n":1}').toString('base64'),
        attributes: { k: 'v' },
        messageId: id,
        message_id: id,
        publishTime,
        publish_time: publishTime,
      },
      subscription: `projects/${project}/subscriptions/capacity-push`,
    });
    const [, payload, sig] = String(hit.headers.authorization)
      .replace(/^Bearer /, '')
      .split('.');
    expect(sig).toBeTruthy();
    expect(JSON.parse(Buffer.from(payload as string, 'base64url').toString())).toMatchObject({
      iss: 'https://accounts.google.com',
      aud: 'https://fn.example',
      email: 'invoker@p.iam.gserviceaccount.com',
    });
    // 204 acked it: nothing is redelivered, even much later.
    await eventually(async () => (await subs())[0]?.acked === 1);
    await w.control.advance(600_000);
    await w.control.flush();
    expect(ep.hits).toHaveLength(1);
  } finally {
    await ep.close();
  }
});

test('a 500 is redelivered with backoff; after maxDeliveryAttempts the message lands on the dead-letter topic', async () => {
  const ep = await endpoint(() => 500);
  try {
    await pubsub.createTopic('req');
    await pubsub.createTopic('req-dead');
    await pubsub.topic('req').createSubscription('req-push', {
      pushConfig: { pushEndpoint: ep.url },
      deadLetterPolicy: { deadLetterTopic: topicName('req-dead'), maxDeliveryAttempts: 5 },
    });
    await pubsub.topic('req').publishMessage({ data: Buffer.from('bad'), attributes: { r: '1' } });
    await eventually(() => ep.hits.length === 1);
    // Backoff: not redelivered before the first backoff (30 s virtual) has passed.
    await w.control.flush();
    expect(ep.hits).toHaveLength(1);
    for (let n = 2; n <= 5; n++) {
      await w.control.advance(120_000);
      await w.control.flush();
      await eventually(() => ep.hits.length === n);
    }
    expect(ep.hits.map((h) => JSON.parse(h.body).deliveryAttempt)).toEqual([1, 2, 3, 4, 5]);
    const dead = await eventually(async () => {
      const m = await w.control.topicMessages('req-dead', project);
      return m.length === 1 && m;
    });
    expect(dead[0]).toMatchObject({
      text: 'bad',
      attributes: {
        r: '1',
        CloudPubSubDeadLetterSourceDeliveryCount: '5',
        CloudPubSubDeadLetterSourceSubscription: 'req-push',
        CloudPubSubDeadLetterSourceSubscriptionProject: project,
      },
    });
    const [stats] = await subs();
    expect(stats).toMatchObject({ backlog: 0, delivered: 5, nacked: 5, deadLettered: 1 });
  } finally {
    await ep.close();
  }
});

test('an unreachable endpoint nacks (redelivered after backoff)', async () => {
  const ep = await endpoint();
  await ep.close(); // nothing listens there any more
  await pubsub.createTopic('gone');
  await pubsub.topic('gone').createSubscription('gone-push', { pushConfig: { pushEndpoint: ep.url } });
  await pubsub.topic('gone').publishMessage({ data: Buffer.from('x') });
  await eventually(async () => (await subs())[0]?.nacked === 1);
  await w.control.advance(30_000);
  await eventually(async () => (await subs())[0]?.nacked === 2);
  expect((await subs())[0]).toMatchObject({ backlog: 1, acked: 0 });
});

test('functions-framework: resolve → 204 ack; throw → 500 → redelivered', async () => {
  const functions = require('@google-cloud/functions-framework') as typeof import('@google-cloud/functions-framework');
  const { getTestServer } =
    require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // the framework logs the thrown error
  const events: Array<{ id: string; type: string; source: string; data: { message: { data: string } } }> = [];
  let fail = true;
  functions.cloudEvent('pushTarget', (event: unknown) => {
    events.push(event as never);
    if (fail) {
      fail = false;
      throw new Error('transient');
    }
  });
  const server = getTestServer('pushTarget');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await pubsub.createTopic('fn-topic');
    await pubsub.topic('fn-topic').createSubscription('fn-push', { pushConfig: { pushEndpoint: url } });
    const id = await pubsub.topic('fn-topic').publishMessage({ json: { replicas: 2 } });
    await eventually(async () => (await subs())[0]?.nacked === 1);
    expect(events[0]).toMatchObject({
      id,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: `//pubsub.googleapis.com/projects/${project}/topics/fn-topic`,
    });
    expect(JSON.parse(Buffer.from(events[0]?.data.message.data as string, 'base64').toString())).toEqual({
      replicas: 2,
    });
    await w.control.advance(30_000);
    await eventually(async () => (await subs())[0]?.acked === 1);
    expect(events.map((e) => e.id)).toEqual([id, id]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('duplicates: 3 deliveries of one message to a push endpoint', async () => {
  const ep = await endpoint();
  try {
    await w.control.setDelivery({ duplicates: 3 });
    await pubsub.createTopic('dups');
    await pubsub.topic('dups').createSubscription('dups-push', { pushConfig: { pushEndpoint: ep.url } });
    const id = await pubsub.topic('dups').publishMessage({ data: Buffer.from('x') });
    await eventually(() => ep.hits.length === 3);
    expect(ep.hits.map((h) => h.headers['ce-id'])).toEqual([id, id, id]);
  } finally {
    await ep.close();
  }
});

test('shuffle: push deliveries arrive out of publish order after the hold', async () => {
  const ep = await endpoint();
  try {
    await w.control.setDelivery({ shuffle: true, shuffleWindowMs: 60_000 });
    await pubsub.createTopic('order');
    await pubsub.topic('order').createSubscription('order-push', { pushConfig: { pushEndpoint: ep.url } });
    const topic = pubsub.topic('order', { batching: { maxMessages: 1 } });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await topic.publishMessage({ data: Buffer.from(String(i)) }));
    await w.control.flush();
    await eventually(() => ep.hits.length === 10);
    const got = ep.hits.map((h) => String(h.headers['ce-id']));
    expect([...got].sort()).toEqual([...ids].sort());
    expect(got).not.toEqual(ids);
  } finally {
    await ep.close();
  }
});

test('push concurrency is bounded per subscription and a slow endpoint does not block another subscription', async () => {
  let open = 0;
  let peak = 0;
  const stalled: http.ServerResponse[] = [];
  const slow = http.createServer((_req, res) => {
    open++;
    peak = Math.max(peak, open);
    stalled.push(res);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const fast = await endpoint();
  try {
    await pubsub.createTopic('load');
    await pubsub.topic('load').createSubscription('load-slow', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/` },
    });
    await pubsub.topic('load').createSubscription('load-fast', { pushConfig: { pushEndpoint: fast.url } });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => pubsub.topic('load').publishMessage({ data: Buffer.from(`m${i}`) })),
    );
    await eventually(() => fast.hits.length === 30);
    await eventually(() => open === 16);
    expect(peak).toBe(16);
  } finally {
    for (const res of stalled) res.destroy();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    await fast.close();
  }
});

/** Per-subscription delivery counters (acked, nacked, delivered, deadLettered…). */
async function subs() {
  return (await w.control.subscriptions()) as Array<{ name: string; backlog: number } & Record<string, number>>;
}
