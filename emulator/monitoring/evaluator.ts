import { aggregate, parseAggregation } from './aggregate';
import { parseFilter } from './filter';
import { incidentPayload } from './incident-payload';
import { findDescriptor, selectSeries, seriesKey } from './metrics';
import { parseDuration } from './proto-json';
import type {
  AggregationSpec,
  AlertPolicy,
  Condition,
  Incident,
  Labeled,
  MonitoringState,
  ProjectState,
  Series,
} from './types';
import { numeric } from './values';

/** Raw (unaligned) data older than this counts as missing. */
const RAW_STALENESS_MS = 5 * 60_000;
const DEFAULT_AUTO_CLOSE_MS = 7 * 24 * 3600_000;
const MAX_CLOSED_INCIDENTS = 1000;
const MAX_DELIVERIES = 1000;

export interface EvalDeps {
  state: MonitoringState;
  random: () => number;
  /** Publishes to `projects/p/topics/t`; throws when the topic does not exist. */
  publish: (topic: string, data: Buffer) => string;
  /** How long after an incident opens or closes its notifications are published. */
  notificationDelayMs: number;
}

interface Holding {
  seriesKey: string;
  metric: Labeled;
  resource: Labeled;
  value: number | undefined;
}

interface ConditionResult {
  condition: Condition;
  evaluable: boolean;
  met: boolean;
  holding: Holding[];
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  COMPARISON_GT: (a, b) => a > b,
  COMPARISON_GE: (a, b) => a >= b,
  COMPARISON_LT: (a, b) => a < b,
  COMPARISON_LE: (a, b) => a <= b,
  COMPARISON_EQ: (a, b) => a === b,
  COMPARISON_NE: (a, b) => a !== b,
};

const stateKey = (policy: string, condition: string, series: string): string => `${policy}|${condition}|${series}`;

