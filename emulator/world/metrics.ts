import type { RegionPerformance } from './model';
import type { Topology } from './topology';
import type { WorldSample } from './types';

/** What georoute reads as client load (shared/observe LOCATION_RPS_METRIC). */
export const LOCATION_RPS = 'custom.googleapis.com/georoute/location_rps';
/** p95 latency each client location sees, ms (for dashboards and the demo report). */
export const LOCATION_P95 = 'custom.googleapis.com/georoute/location_latency_p95';
const REQUESTS = 'loadbalancing.googleapis.com/https/backend_request_count';
const LATENCIES = 'loadbalancing.googleapis.com/https/backend_latencies';
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

/**
 * The Monitoring series of one sample: per region the load balancer's backend request counts by
 * response class and backend latencies (what the bootstrap's alert policies watch), GPU utilization
 * per healthy VM; per location the client load georoute reads and the p95 latency clients see.
 */
export function sampleSeries(
  project: string,
  backendService: string,
  topology: Topology,
  sample: WorldSample,
  perf: Record<string, RegionPerformance>,
  startMs: number,
  vms: Record<string, Array<{ id: string; zone: string }>>,
  lbMetrics: boolean,
): Series[] {
  const end = sample.at;
  const delta = { startTime: startMs, endTime: end };
  const gauge = { startTime: end, endTime: end };
  const out: Series[] = [];
  if (lbMetrics) {
    for (const b of topology.backends) {
      const r = sample.regions[b.region];
      const p = perf[b.region];
      if (!r || !p) continue;
      const resource = {
        type: 'https_lb_rule',
        labels: {
          project_id: project,
          region: 'global',
          url_map_name: topology.frontEnd.urlMap,
          target_proxy_name: topology.frontEnd.targetProxy,
          forwarding_rule_name: topology.frontEnd.forwardingRule,
          matched_url_path_rule: 'UNMATCHED',
          backend_target_name: backendService,
          backend_target_type: 'BACKEND_SERVICE',
          backend_name: b.migName,
          backend_type: 'INSTANCE_GROUP',
          backend_scope: b.region,
          backend_scope_type: 'REGION',
        },
      };
      const total = Math.round(r.rps * sample.intervalSec);
      const errors = Math.min(total, Math.round(total * r.errorRatio));
      for (const [cls, code, n] of [
        ['200', '200', total - errors],
        ['500', '503', errors],
      ] as const) {
        out.push({
          metric: {
            type: REQUESTS,
            labels: { response_code_class: cls, response_code: code, protocol: 'HTTP/1.1', cache_result: 'DISABLED' },
          },
          resource,
          metricKind: 'DELTA',
          valueType: 'INT64',
          points: [{ interval: delta, value: { int64Value: String(n) } }],
        });
      }
      if (total - errors > 0) {
        out.push({
          metric: { type: LATENCIES, labels: { response_code_class: '200', protocol: 'HTTP/1.1' } },
          resource,
          metricKind: 'DELTA',
          valueType: 'DISTRIBUTION',
          points: [{ interval: delta, value: { distributionValue: latencyDistribution(total - errors, p) } }],
        });
      }
      const util = Math.min(100, Math.max(0, r.utilization * 100));
      for (const vm of vms[b.region] ?? []) {
        out.push({
          metric: { type: GPU, labels: { gpu_number: '0', model: 'NVIDIA L4' } },
          resource: { type: 'gce_instance', labels: { project_id: project, instance_id: vm.id, zone: vm.zone } },
          metricKind: 'GAUGE',
          valueType: 'DOUBLE',
          points: [{ interval: gauge, value: { doubleValue: util } }],
        });
      }
    }
  }
  for (const [location, l] of Object.entries(sample.locations)) {
    const resource = { type: 'global', labels: { project_id: project } };
    out.push({
      metric: { type: LOCATION_RPS, labels: { location } },
      resource,
      metricKind: 'GAUGE',
      valueType: 'DOUBLE',
      points: [{ interval: gauge, value: { doubleValue: l.rps } }],
    });
    if (l.p95Ms !== null) {
      out.push({
        metric: { type: LOCATION_P95, labels: { location } },
        resource,
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        points: [{ interval: gauge, value: { doubleValue: Math.round(l.p95Ms) } }],
      });
    }
  }
  return out;
}
