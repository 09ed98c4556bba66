import { ApiError, type FieldViolation } from './api-error';

/**
 * Request-body validation as Google's API front end does it: the JSON body is parsed into the
 * method's proto message by the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/),
 * and whatever does not parse is refused with 400 INVALID_ARGUMENT before the API sees it. The
 * schemas come from the API definitions the official clients ship (proto-load.ts) or, for Cloud DNS,
 * from its REST reference as data (dns/schema.ts).
 *
 * Wording, as Google's transcoder answers (observed: DV360 https://github.com/google-marketing-solutions/dv360-api-appsscript-samples/issues/7,
 * Gemini https://github.com/google-gemini/gemini-cli/issues/13972, YouTube / Wallet bodies named `resource`):
 * - `Invalid JSON payload received. Unknown name "fooBar" at 'resource.backends[0]': Cannot find field.`
 *   (the name as sent, the path in proto snake_case; at the body's top level with no `at` clause
 *   when the body is the whole request);
 * - `Invalid value at 'resource.timeout_sec' (TYPE_INT32), "abc"`; messages and enums are named by
 *   type URL: `(type.googleapis.com/google.cloud.compute.v1.Backend.BalancingMode), "FOO"`.
 */

/** A field: a scalar (`string`, `int32`…), or a message / enum by full name. */
export interface FieldSchema {
  type: string;
  repeated?: boolean;
  /** A map field's key type (its values are `type`). */
  keyType?: string;
  /** A `string` field whose values are an enum's names (Compute's generated protos, Cloud DNS). */
  enumOf?: string;
}

export interface MessageSchema {
  /** JSON (lowerCamelCase) name → field. */
  fields: Record<string, FieldSchema>;
  /** Real oneofs (proto3 `optional`'s synthetic ones excluded): at most one member may be set. */
  oneofs?: Record<string, string[]>;
}

export interface Schema {
  messages: Record<string, MessageSchema>;
  /** Enum full name → value names and numbers. */
  enums: Record<string, Record<string, number>>;
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const FLOATS = new Set(['double', 'float']);
const SCALARS = new Set([...INT32, ...UINT32, ...INT64, ...FLOATS, 'string', 'bool', 'bytes']);
/** Well-known types with their own JSON form (google.protobuf.*). */
const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
  'google.protobuf.FieldMask': 'string',
};
const ANY_JSON = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Parses `body` as message `type` and returns its canonical proto3 JSON (JSON names, numbers as
 * numbers but 64-bit integers as strings, enum names), as the API behind the front end
 * sees it; throws one 400 listing every violation. `at` is the body's name in Google's paths
 * (`resource` for Compute, `alert_policy`…; '' when the body is the whole request).
 */
export function parseBody(schema: Schema, type: string, body: unknown, at: string): unknown {
  const violations: FieldViolation[] = [];
  const parsed = parseMessage(schema, type, body, at, violations);
  if (violations.length === 0) return parsed;
  throw new ApiError(400, violations.map((v) => v.description).join('\n'), {
    grpc: 'INVALID_ARGUMENT',
    reason: 'invalid',
    violations,
  });
}

function parseMessage(schema: Schema, type: string, value: unknown, at: string, out: FieldViolation[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(badValue(at, `type.googleapis.com/${type}`, value));
    return value;
  }
  const message = schema.messages[type];
  if (!message) return value; // a type the schema does not describe is taken as is
  const parsed: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = fieldName(message, key);
    if (!name) {
      const where = at ? ` at '${at}'` : '';
      out.push({
        field: at,
        description: `Invalid JSON payload received. Unknown name "${key}"${where}: Cannot find field.`,
      });
      continue;
    }
    if (v === null) {
      // Any field may be null (its default). Kept, so a PATCH can still clear a field (JSON merge patch).
      parsed[name] = null;
      continue;
    }
    checkOneof(message, name, key, seen, at, out);
    const path = at ? `${at}.${snakeCase(name)}` : snakeCase(name);
    parsed[name] = parseField(schema, message.fields[name] as FieldSchema, v, path, out);
  }
  return parsed;
}

/** Parsers accept the lowerCamelCase JSON name and the original proto name. */
function fieldName(message: MessageSchema, key: string): string | undefined {
  if (Object.hasOwn(message.fields, key)) return key;
  const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return key.includes('_') && Object.hasOwn(message.fields, camel) ? camel : undefined;
}

