import { ApiError } from './api-error';
import { projectNumber } from './project-number';

/**
 * Compute Engine's per-project request-rate quotas, the simplified groups of
 * https://cloud.google.com/compute/docs/api-rate-limits: global reads and writes per project, and
 * regional (and zonal) reads and writes per project and region, each per minute. Google publishes
 * no default limits (each project's are on its Quotas page), so the twin has none until a test or
 * scenario sets them. "Google enforces rate quotas at a per-minute interval … the quota refills at
 * the start of the next synchronized interval"; an exceeding request is "a 403 error with the reason
 * rateLimitExceeded" (https://cloud.google.com/compute/api-quota).
 */
export interface RateLimits {
  /** GlobalReadsPerMinutePerProject (`compute.googleapis.com/global_reads`). */
  globalReads?: number;
  /** GlobalWritesPerMinutePerProject (`compute.googleapis.com/global_writes`). */
  globalWrites?: number;
  /** ReadRequestsPerMinutePerProjectPerRegion (`compute.googleapis.com/reads_per_region`). */
  readsPerRegion?: number;
  /** WritesPerMinutePerProjectPerRegion (`compute.googleapis.com/writes_per_region`). */
  writesPerRegion?: number;
}

interface Group {
  key: keyof RateLimits;
  metric: string;
  metricName: string;
  limitName: string;
  unit: string;
}

const GROUPS: Record<keyof RateLimits, Group> = {
  globalReads: {
    key: 'globalReads',
    metric: 'compute.googleapis.com/global_reads',
    metricName: 'Read requests',
    limitName: 'GlobalReadsPerMinutePerProject',
    unit: '1/min/{project}',
  },
  globalWrites: {
    key: 'globalWrites',
    metric: 'compute.googleapis.com/global_writes',
    metricName: 'Write requests',
    limitName: 'GlobalWritesPerMinutePerProject',
    unit: '1/min/{project}',
  },
  readsPerRegion: {
    key: 'readsPerRegion',
    metric: 'compute.googleapis.com/reads_per_region',
    metricName: 'Read requests per region',
    limitName: 'ReadRequestsPerMinutePerProjectPerRegion',
    unit: '1/min/{project}/{region}',
  },
  writesPerRegion: {
    key: 'writesPerRegion',
    metric: 'compute.googleapis.com/writes_per_region',
    metricName: 'Write requests per region',
    limitName: 'WritesPerMinutePerProjectPerRegion',
    unit: '1/min/{project}/{region}',
  },
};

const MINUTE = 60_000;

export class RateQuota {
  private limits: RateLimits = {};
  private counts = new Map<string, number>();
  private window = -1;

  get(): RateLimits {
    return { ...this.limits };
  }

  /** Replaces the limits (an absent group is unlimited); counting restarts. */
  set(limits: RateLimits): void {
    for (const [k, v] of Object.entries(limits)) {
      if (!(k in GROUPS)) throw new Error(`unknown rate quota '${k}'`);
      if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= 0)) {
        throw new Error(`rate quota '${k}' must be an integer >= 0`);
      }
    }
    this.limits = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined && v !== null));
    this.counts.clear();
  }

  /**
   * Counts a Compute request at virtual time `now` against its group; throws Google's 403 when the
   * group's limit for this minute is spent.
   */
  charge(path: string, write: boolean, now: number): void {
    if (Object.keys(this.limits).length === 0) return;
    const m = /^\/compute\/v1\/projects\/([^/]+)\/(?:(regions)\/([^/]+)|(zones)\/([^/]+))?/.exec(path);
    if (!m) return;
    const project = m[1] as string;
    const region = m[3] ?? (m[5] ? (m[5] as string).replace(/-[a-z]$/, '') : undefined);
    const group =
      GROUPS[region ? (write ? 'writesPerRegion' : 'readsPerRegion') : write ? 'globalWrites' : 'globalReads'];
    const limit = this.limits[group.key];
    if (limit === undefined) return;
    const window = Math.floor(now / MINUTE);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const bucket = `${project}|${group.key}|${region ?? ''}`;
    const used = (this.counts.get(bucket) ?? 0) + 1;
    this.counts.set(bucket, used);
    if (used <= limit) return;
    const consumer = `project_number:${projectNumber(project)}`;
    throw new ApiError(
      403,
      `Quota exceeded for quota metric '${group.metricName}' and limit '${group.limitName}' of service 'compute.googleapis.com' for consumer '${consumer}'.`,
      {
        reason: 'rateLimitExceeded',
        domain: 'usageLimits',
        grpc: 'PERMISSION_DENIED',
        // The ErrorInfo Google's quota errors carry (field names as in its RATE_LIMIT_EXCEEDED answers).
        errorInfo: {
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            consumer: `projects/${projectNumber(project)}`,
            quota_limit: group.limitName,
            quota_limit_value: String(limit),
            quota_location: region ?? 'global',
            quota_metric: group.metric,
            quota_unit: group.unit,
            service: 'compute.googleapis.com',
          },
        },
      },
    );
  }
}
