import { countryOf } from '../../shared/config/regions';
import type { RegionPerformance } from './model';
import type { FrontEnd, RegionBackend, Topology } from './topology';
import type { WorldSample } from './types';

/**
 * What Google's load balancers record (https://cloud.google.com/monitoring/api/metrics_gcp): the global
 * external Application LB on `https_lb_rule`, each regional external Application LB on
 * `http_external_regional_lb_rule` (https://cloud.google.com/monitoring/api/resources).
 */
const GLOBAL_REQUESTS = 'loadbalancing.googleapis.com/https/request_count';
const GLOBAL_BACKEND_REQUESTS = 'loadbalancing.googleapis.com/https/backend_request_count';
const GLOBAL_LATENCIES = 'loadbalancing.googleapis.com/https/backend_latencies';
const REGIONAL_REQUESTS = 'loadbalancing.googleapis.com/https/external/regional/request_count';
const REGIONAL_LATENCIES = 'loadbalancing.googleapis.com/https/external/regional/backend_latencies';
const GPU = 'agent.googleapis.com/gpu/utilization';

type Series = Record<string, unknown>;

/** Exponential buckets as Google uses for latencies: bounds 1.4^i ms. */
const BUCKETS = { exponentialBuckets: { numFiniteBuckets: 40, growthFactor: 1.4, scale: 1 } };

function bucketOf(ms: number): number {
  if (ms < 1) return 0;
  return Math.min(41, 1 + Math.floor(Math.log(ms) / Math.log(1.4)));
}

/** A latency histogram of `n` requests shaped by the model's percentiles (50 / 45 / 4 / 1 %). */
export function latencyDistribution(n: number, perf: RegionPerformance): Record<string, unknown> {
  const parts: Array<[number, number]> = [
    [0.5, perf.p50Ms * 0.85],
    [0.45, (perf.p50Ms + perf.p95Ms) / 2],
    [0.04, perf.p95Ms],
    [0.01, perf.p99Ms],
  ];
  const counts = new Array<number>(42).fill(0);
  let assigned = 0;
  const values: Array<[number, number]> = [];
  for (const [share, ms] of parts.slice(1)) {
    const c = Math.round(n * share);
    counts[bucketOf(ms)]! += c;
    values.push([c, ms]);
    assigned += c;
  }
  const first = parts[0]!;
  counts[bucketOf(first[1])]! += n - assigned;
  values.push([n - assigned, first[1]]);
  const mean = values.reduce((s, [c, ms]) => s + c * ms, 0) / Math.max(1, n);
  const ssd = values.reduce((s, [c, ms]) => s + c * (ms - mean) ** 2, 0);
  return {
    count: String(n),
    mean,
    sumOfSquaredDeviation: ssd,
    bucketOptions: BUCKETS,
    bucketCounts: counts.map(String),
  };
}

/** Client requests/s per path, region and client country over one sample. */
export interface Traffic {
  regional: Record<string, Record<string, number>>;
  global: Record<string, Record<string, number>>;
}

export interface SampleInput {
  project: string;
  topology: Topology;
  sample: WorldSample;
  perf: Record<string, RegionPerformance>;
  startMs: number;
  vms: Record<string, Array<{ id: string; zone: string }>>;
  traffic: Traffic;
  /** Requests in flight per region (spread over its serving VMs for the per-VM metric). */
  inflight: Record<string, number>;
  /** The HTTP status of each region's injected fault errors (absent: 500). */
  faultStatus?: Record<string, number>;
}

/**
 * The Monitoring series of one sample, as Google records them: per region and load balancer the request
 * counts by response class and client country and the backend latencies (what georoute's alert policies
 * watch and what observe reads demand from); per serving VM the autoscaling metric its agent writes
 * (when the region's autoscaler scales on one) and GPU utilization.
 */
