import { effectiveServers, type RegionLoadShare, withStranded } from './ejections';
import { type RegionPerformance, regionPerformance } from './model';
import type { RegionBackend } from './topology';
import type { RegionSample } from './types';

/** One region over one interval: what reached it and through which load balancer. */
export interface RegionInput {
  backend: RegionBackend;
  /** Client requests/s (both load balancers) and all requests/s (clients and probes). */
  clientRps: number;
  rps: number;
  /** Requests/s through its regional and through the global load balancer (probes included). */
  regionalRps: number;
  globalRps: number;
  /** VMs in each load balancer's pool over the interval (outlier detection: emulator/world/ejections.ts). */
  pools: { regional: number; global: number };
  /** Injected fault: share of requests failing, and their status. */
  fault: number;
  faultStatus: number;
  baseLatencyMs: number;
  jitter: number;
}

export interface RegionOutput {
  sample: RegionSample;
  perf: RegionPerformance;
  /** What outlier detection sees of it. */
  load: RegionLoadShare;
  /** In-flight requests (the per-VM autoscaling metric's source) and the autoscaler's recommended size. */
  inflight: number;
  demand: number;
}

/**
 * A region as a queue (emulator/world/model.ts) with the servers its load balancers' pools leave it;
 * errors split into the load balancer's 503s (shed, no endpoint) and the fault's own status; the
 * autoscaler's demand from its signal.
 */
export function regionLoad(input: RegionInput): RegionOutput {
  const b = input.backend;
  const { servers, stranded } = effectiveServers(b.healthy, input.regionalRps, input.globalRps, input.pools);
  const perf = withStranded(
    regionPerformance(
      {
        rps: input.rps - stranded,
        healthy: servers,
        replicaRps: b.replicaRps,
        errorRate: input.fault,
        baseLatencyMs: input.baseLatencyMs,
      },
      input.jitter,
    ),
    input.rps,
    stranded,
  );
  // consecutiveGatewayFailure counts 502/503/504 (and connection errors mapped to them): the shed
  // requests, and the fault's when it answers one of those.
  const gatewayFault = input.faultStatus >= 502 && input.faultStatus <= 504 ? perf.errorRatio - perf.shedRatio : 0;
  const load = {
    regionalRps: input.regionalRps,
    globalRps: input.globalRps,
    errorShare: perf.errorRatio,
    gatewayShare: perf.shedRatio + gatewayFault,
  };
  // The autoscaler's signal: a per-VM metric (in-flight requests, by Little's law rate × latency), or
  // load-balancing utilization. Its recommended size for either (docs/emulator/world.md). Only serving
  // VMs report the metric: "the autoscaler ignores data from VMs that are still initializing"
  // (`coolDownPeriodSec`, https://cloud.google.com/compute/docs/reference/rest/v1/autoscalers), so the
  // group is sized from the reporting VMs' average — booting VMs are neither counted as idle nor
  // dropped from the group's size. With none reporting Google documents no behaviour; the twin's
  // reading is no recommendation (the group keeps its size), not "zero demand".
  const inflight = (Math.min(input.rps, b.healthy * b.replicaRps * 2) * perf.p50Ms) / 1000;
  const demand =
    b.scaling.kind === 'metric'
      ? b.healthy > 0
        ? Math.ceil((Math.max(b.target, b.healthy) * inflight) / b.healthy / b.scaling.targetPerReplica - 1e-9)
        : b.target
      : Math.ceil(input.rps / (b.replicaRps * b.scaling.target));
  const sample: RegionSample = {
    clientRps: input.clientRps,
    rps: input.rps,
    healthy: b.healthy,
    running: b.running,
    target: b.target,
    capacityScaler: b.capacityScaler,
    utilization: Number.isFinite(perf.utilization) ? perf.utilization : 0,
    errorRatio: perf.errorRatio,
    p50Ms: perf.p50Ms,
    p95Ms: perf.p95Ms,
    demand,
    ejected: { regional: 0, global: 0 },
  };
  return { sample, perf, load, inflight, demand };
}
