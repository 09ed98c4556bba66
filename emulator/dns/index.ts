import { invalid } from '../core/api-error';
import { clone, isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import { type DnsHealthSource, EndpointProber } from './health';
import { registerDnsRoutes } from './routes';
import { DnsStore } from './store';
import type { DnsState } from './types';

export type { DnsHealthCheck, DnsHealthSource, ProbeResult } from './health';
export { distanceKm, GCP_REGIONS, isGcpRegion } from './regions';
export { type GeoAnswer, type HealthOf, resolveRRSet } from './resolve';
export type { EndpointHealth } from './types';

/**
 * Cloud DNS v1: managed zones, resource record sets (with geo / WRR / primary-backup routing
 * policies) and atomic changes that go `pending` → `done` after `timings.dnsChangeMs`; external
 * endpoints of routing policies health-checked on the virtual clock (emulator/dns/health.ts); control
 * routes `GET /__emulator/dns/resolve` (which answer a client in a given region gets) and
 * `GET /__emulator/dns/health` (each probed endpoint's state).
 */
export class DnsService implements EmulatorService {
  readonly name = 'dns';
  private readonly store: DnsStore;
  private readonly prober: EndpointProber;

  constructor(readonly ctx: EmulatorContext) {
    this.store = new DnsStore(ctx);
    this.prober = new EndpointProber(() => this.store.state);
  }

  /**
   * Where probes of external endpoints go (the emulator wires Compute's health checks and the world's
   * load balancers). Without a source nothing is probed and every target is answered.
   */
  setHealthSource(source: DnsHealthSource | undefined): void {
    this.prober.setSource(source);
  }

  register(router: Router): void {
    registerDnsRoutes(router, this.store, this.prober);
  }

  tick(now: number): void {
    this.store.settle(now);
    this.prober.run(now);
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
