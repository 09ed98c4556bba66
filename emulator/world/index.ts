import { countryOf } from '../../shared/config/regions';
import type { ComputeService } from '../compute';
import { invalid } from '../core/api-error';
import { isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { EmulatorContext, EmulatorService } from '../core/world';
import type { MonitoringService } from '../monitoring';
import { sampleSeries, type Traffic } from './metrics';
import {
  mixturePercentile,
  type RegionPerformance,
  regionPerformance,
  rttMs,
  seededRandom,
  spreadAnycast,
} from './model';
import { ANYCAST, readTopology, type Topology } from './topology';

/** The region an IP leads to, `anycast` for the global load balancer; undefined when it leads nowhere. */
const routeName = (topo: Topology, ip: string): string | undefined => {
  const route = topo.routes.get(ip);
  return route ? (route.kind === 'regional' ? route.region : ANYCAST) : undefined;
};

import type { LocationSample, RegionSample, WorldEvent, WorldSample, WorldSetup } from './types';

export { ANYCAST } from './topology';
export type { LocationSample, RegionSample, WorldEvent, WorldSample, WorldSetup } from './types';

/** Routing changes are looked for at most this often (virtual ms). */
const POLL_MS = 1_000;
/** Samples and events kept (oldest dropped). */
const KEEP = 20_000;

/** What a location's resolvers hold: the answer, and the one before it until the TTL has passed. */
interface Resolver {
  ips: string[];
  previous: string[];
  /** Each IP's share of the answers when they are not equal (WRR, failover trickle traffic). */
  weights?: Record<string, number>;
  previousWeights?: Record<string, number>;
  changedAt: number;
  ttlMs: number;
}

/** An answer as resolvers hold it: its IPs (sorted) and, when unequal, each IP's share. */
interface Held {
  ips: string[];
  weights?: Record<string, number>;
  ttlMs: number;
}

const heldKey = (h: { ips: string[]; weights?: Record<string, number> }): string =>
  `${h.ips.join()} ${h.weights ? JSON.stringify(h.weights) : ''}`;

/** Each IP's share of an answer with weighted sets (each set's share split equally over its IPs). */
function weightsOf(
  weighted: Array<{ share: number; rrdatas: string[] }> | undefined,
): Record<string, number> | undefined {
  if (!weighted || weighted.length < 2) return undefined;
  const out: Record<string, number> = {};
  for (const w of weighted) for (const ip of w.rrdatas) out[ip] = (out[ip] ?? 0) + w.share / w.rrdatas.length;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

interface WorldState {
  setup: Required<WorldSetup> | null;
  load: Record<string, number>;
  faults: Record<string, number>;
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

  constructor(
    readonly ctx: EmulatorContext,
    readonly compute: ComputeService,
    readonly monitoring: MonitoringService,
  ) {}

  register(router: Router): void {
    this.router = router;
    const base = '/__emulator/world';
    router.add('POST', `${base}/setup`, { api: 'control' }, (req) => {
      this.configure(parseSetup(req.body));
      return { ok: true };
    });
    router.add('POST', `${base}/load`, { api: 'control' }, (req) => {
      const body = isPlainObject(req.body) ? req.body : {};
      if (!isPlainObject(body.locations)) throw invalid("'locations' must map locations to requests/s");
      const load: Record<string, number> = {};
      for (const [k, v] of Object.entries(body.locations)) {
        if (typeof v !== 'number' || !(v >= 0)) throw invalid(`'locations.${k}' must be a number >= 0`);
        load[k] = v;
      }
      this.setLoad(load);
      return { load: this.state.load };
    });
    router.add('POST', `${base}/faults`, { api: 'control' }, (req) => {
      const body = isPlainObject(req.body) ? req.body : {};
      if (
        typeof body.region !== 'string' ||
        typeof body.errorRate !== 'number' ||
        body.errorRate < 0 ||
        body.errorRate > 1
      )
        throw invalid('expected {region, errorRate: 0..1}');
      this.setFault(body.region, body.errorRate);
      return { faults: this.state.faults };
    });
    router.get(`${base}/samples`, 'control', (req) => {
      const since = Number(req.query.get('since') ?? 0);
      return { samples: this.state.samples.filter((s) => s.at > since) };
    });
    router.get(`${base}/events`, 'control', (req) => {
      const since = Number(req.query.get('since') ?? 0);
      return { events: this.state.events.filter((e) => e.at > since) };
    });
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

  /** An application fault: this share of the region's requests fail (0 clears it). */
  setFault(region: string, errorRate: number): void {
    if (errorRate > 0) this.state.faults[region] = errorRate;
    else delete this.state.faults[region];
    this.pushEvent({ at: this.ctx.clock.now(), kind: 'fault', region, errorRate });
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
    const route = this.router?.match('GET', '/__emulator/dns/resolve');
    if (!route) return undefined;
    try {
      const answer = route.handler({
        method: 'GET',
        path: '/__emulator/dns/resolve',
        params: {},
        query: new URLSearchParams({ project: s.project, name: s.recordName, type: 'A', location }),
        body: undefined,
        headers: {},
      }) as { rrdatas?: string[]; ttl?: number; weighted?: Array<{ share: number; rrdatas: string[] }> };
      const weights = weightsOf(answer.weighted);
      return {
        ips: [...(answer.rrdatas ?? [])].sort(),
        ...(weights ? { weights } : {}),
        ttlMs: (answer.ttl ?? 0) * 1000,
      };
    } catch {
      return undefined; // no zone or record yet
    }
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
    const backendOf = new Map(topo.backends.map((b) => [b.region, b]));

    // 1. Each location's requests over the IPs its resolvers hold (the old answer until the TTL passes):
    // to a region's regional Application LB, or to the global one; an IP leading nowhere fails.
    const direct: Record<string, Record<string, number>> = {};
    const unroutable: Record<string, number> = {};
    const anycast: Array<{ location: string; rps: number }> = [];
    const answers: Record<string, string[]> = {};
    for (const location of s.locations) {
      const rps = this.state.load[location] ?? 0;
      const r = this.state.resolvers[location];
      const served: Record<string, number> = {};
      direct[location] = served;
      if (!r) continue;
      const old = r.previous.length > 0 ? Math.max(0, Math.min(1, 1 - (now - r.changedAt) / Math.max(1, r.ttlMs))) : 0;
      let viaAnycast = 0;
      for (const [ips, share, weights] of [
        [r.ips, 1 - old, r.weights],
        [r.previous, old, r.previousWeights],
      ] as const) {
        if (share <= 0 || ips.length === 0) continue;
        for (const ip of ips) {
          const part = rps * share * (weights?.[ip] ?? 1 / ips.length);
          const route = topo.routes.get(ip);
          if (route?.kind === 'anycast') viaAnycast += part;
          else if (route && backendOf.has(route.region)) served[route.region] = (served[route.region] ?? 0) + part;
          else unroutable[location] = (unroutable[location] ?? 0) + part;
        }
      }
      if (viaAnycast > 0) anycast.push({ location, rps: viaAnycast });
      answers[location] = [...new Set(r.ips.map((ip) => routeName(topo, ip) ?? ip))].sort();
    }
    // 2. The global load balancer spreads anycast requests by capacity (capacityScaler applies here).
    const spread = spreadAnycast(
      anycast,
      topo.backends.map((b) => ({
        region: b.region,
        capacity: b.healthy * b.replicaRps * b.capacityScaler,
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
    const vms: Record<string, Array<{ id: string; zone: string }>> = {};
    const inflightOf: Record<string, number> = {};
    for (const b of topo.backends) {
      const clientRps = Object.values(direct).reduce((sum, served) => sum + (served[b.region] ?? 0), 0);
      const rps = clientRps + s.probeRps;
      const jitter = 0.97 + this.random() * 0.06;
      const p = regionPerformance(
        {
          rps,
          healthy: b.healthy,
          replicaRps: b.replicaRps,
          errorRate: this.state.faults[b.region] ?? 0,
          baseLatencyMs: s.baseLatencyMs,
        },
        jitter,
      );
      perf[b.region] = p;
      // The autoscaler's signal: a per-VM metric (in-flight requests, by Little's law rate × latency), or
      // load-balancing utilization. Its recommended size for either (docs/emulator/world.md).
      const inflight = (Math.min(rps, b.healthy * b.replicaRps * 2) * p.p50Ms) / 1000;
      const demand =
        b.scaling.kind === 'metric'
          ? Math.ceil(inflight / b.scaling.targetPerReplica - 1e-9)
          : Math.ceil(rps / (b.replicaRps * b.scaling.target));
      inflightOf[b.region] = inflight;
      if (this.compute.state.demand[b.migPath] !== demand) this.compute.sim.setDemand(b.migPath, demand);
      regions[b.region] = {
        clientRps,
        rps,
        healthy: b.healthy,
        running: b.running,
        target: b.target,
        capacityScaler: b.capacityScaler,
        utilization: Number.isFinite(p.utilization) ? p.utilization : 0,
        errorRatio: p.errorRatio,
        p50Ms: p.p50Ms,
        p95Ms: p.p95Ms,
        demand,
      };
      const health = new Map(this.compute.sim.groupHealth(b.groupPath).map((h) => [h.instance, h.healthState]));
      vms[b.region] = this.compute.sim
        .instancesOf(b.migPath)
        .filter((i) => health.get(this.compute.sim.instanceUrl(i)) === 'HEALTHY')
        .map((i) => ({ id: i.id, zone: i.zone }));
    }

    // 4. What each location saw: shares, errors, latency (the region's plus the network round trip).
    const locations: Record<string, LocationSample> = {};
    for (const location of s.locations) {
      const served = direct[location] ?? {};
      const rps = this.state.load[location] ?? 0;
      const ok = (region: string) => (served[region] ?? 0) * (1 - (regions[region]?.errorRatio ?? 1));
      const parts = (pick: (p: RegionPerformance) => number) =>
        Object.keys(served).map((region) => ({ share: ok(region), ms: pick(perf[region]!) + rttMs(location, region) }));
      const failed = Object.keys(served).reduce((sum, region) => sum + (served[region] ?? 0) - ok(region), 0);
      locations[location] = {
        rps,
        answer: answers[location] ?? [],
        served,
        p50Ms: mixturePercentile(
          parts((p) => p.p50Ms),
          50,
        ),
        p95Ms: mixturePercentile(
          parts((p) => p.p95Ms),
          95,
        ),
        errorRatio: rps > 0 ? Math.min(1, (failed + (unroutable[location] ?? 0)) / rps) : 0,
      };
    }

    const sample: WorldSample = { at: now, intervalSec, regions, locations };
    this.state.samples.push(sample);
    if (this.state.samples.length > KEEP) this.state.samples.splice(0, this.state.samples.length - KEEP);
    this.monitoring.write(
      s.project,
      sampleSeries(
        { project: s.project, topology: topo, sample, perf, startMs, vms, traffic, inflight: inflightOf },
        this.state.lbMetrics,
      ),
    );
  }
}

function parseSetup(body: unknown): WorldSetup {
  if (!isPlainObject(body)) throw invalid('expected a JSON object');
  const { project, recordName, backendService, locations } = body;
  if (typeof project !== 'string' || typeof recordName !== 'string' || typeof backendService !== 'string')
    throw invalid("'project', 'recordName' and 'backendService' are required strings");
  if (!Array.isArray(locations) || !locations.every((l) => typeof l === 'string'))
    throw invalid("'locations' must be a list of region names");
  const num = (k: string): number | undefined => (typeof body[k] === 'number' ? (body[k] as number) : undefined);
  const setup: WorldSetup = { project, recordName, backendService, locations: locations as string[] };
  for (const k of ['sampleSec', 'probeRps', 'baseLatencyMs', 'defaultReplicaRps', 'seed'] as const) {
    const v = num(k);
    if (v !== undefined) setup[k] = v;
  }
  return setup;
}
