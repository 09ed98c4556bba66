import { performance } from 'node:perf_hooks';
import type { Emulator } from '../emulator';

/**
 * How virtual time passes in a simulation. The loop asks the pacer to wait until the next thing it
 * must do (`next`, virtual ms); the pacer returns when time has moved (maybe less far, to let the
 * loop look at what happened).
 */
export interface Pacer {
  wait(next: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A clock this slow is stopped for every practical purpose (VirtualClock refuses 0). */
const STOPPED = 1e-9;

/**
 * Live: the clock runs at `speed` × real time, as a person watches the demo. While a function has
 * been busy for more than 300 ms (real), the clock slows to `busySpeed`: on a loaded machine the
 * functions' real latency would otherwise become minutes of simulated time.
 */
export function livePacer(e: Emulator, speed: number, busySpeed: number): Pacer {
  let busySince: number | undefined;
  return {
    async wait() {
      const busy = e.pubsub.pushBusy(e.ctx.clock.now());
      busySince = busy ? (busySince ?? performance.now()) : undefined;
      const want = busySince !== undefined && performance.now() - busySince > 300 ? Math.min(speed, busySpeed) : speed;
      if (want !== e.ctx.clock.speed) e.ctx.clock.setSpeed(want);
      await sleep(20);
    },
  };
}

/**
 * Fast-forward: the clock stands still while nothing is owed and jumps to the next moment anything
 * happens (at most `stepMs` at a time, so the twin's own timers — VM boots, alert evaluations, DNS
 * propagation — fire within a step of their time). While a function handles a message the clock runs
 * at `busySpeed` × real time: the function's real work, its Compute operations and their polling take
 * virtual time as they would in Google Cloud, instead of none. Same seed, same results, to within
 * the functions' real latency.
 */
export function fastPacer(e: Emulator, options: { stepMs: number; busySpeed: number }): Pacer {
  const clock = e.ctx.clock;
  return {
    async wait(next) {
      if (e.pubsub.pushBusy(clock.now())) {
        // Never run past what the loop owes (a step, a tick, a load change): both runs of a
        // comparison must change the load at the same virtual instant, busy functions or not.
        if (clock.now() >= next) {
          if (clock.speed !== STOPPED) clock.setSpeed(STOPPED);
          return;
        }
        if (clock.speed !== options.busySpeed) clock.setSpeed(options.busySpeed);
        await sleep(2);
        e.tick();
        return;
      }
      if (clock.speed !== STOPPED) clock.setSpeed(STOPPED);
      const step = Math.min(options.stepMs, Math.max(1, next - clock.now()));
      clock.advance(step);
      e.tick();
      // Let push requests the tick started (and the answers they wait for) get going.
      await new Promise((r) => setImmediate(r));
    },
  };
}

/**
 * Lets the functions finish what they were handed (the clock running at `busySpeed`) before the stack
 * is closed under them: a function cut off mid-write would log errors that are the harness's, not
 * georoute's. Gives up after `timeoutMs` real.
 */
export async function settle(e: Emulator, busySpeed: number, timeoutMs = 30_000): Promise<void> {
  const clock = e.ctx.clock;
  const deadline = performance.now() + timeoutMs;
  clock.setSpeed(busySpeed);
  while (e.pubsub.pushBusy(clock.now()) && performance.now() < deadline) {
    await sleep(5);
    e.tick();
  }
}

/**
 * Runs `start()` (the stack's bootstrap) on the clock Google's would keep: virtual time passes at real
 * time while the client works (a CLI takes its real seconds on Google too: its CPU, its round trips),
 * and skips to the end of a Compute operation the client is blocked on in `operations.wait` (the
 * operation takes its documented duration, no more). The clock is left at 1× real time.
 *
 * The bootstrap used to run with the clock at the scenario's speed (50× real time): its client's real
 * time — much longer on a loaded machine or under jest — became 50× as much virtual time, so the VMs
 * it creates first were up to half an hour further into their start-up when the scenario began (on
 * Google's clock, some already served before T+0 under CPU load).
 */
export async function bootstrapClock<T>(e: Emulator, start: () => Promise<T>, stepMs = 2_000): Promise<T> {
  const clock = e.ctx.clock;
  if (clock.speed !== 1) clock.setSpeed(1);
  let done = false;
  // Started only now: even its synchronous first steps (loading a client library) are on this clock.
  const work = start();
  work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  while (!done) {
    const until = e.compute.ops.waitedUntil(clock.now());
    if (until === undefined) {
      await sleep(2);
      continue;
    }
    clock.advance(Math.min(stepMs, until - clock.now()));
    e.tick();
    await new Promise((r) => setImmediate(r));
  }
  return work;
}
