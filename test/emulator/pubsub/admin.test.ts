import type { PubSub } from '@google-cloud/pubsub';
import { startTwin, type Twin } from '../../helpers/twin';

const project = 'p-admin';
let w: Twin;
let pubsub: PubSub;

beforeAll(async () => {
  w = await startTwin({ project, clockSpeed: 100 });
  pubsub = w.gcp.pubsub;
});
afterAll(() => w.close());

test('topics: create, get, autoCreate, list, duplicate → 6, missing → 5, delete', async () => {
  const [topic] = await pubsub.createTopic('orders');
  expect(topic.name).toBe(`projects/${project}/topics/orders`);

  await expect(pubsub.createTopic('orders')).rejects.toMatchObject({ code: 6 });
  await expect(pubsub.topic('nope').get()).rejects.toMatchObject({ code: 5 });

  const [auto] = await pubsub.topic('auto-made').get({ autoCreate: true });
  expect(auto.name).toBe(`projects/${project}/topics/auto-made`);
  const [again] = await pubsub.topic('auto-made').get({ autoCreate: true });
  expect(again.name).toBe(auto.name);

  const [topics] = await pubsub.getTopics();
  expect(topics.map((t) => t.name).sort()).toEqual([
    `projects/${project}/topics/auto-made`,
    `projects/${project}/topics/orders`,
  ]);

  await pubsub.topic('auto-made').delete();
  await expect(pubsub.topic('auto-made').delete()).rejects.toMatchObject({ code: 5 });
  const [exists] = await pubsub.topic('auto-made').exists();
  expect(exists).toBe(false);
});

test('invalid names are INVALID_ARGUMENT', async () => {
  await expect(pubsub.createTopic('ab')).rejects.toMatchObject({ code: 3 });
  await expect(pubsub.createTopic('goog-topic')).rejects.toMatchObject({ code: 3 });
});

test('publish to a missing topic → 5; an empty message → 3; over 10 MB → 3', async () => {
  await expect(pubsub.topic('missing').publishMessage({ data: Buffer.from('x') })).rejects.toMatchObject({ code: 5 });
  await pubsub.createTopic('empties');
  const [client] = [new (require('@google-cloud/pubsub').v1.PublisherClient)(clientOptions())];
  try {
    await expect(
      client.publish({ topic: `projects/${project}/topics/empties`, messages: [{ data: Buffer.alloc(0) }] }),
    ).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('either non-empty data, or at least one attribute'),
    });
    const [res] = await client.publish({
      topic: `projects/${project}/topics/empties`,
      messages: [{ attributes: { only: 'attrs' } }],
    });
    expect(res.messageIds).toHaveLength(1);
    // Over the 10 MB request limit.
    await expect(
      client.publish({
        topic: `projects/${project}/topics/empties`,
        messages: [{ data: Buffer.alloc(10 * 1024 * 1024 + 1) }],
      }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringContaining('10485760') });
  } finally {
    await client.close();
  }
});

