import { VirtualClock } from './clock';
import { Faults } from './faults';
import { type RateLimits, RateQuota } from './rate-quota';
import { RequestLog } from './request-log';
import type { Router } from './router';
import { resolveTimings, type Timings } from './timings';

/** What every emulated service gets: one clock, one fault table, one request log. */
export interface EmulatorContext {
  clock: VirtualClock;
  faults: Faults;
  /** Compute's per-project request-rate quotas (none until set). */
  rateQuota: RateQuota;
  log: RequestLog;
  timings: Timings;
  scheduler: Scheduler;
  random: () => number;
}

/** One emulated API. Its state must be plain JSON so `--state FILE` can save and restore it. */
export interface EmulatorService {
  readonly name: string;
  /** Registers the service's REST routes (and its `/__emulator/<name>/…` control routes). */
  register(router: Router): void;
  /** Advances the simulation to virtual time `now`. Called often; must be cheap when idle. */
  tick?(now: number): void;
  snapshot?(): unknown;
  restore?(state: unknown): void;
  /** Drops all state (control API `POST /__emulator/reset`). */
  reset?(): void;
  close?(): Promise<void>;
}

/** Timers on the virtual clock. Fired by the world's tick loop (and at once by `clock:advance`). */
export class Scheduler {
  private timers: Array<{ at: number; fn: () => void; seq: number }> = [];
  private seq = 0;

  at(time: number, fn: () => void): void {
    this.timers.push({ at: time, fn, seq: ++this.seq });
  }

  /** Fires every timer due at `now`, in time order. Timers a fired timer adds for ≤ now also fire. */
  runDue(now: number): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        if (t.at > now) continue;
        const best = next >= 0 ? this.timers[next]! : undefined;
        if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) next = i;
      }
      if (next < 0) return;
      const [timer] = this.timers.splice(next, 1);
      timer!.fn();
    }
  }

  clear(): void {
    this.timers = [];
  }

  get size(): number {
    return this.timers.length;
  }
}

export function createContext(options: {
  timings?: Partial<Timings>;
  clockSpeed?: number;
  startTime?: number;
  random?: () => number;
  rateQuota?: RateLimits;
}): EmulatorContext {
  const rateQuota = new RateQuota();
  if (options.rateQuota) rateQuota.set(options.rateQuota);
  return {
    rateQuota,
    clock: new VirtualClock({ speed: options.clockSpeed, start: options.startTime }),
    faults: new Faults(options.random),
    log: new RequestLog(),
    timings: resolveTimings(options.timings),
    scheduler: new Scheduler(),
    random: options.random ?? Math.random,
  };
}