export function sampleSeries(input: SampleInput, lbMetrics: boolean): Series[] {
  const { project, topology, sample, perf, startMs } = input;
  const delta = { startTime: startMs, endTime: sample.at };
  const gauge = { startTime: sample.at, endTime: sample.at };
  const out: Series[] = [];
  for (const b of topology.backends) {
    const r = sample.regions[b.region];
    const p = perf[b.region];
    if (!r || !p) continue;
    // Errors by status: the load balancer's 503 for what it shed or could not place, the fault's own status.
    const codes = {
      error: r.errorRatio,
      shed: Math.min(r.errorRatio, p.shedRatio),
      status: input.faultStatus?.[b.region] ?? 500,
    };
    if (lbMetrics) {
      const regional = regionalFrontEnd(topology, b.region);
      if (regional) {
        const resource = lbResource('http_external_regional_lb_rule', project, b, regional, b.region);
        out.push(...requestCounts(REGIONAL_REQUESTS, resource, input.traffic.regional[b.region], codes, sample, true));
        out.push(...latencies(REGIONAL_LATENCIES, resource, input.traffic.regional[b.region], r.errorRatio, sample, p));
      }
      if (topology.global) {
        const resource = lbResource('https_lb_rule', project, b, topology.global, 'global');
        const byCountry = input.traffic.global[b.region];
        out.push(...requestCounts(GLOBAL_REQUESTS, resource, byCountry, codes, sample, true));
        // backend_request_count carries no client_country (metrics_gcp): both classes always written,
        // so a 5xx ratio is defined while the region serves nothing through the global LB.
        const total = Object.values(byCountry ?? {}).reduce((s2, v) => s2 + v, 0);
        out.push(...requestCounts(GLOBAL_BACKEND_REQUESTS, resource, { '': total }, codes, sample, false));
        out.push(...latencies(GLOBAL_LATENCIES, resource, byCountry, r.errorRatio, sample, p));
      }
    }
    const serving = input.vms[b.region] ?? [];
    const util = Math.min(100, Math.max(0, r.utilization * 100));
    for (const vm of serving) {
      const vmResource = { type: 'gce_instance', labels: { project_id: project, instance_id: vm.id, zone: vm.zone } };
      out.push(gaugeSeries(GPU, { gpu_number: '0', model: 'NVIDIA L4' }, vmResource, gauge, util));
      if (b.scaling.kind === 'metric')
        out.push(
          gaugeSeries(b.scaling.metric, {}, vmResource, gauge, (input.inflight[b.region] ?? 0) / serving.length),
        );
    }
  }
  return out;
  function gaugeSeries(
    type: string,
    labels: Record<string, string>,
    resource: unknown,
    interval: unknown,
    v: number,
  ): Series {
    return {
      metric: { type, labels },
      resource,
      metricKind: 'GAUGE',
      valueType: 'DOUBLE',
      points: [{ interval, value: { doubleValue: v } }],
    };
  }
  function requestCounts(
    type: string,
    resource: unknown,
    byCountry: Record<string, number> | undefined,
    codes: { error: number; shed: number; status: number },
    s: WorldSample,
    withCountry: boolean,
  ): Series[] {
    const series: Series[] = [];
    for (const [country, rps] of Object.entries(byCountry ?? {})) {
      const total = Math.round(rps * s.intervalSec);
      const errors = Math.min(total, Math.round(total * codes.error));
      const shed = Math.min(errors, Math.round(total * codes.shed));
      const faulty = errors - shed;
      // 200 and 503 always written (a defined error share at zero traffic); the fault's status when it has one.
      const rows: Array<[string, string, number]> = [
        ['200', '200', total - errors],
        ['500', '503', shed + (codes.status === 503 ? faulty : 0)],
      ];
      if (codes.status !== 503 && faulty > 0)
        rows.push([String(Math.floor(codes.status / 100) * 100), String(codes.status), faulty]);
      for (const [cls, code, n] of rows) {
        const labels: Record<string, string> = {
          response_code_class: cls,
          response_code: code,
          protocol: 'HTTP/1.1',
          cache_result: 'DISABLED',
        };
        if (withCountry) labels.client_country = country;
        series.push({
          metric: { type, labels },
          resource,
          metricKind: 'DELTA',
          valueType: 'INT64',
          points: [{ interval: delta, value: { int64Value: String(n) } }],
        });
      }
    }
    return series;
  }
  function latencies(
    type: string,
    resource: unknown,
    byCountry: Record<string, number> | undefined,
    errorRatio: number,
    s: WorldSample,
    p: RegionPerformance,
  ): Series[] {
    const ok = Math.round(Object.values(byCountry ?? {}).reduce((a, v) => a + v, 0) * s.intervalSec * (1 - errorRatio));
    if (ok <= 0) return [];
    return [
      {
        metric: { type, labels: { response_code_class: '200', protocol: 'HTTP/1.1' } },
        resource,
        metricKind: 'DELTA',
        valueType: 'DISTRIBUTION',
        points: [{ interval: delta, value: { distributionValue: latencyDistribution(ok, p) } }],
      },
    ];
  }
}