function checkOneof(
  message: MessageSchema,
  name: string,
  key: string,
  seen: Map<string, string>,
  at: string,
  out: FieldViolation[],
): void {
  for (const [oneof, members] of Object.entries(message.oneofs ?? {})) {
    if (!members.includes(name)) continue;
    if (seen.has(oneof)) {
      out.push({
        field: at,
        description: `Invalid value at '${at}' (oneof), oneof field '${snakeCase(oneof)}' is already set. Cannot set '${key}'`,
      });
    }
    seen.set(oneof, name);
  }
}

function parseField(schema: Schema, field: FieldSchema, value: unknown, path: string, out: FieldViolation[]): unknown {
  if (field.keyType) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push(badValue(path, 'map', value));
      return value;
    }
    const parsed: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (field.keyType !== 'string' && !scalarOk(field.keyType, k))
        out.push(badValue(path, scalarName(field.keyType), k));
      parsed[k] = parseSingle(schema, field, v, `${path}[${k}]`, out);
    }
    return parsed;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      out.push(badValue(path, scalarName(field.type), value));
      return value;
    }
    return value.map((v, i) => parseSingle(schema, field, v, `${path}[${i}]`, out));
  }
  return parseSingle(schema, field, value, path, out);
}

function parseSingle(schema: Schema, field: FieldSchema, value: unknown, path: string, out: FieldViolation[]): unknown {
  const type = field.type;
  if (field.enumOf) {
    const names = schema.enums[field.enumOf];
    if (typeof value !== 'string') out.push(badValue(path, 'TYPE_STRING', value));
    else if (names && !Object.hasOwn(names, value))
      out.push(badValue(path, `type.googleapis.com/${field.enumOf}`, value));
    return value;
  }
  const wrapped = WRAPPERS[type];
  if (wrapped) {
    if (!scalarOk(wrapped, value)) out.push(badValue(path, `type.googleapis.com/${type}`, value));
    return canonical(wrapped, value);
  }
  if (ANY_JSON.has(type) || type === 'google.protobuf.Any' || type === 'google.protobuf.Empty') return value;
  if (type === 'google.protobuf.Timestamp' || type === 'google.protobuf.Duration') {
    const ok =
      typeof value === 'string' &&
      (type === 'google.protobuf.Timestamp' ? RFC3339.test(value) : /^-?\d+(\.\d{1,9})?s$/.test(value));
    if (!ok) out.push(badValue(path, `type.googleapis.com/${type}`, value));
    return value;
  }
  const values = schema.enums[type];
  if (values) {
    const name =
      typeof value === 'string' && Object.hasOwn(values, value)
        ? value
        : Object.keys(values).find((k) => values[k] === value);
    // proto3 enums are open: an unknown number parses (and is kept as the number).
    if (name === undefined && !Number.isInteger(value)) out.push(badValue(path, `type.googleapis.com/${type}`, value));
    return name ?? value;
  }
  if (schema.messages[type]) return parseMessage(schema, type, value, path, out);
  // A type the schema does not describe (a configuration the twin does not emulate) is taken as is.
  if (!SCALARS.has(type)) return value;
  if (!scalarOk(type, value)) out.push(badValue(path, scalarName(type), value));
  return canonical(type, value);
}

/** The canonical JSON of a valid scalar: numbers as numbers, 64-bit integers as decimal strings. */
function canonical(type: string, value: unknown): unknown {
  if (INT64.has(type)) return String(value);
  if ((INT32.has(type) || UINT32.has(type) || FLOATS.has(type)) && typeof value === 'string') {
    return ['NaN', 'Infinity', '-Infinity'].includes(value) ? value : Number(value);
  }
  return value;
}

/** Whether `value` is the JSON form of scalar `type` (numbers may be strings; int64 usually is). */
function scalarOk(type: string, value: unknown): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'bytes') return typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (FLOATS.has(type)) return Number.isFinite(n) || ['NaN', 'Infinity', '-Infinity'].includes(String(value));
  if (!Number.isInteger(n)) return false;
  if (INT32.has(type)) return n >= -(2 ** 31) && n < 2 ** 31;
  if (UINT32.has(type)) return n >= 0 && n < 2 ** 32;
  if (INT64.has(type)) return type.startsWith('u') || type.startsWith('f') ? n >= 0 : true;
  return true;
}

const scalarName = (type: string): string => `TYPE_${type.toUpperCase()}`;

function badValue(path: string, type: string, value: unknown): FieldViolation {
  const shown = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return { field: path, description: `Invalid value at '${path}' (${type}), ${shown}` };
}