export function formatObserved(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

/** Evaluates every enabled policy of every project at virtual time `now`. */
export function evaluateAll(deps: EvalDeps, now: number): void {
  for (const [project, ps] of Object.entries(deps.state.projects)) {
    for (const policy of Object.values(ps.policies)) {
      if (policy.enabled) evaluatePolicy(deps, project, ps, policy, now);
      else closePolicyIncidents(deps.state, policy.name, now);
    }
  }
  deps.state.lastEvaluation = now;
  trim(deps.state);
}

function evaluatePolicy(deps: EvalDeps, project: string, ps: ProjectState, policy: AlertPolicy, now: number): void {
  const results = policy.conditions.map((c) => evaluateCondition(deps.state, project, ps, policy, c, now));
  if (!results.some((r) => r.evaluable)) return;
  const desired = new Map<string, { condition: Condition; h: Holding }>();
  const add = (r: ConditionResult, filter?: Set<string>): void => {
    for (const h of r.holding) {
      if (filter && !filter.has(resourceKey(h.resource))) continue;
      desired.set(stateKey(policy.name, r.condition.name, h.seriesKey), { condition: r.condition, h });
    }
  };
  if (policy.combiner === 'AND' || policy.combiner === 'AND_WITH_MATCHING_RESOURCE') {
    if (results.every((r) => r.met)) {
      let shared: Set<string> | undefined;
      if (policy.combiner === 'AND_WITH_MATCHING_RESOURCE') {
        const sets = results.map((r) => new Set(r.holding.map((h) => resourceKey(h.resource))));
        shared = new Set([...sets[0]!].filter((k) => sets.every((s) => s.has(k))));
      }
      for (const r of results) add(r, shared);
    }
  } else {
    for (const r of results) if (r.met) add(r);
  }

  const open = Object.values(deps.state.incidents).filter((i) => i.state === 'open' && i.policy === policy.name);
  for (const inc of open) {
    const key = stateKey(policy.name, inc.condition, inc.seriesKey);
    if (desired.has(key)) {
      desired.delete(key); // already open
      continue;
    }
    inc.state = 'closed';
    inc.endedAt = now;
    inc.observedValue = formatObserved(deps.state.evalState[key]?.lastValue);
    const condition = policy.conditions.find((c) => c.name === inc.condition);
    if (condition) notify(deps, ps, policy, condition, inc, now);
  }
  for (const { condition, h } of desired.values()) {
    const inc: Incident = {
      incidentId: `0.${Array.from({ length: 12 }, () => Math.floor(deps.random() * 36).toString(36)).join('')}`,
      project,
      policy: policy.name,
      condition: condition.name,
      seriesKey: h.seriesKey,
      metric: h.metric,
      resource: h.resource,
      state: 'open',
      startedAt: now,
      endedAt: null,
      observedValue: formatObserved(h.value),
    };
    deps.state.incidents[inc.incidentId] = inc;
    notify(deps, ps, policy, condition, inc, now);
  }
}

function resourceKey(r: Labeled): string {
  return seriesKey({ type: '', labels: {} }, r);
}

function runAggregations(series: Series[], specs: AggregationSpec[] | undefined, start: number, now: number): Series[] {
  let out = series;
  for (const spec of specs ?? []) out = aggregate(out, parseAggregation({ ...spec }, 'aggregation'), start, now);
  return out;
}

/** Numerator / denominator, matched by labels (or the only denominator series), point by point. */
function ratio(num: Series[], den: Series[]): Series[] {
  const byKey = new Map(den.map((s) => [seriesKey(s.metric, s.resource), s]));
  return num.flatMap((s) => {
    const d = byKey.get(seriesKey(s.metric, s.resource)) ?? (den.length === 1 ? den[0] : undefined);
    if (!d) return [];
    const dv = new Map(d.points.map((p) => [p.end, numeric(p.value)]));
    const points = s.points
      .filter((p) => dv.has(p.end) && dv.get(p.end) !== 0)
      .map((p) => ({ ...p, value: numeric(p.value) / dv.get(p.end)! }));
    return [{ ...s, valueType: 'DOUBLE', points }];
  });
}

function evaluateCondition(
  state: MonitoringState,
  project: string,
  ps: ProjectState,
  policy: AlertPolicy,
  condition: Condition,
  now: number,
): ConditionResult {
  const th = condition.conditionThreshold;
  const ab = condition.conditionAbsent;
  if (!th && !ab) return { condition, evaluable: false, met: false, holding: [] };
  const spec = (th ?? ab)!;
  const durationMs = parseDuration(spec.duration, 'duration');
  const periodMs = Math.max(
    0,
    ...(spec.aggregations ?? []).map((a) => parseDuration(a.alignmentPeriod, 'alignment_period')),
  );
  const start = now - durationMs - 2 * periodMs - RAW_STALENESS_MS;
  let series = runAggregations(
    selectSeries(ps, project, parseFilter(spec.filter), start, now, now),
    spec.aggregations,
    start,
    now,
  );
  if (th?.denominatorFilter) {
    const den = runAggregations(
      selectSeries(ps, project, parseFilter(th.denominatorFilter), start, now, now),
      th.denominatorAggregations,
      start,
      now,
    );
    series = ratio(series, den);
  }
  // Aligned windows end at `now`, so the newest one may not have its point yet: one period of lag is fresh.
  const staleBefore = periodMs > 0 ? now - 2 * periodMs : now - RAW_STALENESS_MS;
  const autoClose = parseDuration(policy.alertStrategy?.autoClose, 'auto_close') || DEFAULT_AUTO_CLOSE_MS;
  const prefix = stateKey(policy.name, condition.name, '');
  const seen = new Set<string>();
  const fresh = new Set<string>();
  const holding: Holding[] = [];

  for (const s of series) {
    const key = seriesKey(s.metric, s.resource);
    const sk = prefix + key;
    seen.add(sk);
    state.evalState[sk] ??= { holding: false, since: null, lastSeen: 0, metric: s.metric, resource: s.resource };
    const es = state.evalState[sk];
    const latest = s.points.at(-1);
    if (!latest || latest.end <= staleBefore) continue; // missing: handled below
    fresh.add(sk);
    es.lastSeen = latest.end;
    es.lastValue = numeric(latest.value);
    if (ab) {
      es.holding = false;
      es.since = null;
      continue;
    }
    const cmp = COMPARE[th!.comparison]!;
    const threshold = th!.thresholdValue ?? 0;
    if (!cmp(es.lastValue, threshold)) {
      es.holding = false;
      es.since = null;
    } else {
      // The violation started at the oldest point of the unbroken run of violating points.
      let since = latest.end;
      for (let i = s.points.length - 2; i >= 0 && cmp(numeric(s.points[i]!.value), threshold); i--)
        since = s.points[i]!.end;
      es.since = Math.min(es.since ?? since, since);
      es.holding = now - es.since >= durationMs;
    }
    if (es.holding) holding.push({ seriesKey: key, metric: s.metric, resource: s.resource, value: es.lastValue });
  }

  // Series that matched before but have no fresh data.
  for (const [sk, es] of Object.entries(state.evalState)) {
    if (!sk.startsWith(prefix)) continue;
    const key = sk.slice(prefix.length);
    if (fresh.has(sk)) continue;
    if (ab) {
      es.holding = now - es.lastSeen >= durationMs;
    } else {
      const mode = th!.evaluationMissingData;
      if (mode === 'EVALUATION_MISSING_DATA_INACTIVE') {
        es.holding = false;
        es.since = null;
      } else if (mode === 'EVALUATION_MISSING_DATA_ACTIVE') {
        es.since ??= now;
        es.holding = now - es.since >= durationMs;
      } else if (es.holding && now - es.lastSeen >= autoClose) {
        es.holding = false; // no data for autoClose: the incident closes by itself
        es.since = null;
      }
    }
    if (es.holding) holding.push({ seriesKey: key, metric: es.metric, resource: es.resource, value: es.lastValue });
    else if (now - es.lastSeen > autoClose) delete state.evalState[sk];
  }

  const total = new Set([...seen, ...Object.keys(state.evalState).filter((k) => k.startsWith(prefix))]).size;
  const trig = spec.trigger;
  const met = trig?.percent
    ? holding.length > 0 && holding.length >= Math.ceil((trig.percent / 100) * total)
    : holding.length >= (trig?.count ?? 1);
  return { condition, evaluable: true, met, holding };
}

/** Queues the incident's notification for each enabled pubsub channel; `flushNotifications` publishes it. */
function notify(
  deps: EvalDeps,
  ps: ProjectState,
  policy: AlertPolicy,
  condition: Condition,
  inc: Incident,
  now: number,
): void {
  const prompts = policy.alertStrategy?.notificationPrompts;
  if (Array.isArray(prompts) && prompts.length > 0 && !prompts.includes(inc.state === 'open' ? 'OPENED' : 'CLOSED'))
    return;
  const data = JSON.stringify(
    incidentPayload(inc, policy, condition, findDescriptor(ps, inc.project, inc.metric.type)),
  );
  deps.state.outbox ??= [];
  for (const name of policy.notificationChannels) {
    const ch = ps.channels[name];
    if (!ch?.enabled || ch.type !== 'pubsub') continue; // other channel types deliver nowhere here
    deps.state.outbox.push({
      dueAt: now + deps.notificationDelayMs,
      incidentId: inc.incidentId,
      state: inc.state,
      channel: name,
      topic: ch.labels.topic!,
      data,
    });
  }
}

/** Publishes the notifications whose delay has passed, oldest first. */
export function flushNotifications(deps: EvalDeps, now: number): void {
  const outbox = deps.state.outbox ?? [];
  const due = outbox.filter((n) => n.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
  if (due.length === 0) return;
  deps.state.outbox = outbox.filter((n) => n.dueAt > now);
  for (const n of due) {
    const delivery = { at: n.dueAt, incidentId: n.incidentId, state: n.state, channel: n.channel, topic: n.topic };
    try {
      deps.state.deliveries.push({ ...delivery, messageId: deps.publish(n.topic, Buffer.from(n.data)) });
    } catch (err) {
      // Google drops a notification it cannot publish; the twin records why.
      deps.state.deliveries.push({ ...delivery, error: (err as Error).message });
    }
  }
}

/** Closes a policy's open incidents without notifying (policy deleted or disabled). */
export function closePolicyIncidents(
  state: MonitoringState,
  policyName: string,
  now: number,
  conditions?: Set<string>,
): void {
  for (const inc of Object.values(state.incidents)) {
    if (inc.policy !== policyName || inc.state !== 'open') continue;
    if (conditions?.has(inc.condition)) continue;
    inc.state = 'closed';
    inc.endedAt = now;
  }
  for (const k of Object.keys(state.evalState)) {
    if (!k.startsWith(`${policyName}|`)) continue;
    const condition = k.slice(policyName.length + 1).split('|')[0]!;
    if (!conditions?.has(condition)) delete state.evalState[k];
  }
}

function trim(state: MonitoringState): void {
  const closed = Object.values(state.incidents)
    .filter((i) => i.state === 'closed')
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  for (const i of closed.slice(MAX_CLOSED_INCIDENTS)) delete state.incidents[i.incidentId];
  if (state.deliveries.length > MAX_DELIVERIES) state.deliveries.splice(0, state.deliveries.length - MAX_DELIVERIES);
}
