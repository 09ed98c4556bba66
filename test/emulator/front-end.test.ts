import { startTwin, type Twin } from '../helpers/twin';
import { newZone, zoneRequest } from './dns/helpers';

/**
 * Request bodies are parsed as Google's front end parses them, from the API definitions the official
 * clients ship (emulator/core/front-end.ts). Wording: the transcoder's, as observed in
 * https://github.com/google-marketing-solutions/dv360-api-appsscript-samples/issues/7 (`at 'insertion_order'`)
 * and https://github.com/google-gemini/gemini-cli/issues/13972 (proto names in the path).
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

/**
 * A raw request: the official Compute and Monitoring clients build bodies from their protos, so they
 * cannot send an unknown field or a string where a number goes; these tests need exactly that.
 */
async function raw(method: string, path: string, body: unknown) {
  const res = await fetch(w.emu.restUrl + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error: Record<string, unknown> } & Record<string, unknown>,
  };
}

const BS = '/compute/v1/projects/p1/global/backendServices';

test('Compute: an unknown field is refused (400 INVALID_ARGUMENT) at its proto path, with BadRequest details', async () => {
  const res = await raw('POST', BS, { name: w.uniq('bs'), connectionDraining: { drainingTimeoutSec: 5, fooBar: 1 } });
  const message = `Invalid JSON payload received. Unknown name "fooBar" at 'resource.connection_draining': Cannot find field.`;
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual({
    code: 400,
    message,
    errors: [{ domain: 'global', reason: 'invalid', message }],
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'resource.connection_draining', description: message }],
      },
    ],
  });
});

test('Compute: a wrong JSON type is refused; a number as a string and proto field names are proto3 JSON', async () => {
  const bad = await raw('POST', BS, { name: w.uniq('bs'), timeoutSec: 'abc' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toBe(`Invalid value at 'resource.timeout_sec' (TYPE_INT32), "abc"`);
  const name = w.uniq('bs');
  expect((await raw('POST', BS, { name, timeout_sec: '45' })).status).toBe(200);
  const [bs] = await w.gcp.compute.backendServices.get({ project: w.project, backendService: name });
  expect(bs.timeoutSec).toBe(45);
});

test('Compute: an enum value the API does not define is refused (official client)', async () => {
  const err = await w.failure(
    w.gcp.compute.backendServices.insert({
      project: w.project,
      backendServiceResource: { name: w.uniq('bs'), loadBalancingScheme: 'SIDEWAYS' },
    }),
  );
  expect(err.code).toBe(400);
  expect(JSON.parse(err.message).error.message).toBe(
    `Invalid value at 'resource.load_balancing_scheme' (type.googleapis.com/google.cloud.compute.v1.BackendService.LoadBalancingScheme), "SIDEWAYS"`,
  );
});

test('Monitoring: an unknown field is refused in the google.rpc.Status shape, named after the body field', async () => {
  const res = await raw('POST', '/v3/projects/p1/alertPolicies', { displayName: 'x', bogus: true });
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: `Invalid JSON payload received. Unknown name "bogus" at 'alert_policy': Cannot find field.`,
  });
  expect(res.body.error.errors).toBeUndefined();
});

test('Cloud DNS: an unknown field in a change is refused (the DNS library sends the body as given)', async () => {
  const zone = await newZone(w);
  const name = `a.${zone.metadata.dnsName}`;
  const err = await zoneRequest(zone, {
    method: 'POST',
    uri: '/changes',
    json: { additions: [{ name, type: 'A', ttl: 60, rrdatas: ['10.0.0.1'], bogus: 1 }] },
  }).catch((e: unknown) => e);
  expect(err).toMatchObject({
    code: 400,
    message: `Invalid JSON payload received. Unknown name "bogus" at 'entity.change.additions[0]': Cannot find field.`,
  });
});
