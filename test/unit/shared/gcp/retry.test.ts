import { conditionalWrite } from '../../../../shared/gcp/conditional-write';
import { isConflict, withRetry } from '../../../../shared/gcp/retry';

const policy = { attempts: 4, baseMs: 1, capMs: 2 };
const status = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

test('transient failures are retried up to the policy’s attempts; others are thrown at once', async () => {
  let calls = 0;
  await expect(withRetry(async () => ++calls, { policy })).resolves.toBe(1);
  calls = 0;
  const flaky = () => (++calls < 3 ? Promise.reject(status(503)) : Promise.resolve('ok'));
  await expect(withRetry(flaky, { policy })).resolves.toBe('ok');
  expect(calls).toBe(3);
  calls = 0;
  await expect(withRetry(() => (++calls, Promise.reject(status(503))), { policy })).rejects.toThrow('503');
  expect(calls).toBe(4);
  calls = 0;
  await expect(withRetry(() => (++calls, Promise.reject(status(400))), { policy })).rejects.toThrow('400');
  expect(calls).toBe(1);
});

test('a deadline stops retrying before the attempts are spent', async () => {
  let calls = 0;
  const slow = { attempts: 100, baseMs: 20, capMs: 20, deadlineMs: 50 };
  await expect(withRetry(() => (++calls, Promise.reject(status(429))), { policy: slow })).rejects.toThrow('429');
  expect(calls).toBeLessThan(10);
});

test('conflicts are 412, 409 and gRPC ABORTED', () => {
  expect([412, 409].map((c) => isConflict(status(c)))).toEqual([true, true]);
  expect(isConflict(Object.assign(new Error('aborted'), { code: 10 }))).toBe(true);
  expect([400, 404, 503].map((c) => isConflict(status(c)))).toEqual([false, false, false]);
});

test('a conditional write derives its change from the latest read, and a lost race ends retryable', async () => {
  let stored = { v: 1, fp: 'a' };
  const writes: number[] = [];
  const outcome = await conditionalWrite({
    snapshot: { v: 0, fp: 'stale' },
    read: async () => ({ ...stored }),
    derive: (cur) => (cur.v >= 2 ? undefined : cur.v + 1),
    write: async (cur, next) => {
      if (cur.fp !== stored.fp) throw status(412);
      writes.push(next);
      stored = { v: next, fp: `${stored.fp}'` };
    },
    policy,
  });
  expect(outcome).toMatchObject({ change: 2, reads: 1, writes: 1, conflicts: 1 });
  expect(writes).toEqual([2]); // from the re-read (1 → 2), never the stale snapshot's 0 → 1

  const lost = conditionalWrite({
    read: async () => 0,
    derive: () => 1,
    write: async () => Promise.reject(status(412)),
    policy,
  });
  await expect(lost).rejects.toMatchObject({ code: 'conflict', retryable: true });
});
