import type { ApiRequest } from '../core/router';
import { invalidField } from './errors';

/** proto enum tables (name → number), from @google-cloud/monitoring's protos.json. */
export const ENUMS = {
  metricKind: { METRIC_KIND_UNSPECIFIED: 0, GAUGE: 1, DELTA: 2, CUMULATIVE: 3 },
  valueType: {
    VALUE_TYPE_UNSPECIFIED: 0,
    BOOL: 1,
    INT64: 2,
    DOUBLE: 3,
    STRING: 4,
    DISTRIBUTION: 5,
    MONEY: 6,
  },
  labelValueType: { STRING: 0, BOOL: 1, INT64: 2 },
  launchStage: {
    LAUNCH_STAGE_UNSPECIFIED: 0,
    UNIMPLEMENTED: 6,
    PRELAUNCH: 7,
    EARLY_ACCESS: 1,
    ALPHA: 2,
    BETA: 3,
    GA: 4,
    DEPRECATED: 5,
  },
  aligner: {
    ALIGN_NONE: 0,
    ALIGN_DELTA: 1,
    ALIGN_RATE: 2,
    ALIGN_INTERPOLATE: 3,
    ALIGN_NEXT_OLDER: 4,
    ALIGN_MIN: 10,
    ALIGN_MAX: 11,
    ALIGN_MEAN: 12,
    ALIGN_COUNT: 13,
    ALIGN_SUM: 14,
    ALIGN_STDDEV: 15,
    ALIGN_COUNT_TRUE: 16,
    ALIGN_COUNT_FALSE: 24,
    ALIGN_FRACTION_TRUE: 17,
    ALIGN_PERCENTILE_99: 18,
    ALIGN_PERCENTILE_95: 19,
    ALIGN_PERCENTILE_50: 20,
    ALIGN_PERCENTILE_05: 21,
    ALIGN_PERCENT_CHANGE: 23,
  },
  reducer: {
    REDUCE_NONE: 0,
    REDUCE_MEAN: 1,
    REDUCE_MIN: 2,
    REDUCE_MAX: 3,
    REDUCE_SUM: 4,
    REDUCE_STDDEV: 5,
    REDUCE_COUNT: 6,
    REDUCE_COUNT_TRUE: 7,
    REDUCE_COUNT_FALSE: 15,
    REDUCE_FRACTION_TRUE: 8,
    REDUCE_PERCENTILE_99: 9,
    REDUCE_PERCENTILE_95: 10,
    REDUCE_PERCENTILE_50: 11,
    REDUCE_PERCENTILE_05: 12,
  },
  comparison: {
    COMPARISON_UNSPECIFIED: 0,
    COMPARISON_GT: 1,
    COMPARISON_GE: 2,
    COMPARISON_LT: 3,
    COMPARISON_LE: 4,
    COMPARISON_EQ: 5,
    COMPARISON_NE: 6,
  },
  combiner: { COMBINE_UNSPECIFIED: 0, AND: 1, OR: 2, AND_WITH_MATCHING_RESOURCE: 3 },
  evaluationMissingData: {
    EVALUATION_MISSING_DATA_UNSPECIFIED: 0,
    EVALUATION_MISSING_DATA_INACTIVE: 1,
    EVALUATION_MISSING_DATA_ACTIVE: 2,
    EVALUATION_MISSING_DATA_NO_OP: 3,
  },
  notificationPrompt: { NOTIFICATION_PROMPT_UNSPECIFIED: 0, OPENED: 1, CLOSED: 3 },
  severity: { SEVERITY_UNSPECIFIED: 0, CRITICAL: 1, ERROR: 2, WARNING: 3 },
  verificationStatus: { VERIFICATION_STATUS_UNSPECIFIED: 0, UNVERIFIED: 1, VERIFIED: 2 },
  view: { FULL: 0, HEADERS: 1 },
} as const;

export type EnumName = keyof typeof ENUMS;

/** Accepts the enum's name or its number (the REST fallback sends numbers); returns the name. */
export function parseEnum(kind: EnumName, value: unknown, field: string): string {
  const table = ENUMS[kind] as Record<string, number>;
  const names = Object.keys(table);
  if (value === undefined || value === null) return names.find((n) => table[n] === 0) ?? names[0]!;
  if (typeof value === 'string' && value in table) return value;
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  const name = names.find((k) => table[k] === n);
  if (name === undefined) throw invalidField(field, 'Invalid enum value', value);
  return name;
}

/** Fields whose values are enums in the resources this service returns (key → table). */
const FIELD_ENUMS: Record<string, EnumName> = {
  metricKind: 'metricKind',
  valueType: 'valueType',
  launchStage: 'launchStage',
  perSeriesAligner: 'aligner',
  crossSeriesReducer: 'reducer',
  comparison: 'comparison',
  combiner: 'combiner',
  evaluationMissingData: 'evaluationMissingData',
  notificationPrompts: 'notificationPrompt',
  severity: 'severity',
  verificationStatus: 'verificationStatus',
};

/** `$alt=json;enum-encoding=int`: the client asked for enums as numbers. */
export function wantsIntEnums(req: ApiRequest): boolean {
  return (req.query.get('$alt') ?? '').includes('enum-encoding=int');
}

/** Rewrites enum names to numbers throughout a response body (names are kept internally). */
export function encodeEnums(body: unknown, parentKey = ''): unknown {
  if (Array.isArray(body)) return body.map((v) => encodeEnums(v, parentKey));
  if (typeof body !== 'object' || body === null) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    // A metric descriptor's `labels[].valueType` uses LabelDescriptor.ValueType.
    const kind: EnumName | undefined =
      key === 'valueType' && parentKey === 'labels' ? 'labelValueType' : FIELD_ENUMS[key];
    if (kind && typeof value === 'string') out[key] = (ENUMS[kind] as Record<string, number>)[value] ?? value;
    else if (kind && Array.isArray(value))
      out[key] = value.map((v) => (typeof v === 'string' ? ((ENUMS[kind] as Record<string, number>)[v] ?? v) : v));
    else out[key] = encodeEnums(value, key);
  }
  return out;
}
