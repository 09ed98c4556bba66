import { FollowUp, GroupCommit, SingleFlight } from '../../../../shared/core/coalesce';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('GroupCommit', () => {
  test('items arriving while a commit is in flight are committed together by the next single call', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gc = new GroupCommit(async (_key: string, items: number[]) => {
      calls.push(items);
      if (calls.length === 1) await gate;
      return items.map((i) => ({ ok: true as const, value: i * 10 }));
    });
    const first = gc.submit('a', 1);
    const rest = [2, 3, 4].map((i) => gc.submit('a', i));
    await tick();
    expect(calls).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
    expect(gc.batches).toEqual([1, 3]);
  });

  test('keys commit independently; one item’s error does not fail the others; a thrown commit fails its batch', async () => {
    const gc = new GroupCommit(async (key: string, items: number[]) => {
      if (key === 'boom') throw new Error('commit failed');
      return items.map((i) =>
        i < 0 ? { ok: false as const, error: new Error(`bad ${i}`) } : { ok: true as const, value: i },
      );
    });
    const [a, b, c] = await Promise.allSettled([gc.submit('x', 1), gc.submit('y', -1), gc.submit('boom', 2)]);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('bad -1') });
    expect(c).toMatchObject({ status: 'rejected', reason: new Error('commit failed') });
    // A failed batch does not wedge the key.
    await expect(gc.submit('x', 5)).resolves.toBe(5);
  });
});

describe('SingleFlight', () => {
  test('calls during a run share ONE follow-up that starts after it', async () => {
    const sf = new SingleFlight<number>();
    const started: number[] = [];
    let n = 0;
    const work = () => {
      const id = ++n;
      started.push(id);
      return new Promise<number>((r) => setTimeout(() => r(id), 20));
    };
    const a = sf.run(work);
    await tick();
    const followers = [sf.run(work), sf.run(work), sf.run(work)];
    expect(await a).toBe(1);
    const results = await Promise.all(followers);
    expect(results).toEqual([2, 2, 2]);
    expect(sf.runs).toBe(2);
    expect(started).toEqual([1, 2]);
    // Idle again: the next call runs at once.
    expect(await sf.run(work)).toBe(3);
  });

  test('a failed run still lets the follow-up run', async () => {
    const sf = new SingleFlight<string>();
    const a = sf.run(() => new Promise((_, reject) => setTimeout(() => reject(new Error('x')), 10)));
    const b = sf.run(async () => 'ok');
    await expect(a).rejects.toThrow('x');
    await expect(b).resolves.toBe('ok');
  });
});

describe('FollowUp', () => {
  const setup = (maxDeferMs = 1_000) => {
    let now = 0;
    const fu = new FollowUp<number>(maxDeferMs, () => now);
    return { fu, advance: (ms: number) => (now += ms) };
  };

  test('nothing owed: a caller settling runs nothing', () => {
    const { fu } = setup();
    fu.enter();
    expect(fu.settle(async () => 1)).toBeUndefined();
    expect(fu.runs).toBe(0);
  });

  test('owed by several callers: those finishing while others are in flight leave it; the last runs it once', async () => {
    const { fu } = setup();
    fu.enter();
    fu.enter();
    fu.enter();
    fu.owe(); // the first batch wrote
    expect(fu.settle(async () => 1)).toBeUndefined(); // two still in flight
    fu.owe(); // a later batch wrote too
    expect(fu.settle(async () => 2)).toBeUndefined();
    expect(fu.owed).toBe(true);
    await expect(fu.settle(async () => 3)).resolves.toBe(3); // the last one out
    expect(fu.owed).toBe(false);
    expect(fu.runs).toBe(1);
    fu.enter();
    expect(fu.settle(async () => 4)).toBeUndefined(); // paid: nothing more owed
  });

  test('a steady stream does not starve it: owed for maxDeferMs, it runs with callers still in flight', async () => {
    const { fu, advance } = setup(1_000);
    fu.enter();
    fu.enter();
    fu.enter();
    fu.owe();
    advance(999);
    expect(fu.settle(async () => 1)).toBeUndefined();
    fu.owe(); // owed again: the clock still counts from the first
    advance(1);
    await expect(fu.settle(async () => 2)).resolves.toBe(2);
  });

  test('a failed run stays owed, and the next caller out runs it', async () => {
    const { fu } = setup();
    fu.enter();
    fu.enter();
    fu.owe();
    fu.settle(async () => 0); // leaves it to the other
    await expect(fu.settle(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(fu.owed).toBe(true);
    fu.enter();
    await expect(fu.settle(async () => 5)).resolves.toBe(5);
    expect(fu.owed).toBe(false);
  });
});
