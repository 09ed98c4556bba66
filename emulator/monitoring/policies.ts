import { isPlainObject } from '../core/merge-patch';
import { parseAggregation } from './aggregate';
import { parseEnum } from './enums';
import { badRequest, invalidField, notFound } from './errors';
import { parseFilter, restricts } from './filter';
import { formatDuration, objectOf, parseDuration, stringMap } from './proto-json';
import type { AggregationSpec, AlertPolicy, Condition, MutationRecord, ProjectState } from './types';

const MAX_CONDITIONS = 6;
/** Alerting allows alignment periods up to 25 h. */
const MAX_ALERT_PERIOD_MS = 90_000_000;
const OTHER_CONDITIONS = [
  'conditionMatchedLog',
  'conditionMonitoringQueryLanguage',
  'conditionPrometheusQueryLanguage',
  'conditionSql',
];
const LABEL = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

function aggregations(raw: unknown, field: string): AggregationSpec[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  return (raw as unknown[]).map((a, i) => {
    const f = `${field}[${i}]`;
    const parsed = parseAggregation(objectOf(a), f, MAX_ALERT_PERIOD_MS);
    const out: AggregationSpec = {};
    if (parsed.aligner !== 'ALIGN_NONE') {
      out.alignmentPeriod = formatDuration(parsed.periodMs);
      out.perSeriesAligner = parsed.aligner;
    }
    if (parsed.reducer !== 'REDUCE_NONE') out.crossSeriesReducer = parsed.reducer;
    if (parsed.groupBy.length > 0) out.groupByFields = parsed.groupBy;
    return out;
  });
}

function conditionFilter(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalidField(field, 'The filter is required');
  if (raw.length > 2048) throw invalidField(field, 'The filter must not exceed 2048 characters');
  const node = parseFilter(raw);
  if (!restricts(node, 'metric.type'))
    throw invalidField(field, 'must specify a restriction on "metric.type" in the filter', raw);
  if (!restricts(node, 'resource.type')) {
    throw invalidField(
      field,
      'must specify a restriction on "resource.type" in the filter; see "https://cloud.google.com/monitoring/api/resources" for a list of available resource types.',
      raw,
    );
  }
  return raw;
}

function trigger(raw: unknown, field: string): { count?: number; percent?: number } | undefined {
  if (raw === undefined || raw === null) return undefined;
  const t = objectOf(raw);
  if (t.count !== undefined && t.percent !== undefined)
    throw invalidField(field, 'Only one of count and percent may be set');
  if (t.count !== undefined) {
    const count = Number(t.count);
    if (!Number.isInteger(count) || count < 0)
      throw invalidField(`${field}.count`, 'must be a non-negative integer', t.count);
    return count > 0 ? { count } : undefined;
  }
  if (t.percent !== undefined) {
    const percent = Number(t.percent);
    if (!(percent >= 0 && percent <= 100))
      throw invalidField(`${field}.percent`, 'must be between 0 and 100', t.percent);
    return percent > 0 ? { percent } : undefined;
  }
  return undefined;
}

