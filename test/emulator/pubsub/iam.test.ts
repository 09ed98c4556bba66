import type { PubSub } from '@google-cloud/pubsub';
import { startTwin, type Twin } from '../../helpers/twin';

/** Topic IAM policies (google.iam.v1.IAMPolicy) through the official client's `topic.iam`. */
let w: Twin;
let pubsub: PubSub;

beforeAll(async () => {
  w = await startTwin({ project: 'iam-test' });
  pubsub = w.gcp.pubsub;
  await pubsub.createTopic('guarded');
});
afterAll(async () => {
  await w.close();
});

test('a new topic has an empty policy with the etag Google answers for it', async () => {
  const [policy] = await pubsub.topic('guarded').iam.getPolicy();
  expect(policy.bindings ?? []).toEqual([]);
  expect(Buffer.from(policy.etag as Uint8Array).toString('base64')).toBe('ACAB');
});

test('setPolicy stores bindings (merged per role); a stale etag is ABORTED', async () => {
  const topic = pubsub.topic('guarded');
  const [before] = await topic.iam.getPolicy();
  const [set] = await topic.iam.setPolicy({
    etag: before.etag,
    bindings: [
      { role: 'roles/pubsub.publisher', members: ['serviceAccount:a@iam-test.iam.gserviceaccount.com'] },
      { role: 'roles/pubsub.publisher', members: ['user:ops@example.com'] },
    ],
  });
  expect(set.bindings).toEqual([
    expect.objectContaining({
      role: 'roles/pubsub.publisher',
      members: ['serviceAccount:a@iam-test.iam.gserviceaccount.com', 'user:ops@example.com'],
    }),
  ]);
  const [read] = await topic.iam.getPolicy();
  expect(read.bindings?.[0]?.members).toHaveLength(2);
  await expect(topic.iam.setPolicy({ etag: before.etag, bindings: [] })).rejects.toMatchObject({ code: 10 });
});

test('bad members and roles are INVALID_ARGUMENT; an unknown topic is NOT_FOUND', async () => {
  const topic = pubsub.topic('guarded');
  await expect(
    topic.iam.setPolicy({ bindings: [{ role: 'roles/pubsub.publisher', members: ['bob'] }] }),
  ).rejects.toMatchObject({
    code: 3,
  });
  await expect(
    topic.iam.setPolicy({ bindings: [{ role: 'publisher', members: ['user:a@b.c'] }] }),
  ).rejects.toMatchObject({
    code: 3,
  });
  await expect(pubsub.topic('missing').iam.getPolicy()).rejects.toMatchObject({ code: 5 });
});

test('the calls are in the request log as google.iam.v1.IAMPolicy', () => {
  const rpcs = w.emu.ctx.log.list({ api: 'pubsub' }).map((r) => r.rpc);
  expect(rpcs).toEqual(expect.arrayContaining(['IAMPolicy/GetIamPolicy', 'IAMPolicy/SetIamPolicy']));
});
