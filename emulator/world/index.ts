import { countryOf } from '../../shared/config/regions';
import type { ComputeService } from '../compute';
import { isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import type { MonitoringService } from '../monitoring';
import { detectOutliers, type EjectionState, ejectedCounts, poolSizes, type RegionLoadShare } from './ejections';
import { sampleSeries, type Traffic } from './metrics';
import { type RegionPerformance, seededRandom, spreadAnycast } from './model';
import { regionLoad } from './region-load';
import { type Held, heldKey, type Resolver, servedAnswer } from './resolvers';
import { registerWorldRoutes } from './routes';
import { locationSamples, routeLocations, routeName } from './routing';
import { readTopology, type Topology } from './topology';

import type { RegionSample, WorldEvent, WorldSample, WorldSetup } from './types';

export { ANYCAST } from './topology';
export type { LocationSample, RegionSample, WorldEvent, WorldSample, WorldSetup } from './types';

/** Routing changes are looked for at most this often (virtual ms). */
const POLL_MS = 1_000;
/** Samples and events kept (oldest dropped). */
const KEEP = 20_000;

interface WorldState {
  setup: Required<WorldSetup> | null;
  load: Record<string, number>;
  faults: Record<string, number>;
  /** The HTTP status of each fault's errors (default 500: an application error, not a gateway failure). */
  faultStatus: Record<string, number>;
  /** Outlier detection: backend service → VM → ejection record (emulator/world/ejections.ts). */
  ejections: EjectionState;
  lbMetrics: boolean;
  resolvers: Record<string, Resolver>;
  seen: { scalers: Record<string, number>; replicas: Record<string, string> };
  lastSampleAt: number;
  samples: WorldSample[];
  events: WorldEvent[];
}

const empty = (): WorldState => ({
  setup: null,
  load: {},
  faults: {},
  faultStatus: {},
  ejections: {},
  lbMetrics: true,
  resolvers: {},
  seen: { scalers: {}, replicas: {} },
  lastSampleAt: 0,
  samples: [],
  events: [],
});

/**
 * The world around the stack: clients in each location send load, resolve the geo record as Cloud
 * DNS serves it (with their resolvers' TTL), reach a regional entry point or the global load balancer,
 * and are served by the healthy RUNNING VMs there. Every sample it writes what Google would measure
 * (load-balancer request counts and latencies, GPU utilization) plus the per-location load georoute
 * reads, feeds the autoscalers' utilization demand, and records what it routed where.
 * Nothing happens until `configure` (or `POST /__emulator/world/setup`).
 */
export class WorldService implements EmulatorService {
  readonly name = 'world';
  private state: WorldState = empty();
  private router?: Router;
  private lastPollAt = Number.NEGATIVE_INFINITY;
  private random = seededRandom(1);
  /** Outlier detection's dice: its own stream, so turning it on leaves the latency jitter as it was. */
  private dice = seededRandom(0x0d1);

  constructor(
    readonly ctx: EmulatorContext,
    readonly compute: ComputeService,
    readonly monitoring: MonitoringService,
  ) {}

  register(router: Router): void {
    this.router = router;
    registerWorldRoutes(router, this);
  }

  /** Starts the simulation for a stack. Samples begin one interval from now. */
  configure(setup: WorldSetup): void {
    this.state = {
      ...empty(),
      setup: {
        sampleSec: 30,
        probeRps: 0.2,
        baseLatencyMs: 800,
        defaultReplicaRps: 4,
        seed: 1,
        ...setup,
      },
      lastSampleAt: this.ctx.clock.now(),
    };
    this.random = seededRandom(this.state.setup!.seed);
    this.dice = seededRandom(this.state.setup!.seed ^ 0x0d1);
    this.lastPollAt = Number.NEGATIVE_INFINITY;
    this.poll(this.ctx.clock.now());
  }

  get setup(): Readonly<Required<WorldSetup>> | null {
    return this.state.setup;
  }

  /** Requests/s per client location (merged into the current load). */
  setLoad(load: Record<string, number>): void {
    const now = this.ctx.clock.now();
    for (const [location, rps] of Object.entries(load)) {
      if (this.state.load[location] === rps) continue;
      this.state.load[location] = rps;
      this.pushEvent({ at: now, kind: 'load', location, rps });
    }
  }

  /**
   * An application fault: this share of the region's client requests fail with `status` (default 500),
   * while its health checks still pass (0 clears it). 502/503/504 count as gateway failures for
   * outlier detection; other 5xx only as errors.
   */
  setFault(region: string, errorRate: number, status = 500): void {
    if (errorRate > 0) {
      this.state.faults[region] = errorRate;
      this.state.faultStatus[region] = status;
    } else {
      delete this.state.faults[region];
      delete this.state.faultStatus[region];
    }
    this.pushEvent({ at: this.ctx.clock.now(), kind: 'fault', region, errorRate, status });
  }

  get faults(): Readonly<Record<string, number>> {
    return this.state.faults;
  }

  /** Outlier detection's records: backend service path → VM name → `{ejections, ejectedAt, ejectedUntil, reason}`. */
  get ejections(): Readonly<EjectionState> {
    return this.state.ejections;
  }

  /** Writing the load balancer's metrics can be paused (e.g. while the stack warms up). */
  setLbMetrics(enabled: boolean): void {
    this.state.lbMetrics = enabled;
  }

  get load(): Readonly<Record<string, number>> {
    return this.state.load;
  }

  get samples(): readonly WorldSample[] {
    return this.state.samples;
  }

  get events(): readonly WorldEvent[] {
    return this.state.events;
  }

  tick(now: number): void {
    if (!this.state.setup) return;
    if (now - this.lastPollAt >= POLL_MS) this.poll(now);
    const setup = this.state.setup;
    if (now - this.state.lastSampleAt >= setup.sampleSec * 1000) this.sample(now);
  }

  snapshot(): unknown {
    return JSON.parse(JSON.stringify(this.state));
  }

  restore(saved: unknown): void {
    if (isPlainObject(saved))
      this.state = { ...empty(), ...(JSON.parse(JSON.stringify(saved)) as Partial<WorldState>) };
  }

  reset(): void {
    this.state = empty();
  }

  private pushEvent(e: WorldEvent): void {
    this.state.events.push(e);
    if (this.state.events.length > KEEP) this.state.events.splice(0, this.state.events.length - KEEP);
  }

  private topology(): Topology {
    const s = this.state.setup!;
    return readTopology(this.compute, s.project, s.backendService, s.defaultReplicaRps);
  }

  /** What Cloud DNS serves a location now (through the DNS service's own geo query). */
  private resolve(location: string): Held | undefined {
    const s = this.state.setup!;
    return this.router ? servedAnswer(this.router, s.project, s.recordName, location) : undefined;
  }

  /** Notices routing changes: backends' scalers, served DNS answers, replicas. */
  private poll(now: number): void {
    this.lastPollAt = now;
    const s = this.state.setup!;
    const topo = this.topology();
    const regionsOf = (ips: string[]) => [...new Set(ips.map((ip) => routeName(topo, ip) ?? `?${ip}`))].sort();
    for (const b of topo.backends) {
      const before = this.state.seen.scalers[b.region];
      if (before !== undefined && before !== b.capacityScaler)
        this.pushEvent({ at: now, kind: 'scaler', region: b.region, from: before, to: b.capacityScaler });
      this.state.seen.scalers[b.region] = b.capacityScaler;
      const key = `${b.healthy}/${b.running}/${b.target}`;
      if (this.state.seen.replicas[b.region] !== key)
        this.pushEvent({
          at: now,
          kind: 'replicas',
          region: b.region,
          healthy: b.healthy,
          running: b.running,
          target: b.target,
        });
      this.state.seen.replicas[b.region] = key;
    }
    for (const location of s.locations) {
      const answer = this.resolve(location);
      if (!answer) continue;
      const r = this.state.resolvers[location];
      if (!r) {
        this.state.resolvers[location] = { ...answer, previous: [], changedAt: now };
        continue;
      }
      if (heldKey(r) === heldKey(answer)) continue;
      this.pushEvent({ at: now, kind: 'dns', location, from: regionsOf(r.ips), to: regionsOf(answer.ips) });
      this.state.resolvers[location] = {
        ...answer,
        previous: r.ips,
        ...(r.weights ? { previousWeights: r.weights } : {}),
        changedAt: now,
      };
    }
  }

  private sample(now: number): void {
    this.poll(now);
    const s = this.state.setup!;
    const topo = this.topology();
    const intervalSec = (now - this.state.lastSampleAt) / 1000;
    const startMs = this.state.lastSampleAt;
    this.state.lastSampleAt = now;
    // The VMs each region serves with (passing their health check), and how many of them were in each
    // load balancer's pool over the interval (outlier detection ejects some: emulator/world/ejections.ts).
    const vms: Record<string, Array<{ name: string; id: string; zone: string }>> = {};
    for (const b of topo.backends) {
      const health = new Map(this.compute.sim.groupHealth(b.groupPath).map((h) => [h.instance, h.healthState]));
      vms[b.region] = this.compute.sim
        .instancesOf(b.migPath)
        .filter((i) => health.get(this.compute.sim.instanceUrl(i)) === 'HEALTHY')
        .sort((x, y) => x.name.localeCompare(y.name))
        .map((i) => ({ name: i.name, id: i.id, zone: i.zone }));
    }
    const endpoints = Object.fromEntries(Object.entries(vms).map(([r, list]) => [r, list.map((v) => v.name)]));
    const pools = poolSizes(topo, this.state.ejections, endpoints, startMs, now);

    // 1. Each location's requests over the IPs its resolvers hold (the old answer until the TTL passes):
    // to a region's regional Application LB, or to the global one; an IP leading nowhere fails.
    const { direct, unroutable, anycast, answers } = routeLocations(s.locations, this.state, topo, now);
    // 2. The global load balancer spreads anycast requests by capacity (capacityScaler applies here).
    const spread = spreadAnycast(
      anycast,
      topo.backends.map((b) => ({
        region: b.region,
        capacity: (pools[b.region]?.global ?? b.healthy) * b.replicaRps * b.capacityScaler,
        healthy: b.healthy,
        capacityScaler: b.capacityScaler,
      })),
    );
    // Requests per path, region and client country: what each load balancer's request_count counts.
    const traffic: Traffic = { regional: {}, global: {} };
    const count = (path: 'regional' | 'global', region: string, location: string, rps: number) => {
      const byCountry = traffic[path][region] ?? {};
      traffic[path][region] = byCountry;
      const country = countryOf(location) ?? location;
      byCountry[country] = (byCountry[country] ?? 0) + rps;
    };
    for (const [location, byRegion] of Object.entries(direct))
      for (const [region, rps] of Object.entries(byRegion)) count('regional', region, location, rps);
    for (const [location, byRegion] of Object.entries(spread)) {
      const served = direct[location]!;
      for (const [region, rps] of Object.entries(byRegion)) {
        served[region] = (served[region] ?? 0) + rps;
        count('global', region, location, rps);
      }
    }
    // The prober hits every region's own entry point.
    for (const b of topo.backends) count('regional', b.region, b.region, s.probeRps);

    // 3. Per region: queueing, errors, demand for the autoscaler.
    const regions: Record<string, RegionSample> = {};
    const perf: Record<string, RegionPerformance> = {};
    const loads: Record<string, RegionLoadShare> = {};
    const inflightOf: Record<string, number> = {};
    const sum = (byCountry: Record<string, number> | undefined) =>
      Object.values(byCountry ?? {}).reduce((a, v) => a + v, 0);
    for (const b of topo.backends) {
      const clientRps = Object.values(direct).reduce((sum, served) => sum + (served[b.region] ?? 0), 0);
      const out = regionLoad({
        backend: b,
        clientRps,
        rps: clientRps + s.probeRps,
        regionalRps: sum(traffic.regional[b.region]),
        globalRps: sum(traffic.global[b.region]),
        pools: pools[b.region] ?? { regional: b.healthy, global: b.healthy },
        fault: this.state.faults[b.region] ?? 0,
        faultStatus: this.state.faultStatus[b.region] ?? 500,
        baseLatencyMs: s.baseLatencyMs,
        jitter: 0.97 + this.random() * 0.06,
      });
      regions[b.region] = out.sample;
      perf[b.region] = out.perf;
      loads[b.region] = out.load;
      inflightOf[b.region] = out.inflight;
      if (this.compute.state.demand[b.migPath] !== out.demand) this.compute.sim.setDemand(b.migPath, out.demand);
    }
    // Outlier detection of each backend service over this interval: ejections apply from now on.
    for (const e of detectOutliers(topo, this.state.ejections, endpoints, loads, startMs, now, this.dice))
      this.pushEvent(e);
    for (const [region, counts] of Object.entries(ejectedCounts(topo, this.state.ejections, endpoints, now))) {
      const r = regions[region];
      if (r) r.ejected = counts;
    }

    // 4. What each location saw: shares, errors, latency (the region's plus the network round trip).
    const locations = locationSamples(s.locations, this.state.load, { direct, unroutable, answers }, regions, perf);

    const sample: WorldSample = { at: now, intervalSec, regions, locations };
    this.state.samples.push(sample);
    if (this.state.samples.length > KEEP) this.state.samples.splice(0, this.state.samples.length - KEEP);
    this.monitoring.write(
      s.project,
      sampleSeries(
        {
          project: s.project,
          topology: topo,
          sample,
          perf,
          startMs,
          vms,
          traffic,
          inflight: inflightOf,
          faultStatus: this.state.faultStatus,
        },
        this.state.lbMetrics,
      ),
    );
  }
}