function parseCondition(raw: unknown, field: string, name: string): Condition {
  const c = objectOf(raw);
  const kinds = ['conditionThreshold', 'conditionAbsent', ...OTHER_CONDITIONS].filter(
    (k) => c[k] !== undefined && c[k] !== null,
  );
  if (kinds.length !== 1) throw invalidField(field, 'Exactly one condition type must be set');
  const out: Condition = { name };
  if (typeof c.displayName === 'string') out.displayName = c.displayName;
  if (c.conditionThreshold) {
    const f = `${field}.condition_threshold`;
    const t = objectOf(c.conditionThreshold);
    const comparison = parseEnum('comparison', t.comparison, `${f}.comparison`);
    if (comparison === 'COMPARISON_UNSPECIFIED')
      throw invalidField(`${f}.comparison`, 'A comparison must be specified');
    // alert.proto: "Only COMPARISON_LT and COMPARISON_GT are supported currently" for metric thresholds.
    if (comparison !== 'COMPARISON_GT' && comparison !== 'COMPARISON_LT')
      throw invalidField(`${f}.comparison`, `${comparison} is not supported: use COMPARISON_GT or COMPARISON_LT`);
    const durationMs = parseDuration(t.duration, `${f}.duration`);
    if (durationMs < 0 || durationMs % 60_000 !== 0) {
      throw invalidField(`${f}.duration`, 'The duration must be a multiple of 60 seconds', t.duration);
    }
    const th: NonNullable<Condition['conditionThreshold']> = {
      filter: conditionFilter(t.filter, `${f}.filter`),
      comparison,
    };
    const aggs = aggregations(t.aggregations, `${f}.aggregations`);
    if (aggs) th.aggregations = aggs;
    if (t.denominatorFilter) {
      th.denominatorFilter = conditionFilter(t.denominatorFilter, `${f}.denominator_filter`);
      const daggs = aggregations(t.denominatorAggregations, `${f}.denominator_aggregations`);
      if (daggs) th.denominatorAggregations = daggs;
    }
    if (t.thresholdValue !== undefined && t.thresholdValue !== null) {
      const v = Number(t.thresholdValue);
      if (!Number.isFinite(v)) throw invalidField(`${f}.threshold_value`, 'must be a number', t.thresholdValue);
      if (v !== 0) th.thresholdValue = v;
    }
    th.duration = formatDuration(durationMs);
    const trig = trigger(t.trigger, `${f}.trigger`);
    if (trig) th.trigger = trig;
    const missing = parseEnum('evaluationMissingData', t.evaluationMissingData, `${f}.evaluation_missing_data`);
    if (missing !== 'EVALUATION_MISSING_DATA_UNSPECIFIED') {
      if (durationMs < 60_000) {
        throw invalidField(`${f}.evaluation_missing_data`, 'requires a duration of at least 60 seconds');
      }
      th.evaluationMissingData = missing;
    }
    if (t.forecastOptions)
      throw invalidField(`${f}.forecast_options`, 'Forecast conditions are not supported by the emulator');
    out.conditionThreshold = th;
  } else if (c.conditionAbsent) {
    const f = `${field}.condition_absent`;
    const a = objectOf(c.conditionAbsent);
    const durationMs = parseDuration(a.duration, `${f}.duration`);
    if (durationMs < 120_000 || durationMs % 60_000 !== 0) {
      throw invalidField(
        `${f}.duration`,
        'The duration must be at least 120 seconds and a multiple of 60 seconds',
        a.duration,
      );
    }
    const ab: NonNullable<Condition['conditionAbsent']> = { filter: conditionFilter(a.filter, `${f}.filter`) };
    const aggs = aggregations(a.aggregations, `${f}.aggregations`);
    if (aggs) ab.aggregations = aggs;
    ab.duration = formatDuration(durationMs);
    const trig = trigger(a.trigger, `${f}.trigger`);
    if (trig) ab.trigger = trig;
    out.conditionAbsent = ab;
  } else {
    const k = kinds[0]!;
    out[k] = c[k]; // stored as given; never evaluated
  }
  return out;
}

function checkLabels(labels: Record<string, string>, field: string): void {
  const keys = Object.keys(labels);
  if (keys.length > 64) throw invalidField(field, 'At most 64 user labels are allowed');
  for (const k of keys) {
    if (!LABEL.test(k))
      throw invalidField(
        field,
        'Label keys must start with a lowercase letter and contain only lowercase letters, digits, underscores and dashes',
        k,
      );
    if (!LABEL_VALUE.test(labels[k]!)) {
      throw invalidField(
        field,
        'Label values may contain only lowercase letters, digits, underscores and dashes',
        labels[k],
      );
    }
  }
}

export interface PolicyDeps {
  newId: () => string;
  channelExists: (name: string) => boolean;
}

