import type { FaultRule } from './core/faults';
import type { RequestLogEntry } from './core/request-log';

/**
 * A typed client of the emulator's control API (`/__emulator/…`), for tests, the demo and scripts
 * that talk to an emulator running in another process. Uses only `fetch`.
 */
export class EmulatorControl {
  constructor(readonly restUrl: string) {}

  async health(): Promise<boolean> {
    try {
      return (await this.call<{ ok: boolean }>('GET', '/__emulator/health')).ok;
    } catch {
      return false;
    }
  }

  clock(): Promise<{ now: number; iso: string; speed: number }> {
    return this.call('GET', '/__emulator/clock');
  }

  /** Moves virtual time forward and runs everything that became due (VM boots, alerts, deliveries). */
  advance(ms: number): Promise<{ now: number }> {
    return this.call('POST', '/__emulator/clock', { advanceMs: ms });
  }

  setClockSpeed(speed: number): Promise<{ now: number }> {
    return this.call('POST', '/__emulator/clock', { speed });
  }

  async addFault(rule: FaultRule): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/__emulator/faults', rule)).id;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/__emulator/faults');
  }

  /** Requests answered since `since` (a `mark`), optionally for one API. */
  requests(options: { since?: number; api?: string } = {}): Promise<{ mark: number; requests: RequestLogEntry[] }> {
    const q = new URLSearchParams();
    if (options.since !== undefined) q.set('since', String(options.since));
    if (options.api) q.set('api', options.api);
    return this.call('GET', `/__emulator/requests?${q}`);
  }

  async mark(): Promise<number> {
    return (await this.requests({ since: Number.MAX_SAFE_INTEGER })).mark;
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__emulator/reset');
  }

  /** Any control route, e.g. `call('POST', '/__emulator/compute/stockouts', {...})`. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.restUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
