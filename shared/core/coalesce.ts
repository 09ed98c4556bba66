/**
 * Coalescing for a function instance that serves many events at once (Cloud Functions 2nd gen runs
 * up to `concurrency` requests per instance): work that arrives while the same work is in flight
 * waits for it and is done once for all, instead of once each.
 */

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiter<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the first item of a key is committed at once; items of that key that arrive while
 * a commit is in flight are queued and committed together by the next single call, and so on.
 * `commit` gets the items in arrival order and answers each one (same order): a value or an error,
 * so one bad item does not fail the others. If `commit` itself throws, every item of that batch
 * gets the error.
 */
export class GroupCommit<K, I, R> {
  private readonly queues = new Map<K, Array<Waiter<I, R>>>();
  private readonly running = new Set<K>();
  /** Sizes of the batches committed so far (for tests and benchmarks). */
  readonly batches: number[] = [];

  constructor(private readonly commit: (key: K, items: I[]) => Promise<Array<Settled<R>>>) {}

  submit(key: K, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.queues.set(key, queue);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: K): Promise<void> {
    this.running.add(key);
    try {
      for (;;) {
        const batch = this.queues.get(key) ?? [];
        this.queues.delete(key);
        if (batch.length === 0) return;
        this.batches.push(batch.length);
        let results: Array<Settled<R>>;
        try {
          results = await this.commit(
            key,
            batch.map((w) => w.item),
          );
        } catch (error) {
          results = batch.map(() => ({ ok: false, error }));
        }
        batch.forEach((w, i) => {
          const r = results[i] ?? { ok: false, error: new Error('group commit returned no answer for an item') };
          if (r.ok) w.resolve(r.value);
          else w.reject(r.error);
        });
      }
    } finally {
      this.running.delete(key);
    }
  }
}

/**
 * Single flight with one follow-up: a call while none runs starts `fn`; calls while it runs all
 * share ONE follow-up run that starts when it ends (so each caller gets a result that began after
 * it asked: nothing it caused is missed), however many there were.
 */
export class SingleFlight<R> {
  private current?: Promise<R>;
  private next?: Promise<R>;
  private nextFn?: () => Promise<R>;
  /** How many times `fn` actually ran (for tests and benchmarks). */
  runs = 0;

  run(fn: () => Promise<R>): Promise<R> {
    if (!this.current) return this.start(fn);
    this.nextFn = fn; // the latest caller's work is the one that runs
    if (!this.next) {
      this.next = this.current.then(
        () => this.followUp(),
        () => this.followUp(),
      );
    }
    return this.next;
  }

  private followUp(): Promise<R> {
    const fn = this.nextFn as () => Promise<R>;
    this.next = undefined;
    this.nextFn = undefined;
    return this.start(fn);
  }

  private start(fn: () => Promise<R>): Promise<R> {
    this.runs++;
    const p = Promise.resolve().then(fn);
    this.current = p;
    const clear = () => {
      if (this.current === p) this.current = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}

/**
 * A follow-up (e.g. a reconcile) owed by work of many concurrent callers, run once for as many of
 * them as possible: the last caller out runs it. Each caller `enter()`s, the work it shares `owe()`s
 * when it changed something the follow-up must see, and each caller `settle()`s exactly once when
 * done. A caller settling while others are still in flight leaves the follow-up to them (they
 * settle later, after their own work, so the run still starts after everything that owed it, and
 * sees it all); the last one runs it. A burst then ends with one run instead of one per batch, and
 * no run lands between two batches, writing what the next batch writes anyway. A follow-up owed for
 * `maxDeferMs` runs even while others are in flight (a steady stream must not starve it). Runs are
 * single-flight; a run that fails stays owed.
 */
export class FollowUp<R> {
  private owedSince?: number;
  private inFlight = 0;
  private readonly flight = new SingleFlight<R>();

  constructor(
    private readonly maxDeferMs: number,
    private readonly now: () => number,
  ) {}

  /** A caller starts: it must `settle()` exactly once. */
  enter(): void {
    this.inFlight++;
  }

  owe(): void {
    this.owedSince ??= this.now();
  }

  get owed(): boolean {
    return this.owedSince !== undefined;
  }

  /** How many times the follow-up actually ran (for tests and benchmarks). */
  get runs(): number {
    return this.flight.runs;
  }

  /**
   * The caller is done. Runs the owed follow-up (resolving to its result) if it was the last caller
   * in flight or the follow-up is overdue; undefined when nothing is owed or others will run it.
   */
  settle(fn: () => Promise<R>): Promise<R> | undefined {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const since = this.owedSince;
    if (since === undefined) return undefined;
    if (this.inFlight > 0 && this.now() - since < this.maxDeferMs) return undefined;
    this.owedSince = undefined;
    const run = this.flight.run(fn);
    run.catch(() => {
      this.owedSince = Math.min(this.owedSince ?? since, since);
    });
    return run;
  }
}
