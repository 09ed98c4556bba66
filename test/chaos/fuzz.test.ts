import fc from 'fast-check';
import { parseConfig } from '../../shared/config';
import { InvalidInputError } from '../../shared/core/errors';
import { memoryLogger } from '../../shared/core/logger';
import type { Deps } from '../../shared/deps';
import type { GcpClients } from '../../shared/gcp/clients';
import { handleCapacityRequest } from '../../shared/handlers/capacity-request';
import { type CloudEventLike, decodeEnvelope, MAX_MESSAGE_BYTES, parseJson } from '../../shared/handlers/envelope';
import { handleHealthAlert } from '../../shared/handlers/health-alert';
import { CapacityRequestSchema, IncidentNotificationSchema, parseMessage } from '../../shared/handlers/messages';
import { handleReconcileTick } from '../../shared/handlers/reconcile-tick';
import { pubsubEvent, recordingRuntime } from '../helpers/events';
import { incident } from '../helpers/incidents';
import { testConfig } from '../helpers/stack';
import { FULL, secretLeaks, size, writeFigures } from './helpers/report';

/**
 * Property-based fuzzing of everything georoute reads from outside: the Pub/Sub envelope
 * (CloudEvent), the message bodies (capacity request, incident), and the config. Whatever comes in:
 * a clean InvalidInputError (never a crash), the handler acks (returns) with the message
 * dead-lettered, no Google API is touched, and memory stays bounded.
 */
jest.setTimeout(FULL ? 900_000 : 60_000);
const RUNS = size(120, 5_000);
const config = testConfig();
const figures: Record<string, unknown> = { runsPerProperty: RUNS };
afterAll(() => writeFigures('fuzz', figures));

/** Only InvalidInputError may escape a parser: anything else is a crash. */
function cleanly(fn: () => unknown): 'ok' | 'invalid' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidInputError) {
      expect(err.message.length).toBeLessThanOrEqual(2_048);
      return 'invalid';
    }
    throw err;
  }
}

// ---- generators of hostile input --------------------------------------------------------------

const deep = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
};
const hostileStringUpTo = (longest: number) =>
  fc.oneof(
    fc.string(),
    fc.constantFrom('日本語', 'e\u0301', '👩‍👩‍👧', '\u202Eevil', 'Ωmega', '\uFEFF'),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '💥',
      'é'.normalize('NFD'),
      '\uD800',
      '../../etc/passwd',
      '\u0024{jndi:x}',
      '__proto__',
    ),
    fc.integer({ min: 1, max: longest }).map((n) => 'x'.repeat(n)),
  );
const hostileString = hostileStringUpTo(200_000);
const hostileValueWith = (str: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    str,
    fc.constantFrom(null, true, 0, -1, 1e308, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53 + 1),
    fc.integer({ min: 100, max: 1_500 }).map(deep),
    fc.integer({ min: 1, max: 100_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    fc.dictionary(str, fc.jsonValue(), { maxKeys: 8 }),
    fc.constantFrom({ toString: 1, valueOf: 1 }, { ['__proto__']: { polluted: true } }, Object.create(null)),
  );
const hostileValue = hostileValueWith(hostileString);
const validRequest = {
  requestId: 'fuzz-1',
  region: 'us-central1',
  accelerator: 'nvidia-l4',
  replicas: 2,
  durationMinutes: 30,
  reason: 'fuzz',
};
/** A valid message with one field replaced, removed or added. */
const mutated = (base: Record<string, unknown>, values = hostileValue) =>
  fc.tuple(fc.constantFrom(...Object.keys(base), 'extra', 'near'), values, fc.boolean()).map(([key, value, remove]) => {
    const out: Record<string, unknown> = { ...base };
    if (remove) delete out[key];
    else out[key] = value;
    return out;
  });
const invalidBase64 = fc.oneof(
  fc.string({ minLength: 1 }).filter((s) => !/^[A-Za-z0-9+/]*={0,2}$/.test(s.replace(/\s+/g, ''))),
  fc.constantFrom('!!!', 'A', 'AAAAA', '====', 'YQ===', '\u00ff\u00fe'),
);
const envelope: fc.Arbitrary<CloudEventLike> = fc.oneof(
  hostileValue.map((data) => ({ id: 'e', data })),
  fc.record({
    id: fc.option(hostileString),
    data: fc.record({ message: hostileValue }),
  }) as fc.Arbitrary<CloudEventLike>,
  fc
    .record({
      data: fc.oneof(invalidBase64, hostileValue),
      messageId: fc.oneof(hostileString, hostileValue),
      attributes: hostileValue,
      publishTime: hostileValue,
    })
    .map((message) => ({ id: 'e', data: { message, subscription: 'x' } }) as CloudEventLike),
  fc.integer({ min: MAX_MESSAGE_BYTES, max: 400_000 }).map((n) => pubsubEvent(Buffer.alloc(n, 0x61))),
);

// ---- the pure parts, for volume -----------------------------------------------------------------

test('decodeEnvelope: any CloudEvent → a delivery or a clean InvalidInputError; oversized data refused', () => {
  const outcomes = { ok: 0, invalid: 0 };
  fc.assert(
    fc.property(envelope, (event) => {
      const r = cleanly(() => {
        const d = decodeEnvelope(event);
        expect(d.data.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES + 3);
        expect(typeof d.eventId).toBe('string');
        for (const v of Object.values(d.attributes)) expect(typeof v).toBe('string');
      });
      outcomes[r]++;
    }),
    { numRuns: RUNS },
  );
  figures.envelope = outcomes;
});

test('parseJson: any bytes → JSON or a clean InvalidInputError', () => {
  const outcomes = { ok: 0, invalid: 0 };
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
        fc.integer({ min: 100, max: 20_000 }).map((n) => Buffer.from('['.repeat(n))),
      ),
      (bytes) => {
        outcomes[cleanly(() => parseJson(bytes))]++;
      },
    ),
    { numRuns: RUNS },
  );
  figures.parseJson = outcomes;
});

