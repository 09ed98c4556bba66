import type { ApiError } from '../../../emulator/core/api-error';
import { templateRegex } from '../../../emulator/core/proto-load';
import { parseBody, type Schema } from '../../../emulator/core/proto-schema';

/** A tiny schema in the shape proto-load.ts derives from a client's protos.json. */
const schema: Schema = {
  messages: {
    'x.Policy': {
      fields: {
        displayName: { type: 'string' },
        timeoutSec: { type: 'int32' },
        id: { type: 'uint64' },
        ratio: { type: 'double' },
        enabled: { type: 'google.protobuf.BoolValue' },
        mode: { type: 'string', enumOf: 'x.Policy.Mode' },
        combiner: { type: 'x.Combiner' },
        labels: { type: 'string', keyType: 'string' },
        conditions: { type: 'x.Condition', repeated: true },
        duration: { type: 'google.protobuf.Duration' },
      },
    },
    'x.Condition': {
      fields: { threshold: { type: 'x.Threshold' }, absent: { type: 'x.Threshold' } },
      oneofs: { condition: ['threshold', 'absent'] },
    },
    'x.Threshold': { fields: { value: { type: 'double' } } },
  },
  enums: { 'x.Policy.Mode': { ON: 1, OFF: 2 }, 'x.Combiner': { AND: 1, OR: 2 } },
};

const errorOf = (body: unknown, at = 'resource'): ApiError | undefined => {
  try {
    parseBody(schema, 'x.Policy', body, at);
  } catch (err) {
    return err as ApiError;
  }
  return undefined;
};

test('proto3 JSON is accepted as Google parses it: camelCase or proto names, numbers as strings, null, int enums', () => {
  const body = {
    displayName: 'p',
    timeout_sec: '30',
    id: '12345678901234567890',
    ratio: 'NaN',
    enabled: null,
    mode: 'ON',
    combiner: 2,
    labels: { a: 'b' },
    conditions: [{ threshold: { value: 1 } }, { absent: { value: '2.5' } }],
    duration: '60s',
  };
  expect(errorOf(body)).toBeUndefined();
  // …and reaches the API in canonical form: JSON names, numbers, 64-bit integers as strings, enum names.
  expect(parseBody(schema, 'x.Policy', body, 'resource')).toEqual({
    displayName: 'p',
    timeoutSec: 30,
    id: '12345678901234567890',
    ratio: 'NaN',
    enabled: null,
    mode: 'ON',
    combiner: 'OR',
    labels: { a: 'b' },
    conditions: [{ threshold: { value: 1 } }, { absent: { value: 2.5 } }],
    duration: '60s',
  });
});

test('an unknown name is refused with the transcoder wording, the path in proto names', () => {
  const err = errorOf({ conditions: [{ threshold: { value: 1, bogusName: 1 } }] });
  expect(err?.status).toBe(400);
  expect(err?.grpc).toBe('INVALID_ARGUMENT');
  expect(err?.message).toBe(
    `Invalid JSON payload received. Unknown name "bogusName" at 'resource.conditions[0].threshold': Cannot find field.`,
  );
  expect(err?.violations).toEqual([{ field: 'resource.conditions[0].threshold', description: err?.message }]);
  // At the top of a body that is the whole request there is no `at` clause.
  expect(errorOf({ nope: 1 }, '')?.message).toBe(
    'Invalid JSON payload received. Unknown name "nope": Cannot find field.',
  );
});

test('wrong JSON types, unknown enum values and two members of a oneof are refused, all reported at once', () => {
  const err = errorOf({
    timeoutSec: 'abc',
    mode: 'SIDEWAYS',
    combiner: 'XOR',
    labels: ['a'],
    conditions: [{ threshold: {}, absent: {} }],
    duration: 60,
  });
  expect(err?.message.split('\n')).toEqual([
    `Invalid value at 'resource.timeout_sec' (TYPE_INT32), "abc"`,
    `Invalid value at 'resource.mode' (type.googleapis.com/x.Policy.Mode), "SIDEWAYS"`,
    `Invalid value at 'resource.combiner' (type.googleapis.com/x.Combiner), "XOR"`,
    `Invalid value at 'resource.labels' (map), ["a"]`,
    `Invalid value at 'resource.conditions[0]' (oneof), oneof field 'condition' is already set. Cannot set 'absent'`,
    `Invalid value at 'resource.duration' (type.googleapis.com/google.protobuf.Duration), 60`,
  ]);
  expect(errorOf({ timeoutSec: 2 ** 31 })?.message).toContain('(TYPE_INT32)');
  expect(errorOf({ timeoutSec: 1.5 })?.message).toContain('(TYPE_INT32), 1.5');
});

test('path templates of google.api.http bindings', () => {
  expect(
    templateRegex('/v3/{name=projects/*/metricDescriptors/**}').test('/v3/projects/p/metricDescriptors/a.com/b/c'),
  ).toBe(true);
  expect(templateRegex('/v3/{name=projects/*}/alertPolicies').test('/v3/projects/p/alertPolicies')).toBe(true);
  const rr = templateRegex('/compute/v1/projects/{project}/regions/{region}/autoscalers');
  expect(rr.test('/compute/v1/projects/p/regions/r/autoscalers')).toBe(true);
  expect(rr.test('/compute/v1/projects/p/regions/r/autoscalers/x')).toBe(false);
});