/** The regional front end of a region (its regional Application LB), if it has one. */
function regionalFrontEnd(topology: Topology, region: string): FrontEnd | undefined {
  for (const route of topology.routes.values())
    if (route.kind === 'regional' && route.region === region) return route.frontEnd;
  return undefined;
}

/** The monitored resource of a load balancer's series for one backend (labels as metrics_gcp lists them). */
function lbResource(type: string, project: string, b: RegionBackend, f: FrontEnd, region: string) {
  return {
    type,
    labels: {
      project_id: project,
      region,
      ...(type === 'http_external_regional_lb_rule' ? { network_name: f.network } : {}),
      url_map_name: f.urlMap,
      target_proxy_name: f.targetProxy,
      forwarding_rule_name: f.forwardingRule,
      matched_url_path_rule: 'UNMATCHED',
      backend_target_name: f.backendService,
      backend_target_type: 'BACKEND_SERVICE',
      backend_name: b.migName,
      backend_type: 'INSTANCE_GROUP',
      backend_scope: b.region,
      backend_scope_type: 'REGION',
    },
  };
}

/**
 * Client demand as a regional Application LB would have counted it: `request_count` per client country,
 * one point a minute for the last ten minutes at `rpsByLocation`. For tests and benchmarks that set the
 * load directly instead of running the world simulation (only the twin itself may write Google's
 * metrics: the API refuses built-in metric types).
 */
export function recordedDemand(
  project: string,
  at: { region: string; forwardingRule: string },
  rpsByLocation: Record<string, number>,
  now: number,
): Series[] {
  const byCountry: Record<string, number> = {};
  for (const [location, rps] of Object.entries(rpsByLocation)) {
    const country = countryOf(location) ?? location;
    byCountry[country] = (byCountry[country] ?? 0) + rps;
  }
  // Points end on whole minutes: a later call replaces them (same end time) instead of adding
  // overlapping deltas that would count the same minute twice.
  const minute = Math.floor(now / 60_000) * 60_000;
  return Object.entries(byCountry).map(([country, rps]) => ({
    metric: {
      type: REGIONAL_REQUESTS,
      labels: { client_country: country, response_code_class: '200', response_code: '200', protocol: 'HTTP/1.1' },
    },
    resource: {
      type: 'http_external_regional_lb_rule',
      labels: { project_id: project, region: at.region, forwarding_rule_name: at.forwardingRule },
    },
    metricKind: 'DELTA',
    valueType: 'INT64',
    points: Array.from({ length: 10 }, (_, i) => {
      const end = minute - i * 60_000;
      return {
        interval: { startTime: end - 60_000, endTime: end },
        value: { int64Value: String(Math.round(rps * 60)) },
      };
    }),
  }));
}
