import { startTwin, type Twin } from '../../helpers/twin';

/**
 * Operations are addressed by name or by numeric id: the `operation` parameter is "Name of the
 * Operations resource to return, or its unique numeric identifier"
 * (https://cloud.google.com/compute/docs/reference/rest/v1/regionOperations/get,
 * https://cloud.google.com/compute/docs/reference/rest/v1/globalOperations/wait). The twin knew names only.
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'mig' });
});
afterAll(() => w.close());

type Op = { name?: string | null; id?: string | number | null; status?: unknown };
const opOf = (result: unknown[]): Op => (result[0] as { latestResponse: Op }).latestResponse;

test('a global operation is fetched and waited on by its numeric id', async () => {
  const op = opOf(
    await w.gcp.compute.healthChecks.insert({
      project: w.project,
      healthCheckResource: { name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 } },
    }),
  );
  const id = String(op.id);
  expect(id).toMatch(/^\d+$/);
  const [got] = await w.gcp.compute.globalOperations.get({ project: w.project, operation: id });
  expect(got.name).toBe(op.name);
  let [waited] = await w.gcp.compute.globalOperations.wait({ project: w.project, operation: id });
  while (waited.status !== 'DONE')
    [waited] = await w.gcp.compute.globalOperations.wait({ project: w.project, operation: id });
  expect(waited).toMatchObject({ name: op.name, status: 'DONE' });
});

test('a regional operation is fetched by its numeric id; an unknown id is 404', async () => {
  const op = opOf(
    await w.gcp.compute.regionHealthChecks.insert({
      project: w.project,
      region: 'us-central1',
      healthCheckResource: { name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 } },
    }),
  );
  const [got] = await w.gcp.compute.regionOperations.get({
    project: w.project,
    region: 'us-central1',
    operation: String(op.id),
  });
  expect(got.name).toBe(op.name);
  const err = await w.failure(
    w.gcp.compute.regionOperations.get({ project: w.project, region: 'us-central1', operation: '42' }),
  );
  expect(err.code).toBe(404);
});
