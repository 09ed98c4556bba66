import { startTwin, type Twin } from '../../helpers/twin';
import { addInstanceGroup, globalHealthCheck, P, R } from './lb-helpers';

/**
 * One instance group behind several backend services: "the backends must use compatible balancing modes.
 * Compatible means that the balancing modes must be the same, or they must be a combination of compatible
 * balancing modes—for example, CONNECTION and RATE" (https://cloud.google.com/load-balancing/docs/backend-service).
 * Google's error: https://cloud.google.com/load-balancing/docs/l7-internal/troubleshooting-l7-ilb.
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const RATE = { balancingMode: 'RATE', maxRatePerInstance: 4 };
const UTILIZATION = { balancingMode: 'UTILIZATION', maxUtilization: 0.8 };

async function regionHealthCheck(): Promise<string> {
  const name = w.uniq('hc');
  await w.done(
    await w.gcp.compute.regionHealthChecks.insert({
      project: P,
      region: R,
      healthCheckResource: { name, type: 'HTTP', httpHealthCheck: { port: 8080 } },
    }),
  );
  return `https://www.googleapis.com/compute/v1/projects/${P}/regions/${R}/healthChecks/${name}`;
}

const globalService = async (group: string, mode: Record<string, unknown>) =>
  w.gcp.compute.backendServices.insert({
    project: P,
    backendServiceResource: {
      name: w.uniq('bs'),
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      healthChecks: [await globalHealthCheck(w)],
      backends: [{ group, ...mode }],
    },
  });

const regionalService = async (group: string, mode: Record<string, unknown>) =>
  w.gcp.compute.regionBackendServices.insert({
    project: P,
    region: R,
    backendServiceResource: {
      name: w.uniq('rbs'),
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      protocol: 'HTTP',
      healthChecks: [await regionHealthCheck()],
      backends: [{ group, ...mode }],
    },
  });

test('the same mode in a global and a regional backend service is accepted', async () => {
  const group = addInstanceGroup(w, w.uniq('ig'));
  await w.done(await globalService(group, RATE));
  await w.done(await regionalService(group, RATE));
});

test("RATE beside UTILIZATION is refused with Google's documented error", async () => {
  const group = addInstanceGroup(w, w.uniq('ig'));
  await w.done(await globalService(group, UTILIZATION));
  const err = await w.failure(regionalService(group, RATE));
  expect(err.code).toBe(400);
  expect(err.message).toMatch(
    /Validation failed for instance group projects\/p1\/regions\/us-central1\/instanceGroups\/ig-[^:]+: backend services projects\/p1\/global\/backendServices\/bs-\S+ and projects\/p1\/regions\/us-central1\/backendServices\/rbs-\S+ point to the same instance group but the backends have incompatible balancing_mode\. Values should be the same\./,
  );
  // Another group is free to use another mode.
  await w.done(await regionalService(addInstanceGroup(w, w.uniq('ig')), RATE));
});

test('a patch that makes a shared group incompatible is refused too', async () => {
  const group = addInstanceGroup(w, w.uniq('ig'));
  await w.done(await globalService(group, RATE));
  const name = w.uniq('rbs');
  await w.done(
    await w.gcp.compute.regionBackendServices.insert({
      project: P,
      region: R,
      backendServiceResource: {
        name,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTP',
        healthChecks: [await regionHealthCheck()],
        backends: [{ group, ...RATE }],
      },
    }),
  );
  const [bs] = await w.gcp.compute.regionBackendServices.get({ project: P, region: R, backendService: name });
  const err = await w.failure(
    w.gcp.compute.regionBackendServices.patch({
      project: P,
      region: R,
      backendService: name,
      backendServiceResource: { backends: [{ group, ...UTILIZATION }], fingerprint: bs.fingerprint },
    }),
  );
  expect(err.code).toBe(400);
  expect(err.message).toContain('incompatible balancing_mode');
});