test('capacity request and incident schemas: any JSON → parsed or a clean InvalidInputError', () => {
  const outcomes = { capacityOk: 0, capacityInvalid: 0, incidentOk: 0, incidentInvalid: 0 };
  const incidentBase = incident('fz', 'open', 'us-east4', Date.now()) as { incident: Record<string, unknown> };
  fc.assert(
    fc.property(fc.oneof(hostileValue, mutated(validRequest)), (value) => {
      const r = cleanly(() => {
        const req = parseMessage(CapacityRequestSchema, value, 'capacity request');
        expect(Number.isInteger(req.replicas) && req.replicas >= 1 && req.replicas <= 10_000).toBe(true);
      });
      outcomes[r === 'ok' ? 'capacityOk' : 'capacityInvalid']++;
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(
      fc.oneof(
        hostileValue,
        mutated(incidentBase.incident).map((i) => ({ version: '1.2', incident: i })),
        mutated(incidentBase),
      ),
      (value) => {
        const r = cleanly(() => parseMessage(IncidentNotificationSchema, value, 'incident notification'));
        outcomes[r === 'ok' ? 'incidentOk' : 'incidentInvalid']++;
      },
    ),
    { numRuns: RUNS },
  );
  figures.schemas = outcomes;
});

test('parseConfig: random JSON, YAML text and mutated configs → ok or a list of errors, never a throw', () => {
  const outcomes = { ok: 0, errors: 0 };
  const base = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const region0 = (base.regions as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  const regionMutation = fc.tuple(fc.nat({ max: 2 }), mutated(region0, hostileValue));
  fc.assert(
    fc.property(
      fc.oneof(
        hostileValue,
        mutated(base, hostileValue),
        regionMutation.map(([i, region]) => {
          const regions = [...(base.regions as object[])];
          regions[i] = region;
          return { ...base, regions };
        }),
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom('a: &a [*a]', 'a: !!js/function "x"', 'a: &x 1\nb: *y', 'x: 1\n'.repeat(300_000)),
        fc.integer({ min: 65, max: 20_000 }).map((n) => `${'- '.repeat(n)}x`),
        fc.integer({ min: 65, max: 20_000 }).map((n) => `a: ${'['.repeat(n)}`),
        fc
          .integer({ min: 65, max: 5_000 })
          .map((n) => Array.from({ length: n }, (_, k) => `${'  '.repeat(k)}k${k}:`).join('\n')),
      ),
      (input) => {
        const result = parseConfig(input);
        if (result.ok) outcomes.ok++;
        else {
          outcomes.errors++;
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) expect(typeof e).toBe('string');
        }
      },
    ),
    { numRuns: RUNS },
  );
  figures.config = outcomes;
});

// ---- the handlers: ack, dead-letter, no action ----------------------------------------------------

/** Deps whose Google clients record any use: a rejected message must not reach any API. */
function untouchableDeps(): { deps: Deps; touched: string[] } {
  const touched: string[] = [];
  const trap = (path: string): unknown =>
    new Proxy(() => undefined, {
      get: (_t, prop) => (prop === 'then' ? undefined : trap(`${path}.${String(prop)}`)),
      apply: () => {
        touched.push(path);
        return Promise.reject(new Error(`no API call expected: ${path}`));
      },
    });
  const deps: Deps = {
    gcp: trap('gcp') as GcpClients,
    logger: memoryLogger(),
    project: config.project,
    addresses: new Map(),
    now: () => Date.now(),
  };
  return { deps, touched };
}

test('handlers: hostile messages are acked and dead-lettered with no API call; memory stays bounded', async () => {
  const { deps, touched } = untouchableDeps();
  const rt = recordingRuntime(config, deps);
  const logs = (deps.logger as ReturnType<typeof memoryLogger>).entries;
  const handlers = {
    capacityRequest: handleCapacityRequest,
    healthAlert: handleHealthAlert,
    reconcile: handleReconcileTick,
  };
  const counts = { capacityRequest: 0, healthAlert: 0, reconcile: 0, rejectedAnswers: 0 };
  const heapBefore = process.memoryUsage().heapUsed;
  let maxDeadLetter = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(handlers) as Array<keyof typeof handlers>)),
      fc.oneof(
        envelope,
        fc.oneof(hostileValue, mutated(validRequest)).map((body) => pubsubEvent(JSON.stringify(body) ?? 'null')),
      ),
      async (name, event) => {
        // A tick accepts any well-formed message (its content is irrelevant): only broken envelopes here.
        if (name === 'reconcile' && isWellFormed(event)) return;
        if (name !== 'reconcile' && isValidFor(name, event)) return; // the rare valid one would act: skip
        rt.published.length = 0;
        const outcome = await handlers[name](rt, event); // returns = ack
        expect(outcome.decision).toBe('dead-lettered');
        const dead = rt.published.filter((p) => p.topic === config.pubsub.deadLetter);
        expect(dead).toHaveLength(1);
        const size = JSON.stringify(dead[0]?.payload).length;
        maxDeadLetter = Math.max(maxDeadLetter, size);
        expect(size).toBeLessThan(32_768);
        counts.rejectedAnswers += rt.published.filter((p) => p.topic === config.pubsub.capacityResults).length;
        for (const p of rt.published.filter((x) => x.topic === config.pubsub.capacityResults))
          expect((p.payload as { status: string }).status).toBe('rejected');
        counts[name] = (counts[name] ?? 0) + 1;
      },
    ),
    { numRuns: RUNS },
  );
  expect(touched).toEqual([]);
  const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  expect(growthMb).toBeLessThan(512);
  expect(secretLeaks(logs)).toEqual([]);
  figures.handlers = {
    deadLettered: counts,
    apiCalls: touched.length,
    largestDeadLetterBytes: maxDeadLetter,
    heapGrowthMb: Math.round(growthMb),
    logLines: logs.length,
    secretLeaks: 0,
  };
});

function isWellFormed(event: CloudEventLike): boolean {
  try {
    decodeEnvelope(event);
    return true;
  } catch {
    return false;
  }
}

function isValidFor(name: 'capacityRequest' | 'healthAlert', event: CloudEventLike): boolean {
  try {
    const value = parseJson(decodeEnvelope(event).data);
    if (name === 'capacityRequest') {
      const r = parseMessage(CapacityRequestSchema, value, 'x');
      return (
        (r.region === 'us-central1' || r.region === 'us-east4' || r.region === 'europe-west4' || !!r.near) &&
        r.accelerator === 'nvidia-l4'
      );
    }
    parseMessage(IncidentNotificationSchema, value, 'x');
    return true;
  } catch {
    return false;
  }
}

test('regression: a messageId that is a JSON object ({"toString": 1}) is not a crash', () => {
  const message = JSON.parse('{"data":"e30=","messageId":{"toString":1,"valueOf":1}}');
  expect(() => decodeEnvelope({ id: 'e-1', data: { message } })).not.toThrow();
  expect(decodeEnvelope({ id: 'e-1', data: { message } }).messageId).toBe('e-1');
});
