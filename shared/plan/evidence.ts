/**
 * Which open incidents are evidence that a region is sick. Pure.
 *
 * Two kinds of alert are not, and acting on them would make things worse:
 * - **start-up**: before a region has ever served, its load balancer answers 503 (no healthy backend)
 *   while the VMs boot, and its alert policies fire. Draining a region that is coming up only delays
 *   it. Incidents of a region that never served are discounted while it warms up; incidents that opened
 *   while their window still held the start-up (up to one alert window and the metric delay after the
 *   first serve) are discounted until one more window has passed (they close by themselves once their
 *   window sees good data; one still open then counts).
 * - **overload**: a region offered more than its healthy replicas can serve sheds the excess (5xx).
 *   Draining it moves its load onto its neighbours, which then shed too: a cascade. When the region's
 *   observed 5xx share is no more than the share its overload explains (plus a margin), its incidents
 *   are discounted: it needs capacity (the floors and the spill-over see its demand), not a drain.
 *   An error share above what the overload explains is still a failure, overloaded or not. Alerts
 *   lag their window: once capacity arrives, incidents that opened while their window held the
 *   overload (up to one window and the metric delay after it ended) are discounted for one more
 *   window, as after a start-up: a region that just caught up is not drained for having been short.
 */
import type { GeorouteConfig, RegionConfig } from '../config';

/**
 * How late load-balancer metrics become visible to alert policies: up to 90 s for the regional ALB's
 * (https://cloud.google.com/monitoring/api/metrics_gcp), plus the policy's evaluation cadence.
 */
export const METRIC_DELAY_MS = 120_000;

/** 5xx share beyond the shed an overload explains that still counts as failure. */
export const OVERLOAD_MARGIN = 0.05;

/**
 * The shed is estimated against one healthy VM fewer than now (never fewer than one). It sets a
 * window's traffic (5 minutes, 90–210 s old, two load balancers' windows: observe.ts) against the
 * healthy count now, and while an overloaded region's new VMs come up one by one the window saw fewer
 * of them. Seen on Google's clock (the headline demo, a region absorbing a failed neighbour): 30.5 rps
 * with 14.6 % 5xx against 7 healthy × 4 rps (an 8.2 % shed by the count now), and 35.1 rps with 19 %
 * 5xx the minute an eighth VM came up (8.9 %) — the region shed that and nothing else both times; with
 * the count now it was drained and its load cascaded onto the next region.
 */
export const shedCapacity = (healthy: number, replicaRps: number): number => Math.max(1, healthy - 1) * replicaRps;

export interface Incident {
  id: string;
  startedAt: number;
}

export interface DiscountedIncident extends Incident {
  why: 'start-up' | 'overload';
}

export interface EvidenceInput {
  region: RegionConfig;
  alerts: GeorouteConfig['alerts'];
  incidents: readonly Incident[];
  /** Healthy backends now. */
  healthy: number;
  /** Every VM is new and none serves, inside the warm-up window. */
  warming: boolean;
  /** When georoute first saw the region serve (now, if this is the first sighting); null = never yet. */
  servedAt: number | null;
  /** What its load balancers were offered and answered with 5xx (observe's window). */
  traffic?: { rps: number; errorRatio: number };
  /** When georoute last saw an overload of this region end; null = none recorded. */
  overloadEndedAt?: number | null;
  now: number;
}

/**
 * How long after a region's first serve its incidents may still be its start-up: one alert window and
 * the metric delay for the incident to open, one more window for it to close by itself.
 */
export const startUpHorizonMs = (alerts: GeorouteConfig['alerts']): number =>
  2 * alerts.windowSec * 1000 + METRIC_DELAY_MS;

export function weighIncidents(e: EvidenceInput): { counted: Incident[]; discounted: DiscountedIncident[] } {
  const counted: Incident[] = [];
  const discounted: DiscountedIncident[] = [];
  // An alert judges the last `windowSec` of data, visible up to METRIC_DELAY_MS late: one that opens
  // within that long of the first serve still looked at the start-up.
  const contaminatedMs = e.alerts.windowSec * 1000 + METRIC_DELAY_MS;
  const until = startUpHorizonMs(e.alerts);
  const explained = overloadExplains(e);
  // An incident opened while its window still held an event that has since passed (a start-up, an
  // overload), within one more window of it.
  const heldBy = (at: number | null | undefined, inc: Incident) =>
    at !== null && at !== undefined && inc.startedAt <= at + contaminatedMs && e.now < at + until;
  for (const inc of e.incidents) {
    const startUp = e.servedAt === null ? e.warming : heldBy(e.servedAt, inc);
    if (startUp) discounted.push({ ...inc, why: 'start-up' });
    else if (explained || heldBy(e.overloadEndedAt, inc)) discounted.push({ ...inc, why: 'overload' });
    else counted.push(inc);
  }
  return { counted, discounted };
}

/**
 * Offered more than its healthy replicas serve, now (measured traffic, some healthy replica). The
 * backend note records when that begins and ends: alerts lag it by a window.
 */
export function overloadedNow(e: Pick<EvidenceInput, 'traffic' | 'healthy' | 'region'>): boolean {
  const t = e.traffic;
  return !!t && e.healthy > 0 && t.rps > e.healthy * e.region.replicaThroughputRps;
}

/**
 * The region serves, is offered more than its healthy replicas take, and its 5xx share is what that
 * sheds (estimated against one VM fewer, plus the margin).
 */
function overloadExplains(e: EvidenceInput): boolean {
  const t = e.traffic;
  if (!t || e.healthy <= 0 || !(t.rps > 0)) return false;
  if (t.rps <= e.healthy * e.region.replicaThroughputRps) return false;
  const shed = 1 - shedCapacity(e.healthy, e.region.replicaThroughputRps) / t.rps;
  return t.errorRatio <= shed + OVERLOAD_MARGIN;
}
