/**
 * Outlier detection of a backend service (`BackendService.outlierDetection`), as the fluid world
 * models it: per sample interval, for each endpoint (VM) in the pool, the chance that the load
 * balancer ejects it given its request rate and error shares. Fields and defaults are Google's
 * (OutlierDetection in https://cloud.google.com/compute/docs/reference/rest/v1/backendServices, and
 * https://cloud.google.com/load-balancing/docs/backend-service#outlier-detection):
 *
 * - `consecutiveErrors` (5): consecutive 5xx before an ejection; `enforcingConsecutiveErrors` (**0**:
 *   off unless set) the percentage chance that such a detection ejects.
 * - `consecutiveGatewayFailure` (3): consecutive 502/503/504 (or connection errors mapped to them);
 *   `enforcingConsecutiveGatewayFailure` (100).
 * - success rate: an endpoint with at least `successRateRequestVolume` (100) requests in one `interval`
 *   (1 s) is a candidate; with at least `successRateMinimumHosts` (5) candidates, those below
 *   mean − stdev × `successRateStdevFactor` / 1000 (1900) are outliers, ejected with `enforcingSuccessRate`
 *   (100) percent chance per sweep.
 * - `baseEjectionTime` (30 s) × the number of times the endpoint was ejected; `maxEjectionPercent` (50)
 *   of the pool's endpoints at most.
 */

export interface OutlierSettings {
  consecutiveErrors: number;
  enforcingConsecutiveErrors: number;
  consecutiveGatewayFailure: number;
  enforcingConsecutiveGatewayFailure: number;
  enforcingSuccessRate: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionPercent: number;
  successRateMinimumHosts: number;
  successRateRequestVolume: number;
  successRateStdevFactor: number;
}

/** A Compute `Duration` as the API returns it (`seconds` int64 as a string, `nanos`). */
function durationMs(value: unknown, defaultMs: number): number {
  if (typeof value !== 'object' || value === null) return defaultMs;
  const d = value as { seconds?: unknown; nanos?: unknown };
  const ms = Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6;
  return Number.isFinite(ms) && ms > 0 ? ms : defaultMs;
}

const num = (v: unknown, def: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : def);

/** The backend service's `outlierDetection` with Google's defaults; undefined when it is not set (off). */
export function outlierSettings(field: unknown): OutlierSettings | undefined {
  if (typeof field !== 'object' || field === null) return undefined;
  const o = field as Record<string, unknown>;
  return {
    consecutiveErrors: num(o.consecutiveErrors, 5),
    enforcingConsecutiveErrors: num(o.enforcingConsecutiveErrors, 0),
    consecutiveGatewayFailure: num(o.consecutiveGatewayFailure, 3),
    enforcingConsecutiveGatewayFailure: num(o.enforcingConsecutiveGatewayFailure, 100),
    enforcingSuccessRate: num(o.enforcingSuccessRate, 100),
    intervalMs: durationMs(o.interval, 1_000),
    baseEjectionMs: durationMs(o.baseEjectionTime, 30_000),
    maxEjectionPercent: num(o.maxEjectionPercent, 50),
    successRateMinimumHosts: num(o.successRateMinimumHosts, 5),
    successRateRequestVolume: num(o.successRateRequestVolume, 100),
    successRateStdevFactor: num(o.successRateStdevFactor, 1900),
  };
}

/**
 * Mean time, in requests, until `n` failures in a row when each request fails with probability `p`
 * (the waiting time for a run of n in Bernoulli trials: (1 − pⁿ) / ((1 − p) pⁿ); n when p = 1).
 */
export function requestsToRun(p: number, n: number): number {
  if (n <= 0) return 1;
  if (p <= 0) return Number.POSITIVE_INFINITY;
  if (p >= 1) return n;
  const pn = p ** n;
  return (1 - pn) / ((1 - p) * pn);
}

/** One endpoint of a pool over one sample interval. */
export interface EndpointLoad {
  id: string;
  /** Requests/s it gets while in the pool. */
  rps: number;
  /** Share of its responses that are 5xx (all causes) and 502/503/504 (gateway failures). */
  errorShare: number;
  gatewayShare: number;
  /** Seconds of the interval it was in the pool (not ejected). */
  inPoolSec: number;
}

/** Per endpoint: the chance it is ejected during the interval, and the detector most likely to. */
export interface EjectionChance {
  id: string;
  probability: number;
  reason: 'consecutiveErrors' | 'consecutiveGatewayFailure' | 'successRate';
}

/**
 * The chance each endpoint of a pool is ejected over an interval. Consecutive errors are detected as
 * runs in a stream of independent requests (rate = enforcing × rps / requestsToRun); success-rate
 * outliers are judged once per `interval` sweep on expected rates, so endpoints that fail alike (a
 * region-wide fault) are never outliers (stdev 0) — the fluid model has no sampling noise.
 */
export function ejectionChances(settings: OutlierSettings, pool: EndpointLoad[]): EjectionChance[] {
  const sweepSec = settings.intervalMs / 1000;
  const candidates = pool.filter((e) => e.inPoolSec > 0 && e.rps * sweepSec >= settings.successRateRequestVolume);
  const outliers = new Set<string>();
  if (candidates.length >= settings.successRateMinimumHosts && candidates.length > 0) {
    const rates = candidates.map((e) => 1 - e.errorShare);
    const mean = rates.reduce((s, r) => s + r, 0) / rates.length;
    const stdev = Math.sqrt(rates.reduce((s, r) => s + (r - mean) ** 2, 0) / rates.length);
    const threshold = mean - stdev * (settings.successRateStdevFactor / 1000);
    candidates.forEach((e, i) => {
      if ((rates[i] as number) < threshold - 1e-12) outliers.add(e.id);
    });
  }
  return pool.map((e) => {
    const errors =
      (settings.enforcingConsecutiveErrors / 100) * (e.rps / requestsToRun(e.errorShare, settings.consecutiveErrors));
    const gateway =
      (settings.enforcingConsecutiveGatewayFailure / 100) *
      (e.rps / requestsToRun(e.gatewayShare, settings.consecutiveGatewayFailure));
    const consecutive = 1 - Math.exp(-(errors + gateway) * e.inPoolSec);
    const sweeps = Math.floor(e.inPoolSec / sweepSec);
    const sr = outliers.has(e.id) ? 1 - (1 - settings.enforcingSuccessRate / 100) ** Math.max(1, sweeps) : 0;
    const probability = 1 - (1 - consecutive) * (1 - sr);
    const reason: EjectionChance['reason'] =
      sr >= consecutive ? 'successRate' : gateway >= errors ? 'consecutiveGatewayFailure' : 'consecutiveErrors';
    return { id: e.id, probability: Number.isFinite(probability) ? probability : 0, reason };
  });
}

/**
 * How many of a pool's endpoints may be ejected at once: "Maximum percentage of backend endpoints in the
 * load balancing pool […] that can be ejected" read as floor(pool × percent / 100): at 50 %, none of a
 * one-VM pool, one of a two- or three-VM pool.
 */
export function maxEjected(settings: OutlierSettings, poolSize: number): number {
  return Math.floor((poolSize * settings.maxEjectionPercent) / 100 + 1e-9);
}
