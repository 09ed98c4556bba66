import { invalid } from '../core/api-error';
import { clone, isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import { registerDnsRoutes } from './routes';
import { DnsStore } from './store';
import type { DnsState } from './types';

export { distanceKm, GCP_REGIONS, isGcpRegion } from './regions';
export { type GeoAnswer, resolveRRSet } from './resolve';

/**
 * Cloud DNS v1: managed zones, resource record sets (with geo / WRR / primary-backup routing
 * policies) and atomic changes that go `pending` → `done` after `timings.dnsChangeMs`, plus the
 * control route `GET /__emulator/dns/resolve` (which answer a client in a given region gets).
 */
export class DnsService implements EmulatorService {
  readonly name = 'dns';
  private readonly store: DnsStore;

  constructor(readonly ctx: EmulatorContext) {
    this.store = new DnsStore(ctx);
  }

  register(router: Router): void {
    registerDnsRoutes(router, this.store);
  }

  tick(now: number): void {
    this.store.settle(now);
  }

  snapshot(): DnsState {
    return clone(this.store.state);
  }

  restore(state: unknown): void {
    if (!isPlainObject(state) || !isPlainObject(state.projects)) throw invalid('bad Cloud DNS state');
    this.store.load(clone(state) as unknown as DnsState);
  }

  reset(): void {
    this.store.load({ projects: {} });
  }
}