/** Builds and validates a policy from its proto3 JSON (numeric or named enums). */
export function buildPolicy(
  raw: Record<string, unknown>,
  name: string,
  previous: AlertPolicy | undefined,
  record: MutationRecord,
  deps: PolicyDeps,
): AlertPolicy {
  const f = 'alert_policy';
  if (typeof raw.displayName !== 'string' || raw.displayName.trim() === '') {
    throw invalidField(`${f}.display_name`, 'The display name is required');
  }
  if (raw.displayName.length > 512) throw invalidField(`${f}.display_name`, 'At most 512 characters');
  const rawConditions = Array.isArray(raw.conditions) ? raw.conditions : [];
  if (rawConditions.length === 0) throw invalidField(`${f}.conditions`, 'At least one condition is required');
  if (rawConditions.length > MAX_CONDITIONS)
    throw invalidField(`${f}.conditions`, `At most ${MAX_CONDITIONS} conditions are allowed`);
  const known = new Set(previous?.conditions.map((c) => c.name));
  const conditions = rawConditions.map((c, i) => {
    const given = isPlainObject(c) && typeof c.name === 'string' && c.name ? c.name : '';
    if (given && !known.has(given))
      throw invalidField(`${f}.conditions[${i}].name`, 'No such condition in this policy', given);
    return parseCondition(c, `${f}.conditions[${i}]`, given || `${name}/conditions/${deps.newId()}`);
  });
  const other = conditions.find((c) => OTHER_CONDITIONS.some((k) => c[k] !== undefined));
  if (other && conditions.length > 1)
    throw invalidField(`${f}.conditions`, 'A query-language or log condition must be the only condition');
  const combiner = parseEnum('combiner', raw.combiner, `${f}.combiner`);
  if (conditions.length > 1 && combiner === 'COMBINE_UNSPECIFIED') {
    throw invalidField(`${f}.combiner`, 'A combiner must be specified when there is more than one condition');
  }
  const channels = Array.isArray(raw.notificationChannels) ? raw.notificationChannels.map(String) : [];
  channels.forEach((ch, i) => {
    if (!deps.channelExists(ch)) {
      throw invalidField(
        `${f}.notification_channels[${i}]`,
        'Notification channel does not exist or is not accessible',
        ch,
      );
    }
  });
  const userLabels = stringMap(raw.userLabels);
  checkLabels(userLabels, `${f}.user_labels`);
  const policy: AlertPolicy = {
    name,
    displayName: raw.displayName,
    userLabels,
    conditions,
    combiner,
    enabled: raw.enabled === undefined || raw.enabled === null ? true : raw.enabled === true,
    notificationChannels: channels,
    creationRecord: previous?.creationRecord ?? record,
    mutationRecord: record,
  };
  if (isPlainObject(raw.documentation)) {
    const d = raw.documentation;
    if (typeof d.content === 'string' && d.content.length > 10_240)
      throw invalidField(`${f}.documentation.content`, 'At most 10240 bytes');
    policy.documentation = { ...d, mimeType: d.mimeType ?? 'text/markdown' };
  }
  if (isPlainObject(raw.alertStrategy)) {
    const s = { ...raw.alertStrategy };
    if (s.autoClose !== undefined) {
      const ms = parseDuration(s.autoClose, `${f}.alert_strategy.auto_close`);
      if (ms < 30 * 60_000)
        throw invalidField(`${f}.alert_strategy.auto_close`, 'must be at least 30 minutes', s.autoClose);
      s.autoClose = formatDuration(ms);
    }
    if (Array.isArray(s.notificationPrompts)) {
      s.notificationPrompts = s.notificationPrompts.map((p, i) =>
        parseEnum('notificationPrompt', p, `${f}.alert_strategy.notification_prompts[${i}]`),
      );
    }
    policy.alertStrategy = s;
  }
  if (raw.severity !== undefined) {
    const sev = parseEnum('severity', raw.severity, `${f}.severity`);
    if (sev !== 'SEVERITY_UNSPECIFIED') policy.severity = sev;
  }
  return policy;
}

/** Top-level fields an update mask may name (snake_case as the client sends them, or camelCase). */
const POLICY_FIELDS: Record<string, string> = {
  display_name: 'displayName',
  documentation: 'documentation',
  user_labels: 'userLabels',
  conditions: 'conditions',
  combiner: 'combiner',
  enabled: 'enabled',
  notification_channels: 'notificationChannels',
  alert_strategy: 'alertStrategy',
  severity: 'severity',
};

/** The policy JSON an update produces: masked fields from the body, the rest from `current`. */
export function mergeForUpdate(
  current: AlertPolicy,
  body: Record<string, unknown>,
  mask: string[],
): Record<string, unknown> {
  if (mask.length === 0) return body; // no mask: the policy is replaced whole
  const merged: Record<string, unknown> = JSON.parse(JSON.stringify(current));
  for (const path of mask) {
    const snake = path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const [top, ...rest] = snake.split('.');
    const field = POLICY_FIELDS[top!];
    if (!field) throw invalidField('update_mask', 'Unsupported field path', path);
    if (rest.length === 0) {
      if (body[field] === undefined) delete merged[field];
      else merged[field] = body[field];
      continue;
    }
    if (field !== 'userLabels' && field !== 'documentation')
      throw invalidField('update_mask', 'Unsupported field path', path);
    const src = objectOf(body[field]);
    const dst = { ...objectOf(merged[field]) };
    const key = rest.join('.').replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (src[key] === undefined) delete dst[key];
    else dst[key] = src[key];
    merged[field] = dst;
  }
  return merged;
}

export function getPolicy(ps: ProjectState, name: string): AlertPolicy {
  const p = ps.policies[name];
  if (!p) throw notFound(`Alerting policy ${name} does not exist.`);
  return p;
}

export function checkPolicyBody(raw: unknown): Record<string, unknown> {
  if (!isPlainObject(raw)) throw badRequest('The request must contain an alert policy.');
  return raw;
}
