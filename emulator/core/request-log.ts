import type { ApiName } from './router';

export interface RequestLogEntry {
  seq: number;
  /** Virtual time (epoch ms) the request arrived. */
  time: number;
  api: ApiName;
  method: string;
  path: string;
  /** gRPC method for Pub/Sub, e.g. `Publisher/Publish`. */
  rpc?: string;
  write: boolean;
  status: number;
  /** Set when the answer came from fault injection rather than the emulated API. */
  injected?: boolean;
}

/**
 * Every API call the emulator answered, in order. Tests read it to assert API economy
 * ("a second reconcile makes zero writes") and the security suite derives permissions from it.
 */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  record(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  list(filter: { since?: number; api?: ApiName } = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) => (filter.since === undefined || e.seq > filter.since) && (!filter.api || e.api === filter.api),
    );
  }

  /** The sequence number of the latest entry: pass it back as `since` to see only what came after. */
  get mark(): number {
    return this.seq;
  }

  clear(): void {
    this.entries = [];
  }
}
