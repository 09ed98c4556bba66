import type { FieldSchema } from '../core/proto-schema';
import type { ApiRequest } from '../core/router';
import { invalidField } from './errors';
import { monitoringDefinition } from './schema';

/** The enums the handlers use, by their proto names in @google-cloud/monitoring's protos.json. */
const ENUM_TYPES = {
  metricKind: 'google.api.MetricDescriptor.MetricKind',
  valueType: 'google.api.MetricDescriptor.ValueType',
  labelValueType: 'google.api.LabelDescriptor.ValueType',
  launchStage: 'google.api.LaunchStage',
  aligner: 'google.monitoring.v3.Aggregation.Aligner',
  reducer: 'google.monitoring.v3.Aggregation.Reducer',
  comparison: 'google.monitoring.v3.ComparisonType',
  combiner: 'google.monitoring.v3.AlertPolicy.ConditionCombinerType',
  evaluationMissingData: 'google.monitoring.v3.AlertPolicy.Condition.EvaluationMissingData',
  notificationPrompt: 'google.monitoring.v3.AlertPolicy.AlertStrategy.NotificationPrompt',
  severity: 'google.monitoring.v3.AlertPolicy.Severity',
  view: 'google.monitoring.v3.ListTimeSeriesRequest.TimeSeriesView',
} as const;

export type EnumName = keyof typeof ENUM_TYPES;

const valuesOf = (kind: EnumName): Record<string, number> =>
  monitoringDefinition().schema.enums[ENUM_TYPES[kind]] ?? {};

/**
 * An enum from a query parameter (the REST fallback sends numbers) or the internal API, as its
 * name; absent → the zero value. Request bodies arrive with names already (core/front-end.ts).
 */
export function parseEnum(kind: EnumName, value: unknown, field: string): string {
  const table = valuesOf(kind);
  const names = Object.keys(table);
  if (value === undefined || value === null) return names.find((n) => table[n] === 0) ?? (names[0] as string);
  if (typeof value === 'string' && Object.hasOwn(table, value)) return value;
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  const name = names.find((k) => table[k] === n);
  if (name === undefined) throw invalidField(field, 'Invalid enum value', value);
  return name;
}

/** `$alt=json;enum-encoding=int`: the client asked for enums as numbers. */
export function wantsIntEnums(req: ApiRequest): boolean {
  return (req.query.get('$alt') ?? '').includes('enum-encoding=int');
}

/** Rewrites enum names to numbers in a response of message `type`, walking the proto schema. */
export function encodeEnums(value: unknown, type: string): unknown {
  const { schema } = monitoringDefinition();
  const message = schema.messages[type];
  if (!message || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const encodeOne = (field: FieldSchema, v: unknown): unknown => {
    const table = schema.enums[field.type];
    if (table) return typeof v === 'string' ? (table[v] ?? v) : v;
    return encodeEnums(v, field.type);
  };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = message.fields[key];
    if (!field) out[key] = v;
    else if (field.keyType && v && typeof v === 'object') {
      out[key] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeOne(field, x)]));
    } else if (field.repeated && Array.isArray(v)) out[key] = v.map((x) => encodeOne(field, x));
    else out[key] = encodeOne(field, v);
  }
  return out;
}
