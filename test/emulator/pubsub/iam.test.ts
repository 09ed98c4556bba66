import { PubSub } from '@google-cloud/pubsub';
import { type Emulator, startEmulator } from '../../../emulator';

/** Topic IAM policies (google.iam.v1.IAMPolicy) through the official client's `topic.iam`. */
let emu: Emulator;
let pubsub: PubSub;

beforeAll(async () => {
  emu = await startEmulator();
  pubsub = new PubSub({ projectId: 'iam-test', apiEndpoint: emu.pubsubHost, emulatorMode: true });
  await pubsub.createTopic('guarded');
});
afterAll(async () => {
  await pubsub.close();
  await emu.stop();
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
  const rpcs = emu.ctx.log.list({ api: 'pubsub' }).map((r) => r.rpc);
  expect(rpcs).toEqual(expect.arrayContaining(['IAMPolicy/GetIamPolicy', 'IAMPolicy/SetIamPolicy']));
});
