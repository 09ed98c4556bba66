import type { GcpClients } from '../../shared/gcp/clients';
import { startTwin, type Twin } from '../helpers/twin';

let w: Twin;
let gcp: GcpClients;
beforeAll(async () => {
  w = await startTwin({ clockSpeed: 100 });
  gcp = w.gcp;
});
afterAll(() => w.close());

test('a compute client reaches the emulator and gets a Google-shaped 404', async () => {
  await expect(gcp.compute.backendServices.get({ project: 'p1', backendService: 'nope' })).rejects.toMatchObject({
    code: 404,
  });
});

/**
 * Compute's own errors have no `status` (unlike Cloud DNS or Monitoring): e.g.
 * https://github.com/GoogleCloudPlatform/deploymentmanager-samples/issues/23 and
 * https://github.com/stackql-registry/stackql-provider-google/issues/41 show `{code, message, errors}`.
 */
test('a Compute error body is {code, message, errors[{domain, reason, message}]} without status', async () => {
  const err = await gcp.compute.backendServices.get({ project: 'p1', backendService: 'nope' }).catch((e) => e);
  expect(JSON.parse((err as Error).message)).toEqual({
    error: {
      code: 404,
      message: "The resource 'projects/p1/global/backendServices/nope' was not found",
      errors: [
        {
          domain: 'global',
          reason: 'notFound',
          message: "The resource 'projects/p1/global/backendServices/nope' was not found",
        },
      ],
    },
  });
});
