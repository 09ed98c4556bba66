import http from 'node:http';
import https from 'node:https';
import type { EmulatorContext } from '../core/world';
import type { PubsubEngine, Received } from './engine';
import type { SubscriptionState } from './model';
import { buildPushRequest } from './push-format';

/** Statuses Google's push counts as an ack; anything else (or no answer) is a nack. */
const ACK_STATUSES = new Set([102, 200, 201, 202, 204]);

/**
 * Delivers push subscriptions over HTTP. At most `maxInFlight` requests per subscription, each on
 * its own connection, so a slow endpoint never blocks another subscription.
 */
export class PushDeliverer {
  private readonly inFlight = new Map<SubscriptionState, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly requests = new Set<http.ClientRequest>();
  /** Per endpoint: when its (simulated) instance was last used, and when a cold one is ready. */
  private readonly endpoints = new Map<string, { lastUsed: number; readyAt: number }>();
  private closed = false;

  constructor(
    private readonly engine: PubsubEngine,
    private readonly ctx: EmulatorContext,
    private readonly maxInFlight = 16,
  ) {
    engine.pushHook = (sub) => this.pump(sub);
  }

  pump(sub: SubscriptionState): void {
    if (this.closed) return;
    const room = this.maxInFlight - (this.inFlight.get(sub) ?? 0);
    if (room <= 0 || this.engine.firstDeliverableAt(sub) === undefined) return;
    if (!this.warm(sub)) return;
    // Push leases end with the HTTP exchange, not on the clock.
    for (const r of this.engine.take(sub, room, Number.POSITIVE_INFINITY, 'push')) this.send(sub, r);
  }

  /**
   * Whether the endpoint can take a request now. One that got no request for `coldStartIdleMs` has
   * scaled to zero: the first delivery waits `coldStartMs` (virtual) for an instance to start,
   * counted from when that delivery was first due (a clock jump does not delay it further).
   */
  private warm(sub: SubscriptionState): boolean {
    const { coldStartMs, coldStartIdleMs } = this.ctx.timings;
    const now = this.ctx.clock.now();
    const url = sub.config.pushConfig.pushEndpoint;
    const wantedAt = Math.min(now, this.engine.firstDeliverableAt(sub) ?? now);
    let ep = this.endpoints.get(url);
    if (!ep || (ep.readyAt <= ep.lastUsed && wantedAt - ep.lastUsed >= coldStartIdleMs)) {
      ep = { lastUsed: wantedAt, readyAt: wantedAt + coldStartMs };
      this.endpoints.set(url, ep);
      if (ep.readyAt > now) this.ctx.scheduler.at(ep.readyAt, () => this.engine.service(sub));
    }
    if (now < ep.readyAt) return false;
    ep.lastUsed = now;
    return true;
  }

  /** Resolves when every request in flight now (and any they lead to at once) has been answered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Push requests waiting for their endpoint's answer now. */
  get inFlightCount(): number {
    return this.pending.size;
  }

  close(): void {
    this.closed = true;
    for (const req of this.requests) req.destroy();
    this.requests.clear();
  }

  private send(sub: SubscriptionState, received: Received): void {
    this.inFlight.set(sub, (this.inFlight.get(sub) ?? 0) + 1);
    const done = this.post(sub, received).then((ok) => {
      this.inFlight.set(sub, (this.inFlight.get(sub) ?? 1) - 1);
      const ep = this.endpoints.get(sub.config.pushConfig.pushEndpoint);
      if (ep) ep.lastUsed = Math.max(ep.lastUsed, this.ctx.clock.now());
      this.pending.delete(done);
      if (!this.closed) this.engine.settlePush(sub, received.ackId, ok);
    });
    this.pending.add(done);
  }

  /** One POST. The timeout is the ack deadline in real seconds: the endpoint's work is real time. */
  private post(sub: SubscriptionState, received: Received): Promise<boolean> {
    const config = sub.config;
    const { headers, body } = buildPushRequest(config, received, this.ctx.clock.now());
    return new Promise((resolve) => {
      let settled = false;
      const finish = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        this.requests.delete(req);
        resolve(ok);
      };
      let url: URL;
      try {
        url = new URL(config.pushConfig.pushEndpoint);
      } catch {
        resolve(false);
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      const req = transport.request(url, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        agent: false,
        timeout: config.ackDeadlineSeconds * 1000,
      });
      this.requests.add(req);
      req.on('response', (res) => {
        res.resume();
        finish(ACK_STATUSES.has(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('push deadline exceeded')));
      req.on('error', () => finish(false));
      req.on('close', () => finish(false));
      req.end(body);
    });
  }
}