test('subscriptions: defaults, validation, list, delete; topic must exist', async () => {
  await pubsub.createTopic('work');
  await pubsub.createTopic('work-dead');
  await expect(pubsub.topic('ghost').createSubscription('s-ghost')).rejects.toMatchObject({ code: 5 });

  const [sub] = await pubsub.topic('work').createSubscription('work-sub');
  const [meta] = await sub.getMetadata();
  expect(meta.ackDeadlineSeconds).toBe(10);
  expect(meta.topic).toBe(`projects/${project}/topics/work`);
  expect(Number(meta.messageRetentionDuration?.seconds)).toBe(7 * 24 * 3600);
  expect(meta.deadLetterPolicy).toBeNull();

  await expect(pubsub.topic('work').createSubscription('work-sub')).rejects.toMatchObject({ code: 6 });
  await expect(
    pubsub.topic('work').createSubscription('bad-deadline', { ackDeadlineSeconds: 601 }),
  ).rejects.toMatchObject({
    code: 3,
  });
  await expect(
    pubsub.topic('work').createSubscription('bad-dlq', {
      deadLetterPolicy: { deadLetterTopic: `projects/${project}/topics/work-dead`, maxDeliveryAttempts: 4 },
    }),
  ).rejects.toMatchObject({ code: 3 });
  await expect(
    pubsub.topic('work').createSubscription('missing-dlq', {
      deadLetterPolicy: { deadLetterTopic: `projects/${project}/topics/none` },
    }),
  ).rejects.toMatchObject({ code: 5 });

  const [withDlq] = await pubsub.topic('work').createSubscription('work-dlq', {
    deadLetterPolicy: { deadLetterTopic: `projects/${project}/topics/work-dead` },
    retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } },
    pushConfig: {
      pushEndpoint: 'http://127.0.0.1:9/push',
      oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com' },
    },
  });
  const [dlqMeta] = await withDlq.getMetadata();
  expect(dlqMeta.deadLetterPolicy).toMatchObject({
    deadLetterTopic: `projects/${project}/topics/work-dead`,
    maxDeliveryAttempts: 5,
  });
  expect(Number(dlqMeta.retryPolicy?.maximumBackoff?.seconds)).toBe(5);
  expect(dlqMeta.pushConfig).toMatchObject({
    pushEndpoint: 'http://127.0.0.1:9/push',
    attributes: { 'x-goog-version': 'v1' },
    oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com' },
  });

  // ModifyPushConfig back to pull.
  await withDlq.modifyPushConfig({});
  const [pulled] = await withDlq.getMetadata();
  expect(pulled.pushConfig?.pushEndpoint).toBe('');

  const [subs] = await pubsub.topic('work').getSubscriptions();
  expect(subs.map((s) => s.name).sort()).toEqual([
    `projects/${project}/subscriptions/work-dlq`,
    `projects/${project}/subscriptions/work-sub`,
  ]);
  const [all] = await pubsub.getSubscriptions();
  expect(all.length).toBe(2);

  await sub.setMetadata({ ackDeadlineSeconds: 30 });
  expect((await sub.getMetadata())[0].ackDeadlineSeconds).toBe(30);

  await sub.delete();
  await expect(sub.delete()).rejects.toMatchObject({ code: 5 });
  await expect(sub.getMetadata()).rejects.toMatchObject({ code: 5 });

  // Deleting the topic leaves its subscriptions, pointing at `_deleted-topic_`.
  await pubsub.topic('work').delete();
  const [orphan] = await withDlq.getMetadata();
  expect(orphan.topic).toBe('_deleted-topic_');
});

test('every RPC is in the request log, and an injected fault reaches the client as a gRPC error', async () => {
  await pubsub.createTopic('faulty');
  const mark = w.emu.ctx.log.mark;
  // Publish retries 429/500/503 for up to 60 s: inject a non-retried status to see the error at once…
  await w.control.addFault({ api: 'pubsub', pathPattern: 'Publisher/Publish', statuses: [400], count: 1 });
  await expect(pubsub.topic('faulty').publishMessage({ data: Buffer.from('x') })).rejects.toMatchObject({ code: 3 });
  // …and a retried one (UNAVAILABLE) once: the client retries and succeeds.
  await w.control.addFault({ api: 'pubsub', pathPattern: 'Publisher/Publish', statuses: [503], count: 1 });
  const id = await pubsub.topic('faulty').publishMessage({ data: Buffer.from('y') });
  expect(id).toMatch(/^\d+$/);

  const entries = w.emu.ctx.log.list({ since: mark, api: 'pubsub' });
  expect(entries.map((e) => [e.rpc, e.status, e.injected ?? false])).toEqual([
    ['Publisher/Publish', 400, true],
    ['Publisher/Publish', 503, true],
    ['Publisher/Publish', 200, false],
  ]);
  expect(entries[0]).toMatchObject({ path: '/google.pubsub.v1.Publisher/Publish', method: 'POST', write: true });
});

test('an injected 503 reaches a client that does not retry as UNAVAILABLE (code 14)', async () => {
  await pubsub.createTopic('down');
  const id = await w.control.addFault({ api: 'pubsub', pathPattern: 'Publisher/GetTopic', statuses: [503] });
  try {
    // GetTopic retries UNAVAILABLE by default; with no retry codes the first answer is final.
    await expect(pubsub.topic('down').getMetadata({ retry: { retryCodes: [] } } as never)).rejects.toMatchObject({
      code: 14,
    });
  } finally {
    await w.control.removeFault(id);
  }
});

function clientOptions(): Record<string, unknown> {
  const [host, port] = w.emu.pubsubHost.split(':');
  const { grpc, googleAuthLibrary } = require('google-gax') as typeof import('google-gax');
  return {
    servicePath: host,
    port: Number(port),
    sslCreds: grpc.credentials.createInsecure(),
    projectId: project,
    authClient: new googleAuthLibrary.PassThroughClient(),
  };
}
