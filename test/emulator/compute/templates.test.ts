import { startTwin, type Twin } from '../../helpers/twin';
import { P } from './lb-helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const insert = (properties: Record<string, unknown>, name = w.uniq('tpl')) =>
  w.gcp.compute.instanceTemplates.insert({ project: P, instanceTemplateResource: { name, properties } });

const L4 = [{ acceleratorType: 'nvidia-l4', acceleratorCount: 1 }];
const LIVE_MIGRATION = 'Instances with guest accelerators do not support live migration.';

test('a GPU template with onHostMaintenance TERMINATE is created and read back', async () => {
  const name = w.uniq('tpl');
  await w.done(
    await insert(
      { machineType: 'g2-standard-8', guestAccelerators: L4, scheduling: { onHostMaintenance: 'TERMINATE' } },
      name,
    ),
  );
  const [t] = await w.gcp.compute.instanceTemplates.get({ project: P, instanceTemplate: name });
  expect(t.kind).toBe('compute#instanceTemplate');
  expect(t.properties?.machineType).toBe('g2-standard-8');
  expect(t.properties?.guestAccelerators?.[0]).toMatchObject({ acceleratorType: 'nvidia-l4', acceleratorCount: 1 });
  expect(t.properties?.scheduling).toMatchObject({ onHostMaintenance: 'TERMINATE', automaticRestart: true });
});

test('GPUs with MIGRATE, or with the default (MIGRATE) → 400 with Google’s message', async () => {
  const migrate = await w.failure(
    insert({ machineType: 'n1-standard-8', guestAccelerators: L4, scheduling: { onHostMaintenance: 'MIGRATE' } }),
  );
  expect(migrate.code).toBe(400);
  expect(migrate.message).toContain(LIVE_MIGRATION);
  const unset = await w.failure(insert({ machineType: 'n1-standard-8', guestAccelerators: L4 }));
  expect(unset.code).toBe(400);
  expect(unset.message).toContain(LIVE_MIGRATION);
});

test('an accelerator machine type (a2-/a3-/g2-) implies GPUs', async () => {
  for (const machineType of ['a2-highgpu-1g', 'a3-highgpu-8g', 'g2-standard-4']) {
    const err = await w.failure(insert({ machineType }));
    expect(err.code).toBe(400);
    expect(err.message).toContain(LIVE_MIGRATION);
  }
  // A CPU machine type migrates by default.
  const name = w.uniq('tpl');
  await w.done(await insert({ machineType: 'e2-standard-4' }, name));
  const [t] = await w.gcp.compute.instanceTemplates.get({ project: P, instanceTemplate: name });
  expect(t.properties?.scheduling?.onHostMaintenance).toBe('MIGRATE');
});

test('missing machineType or a zero accelerator count → 400', async () => {
  expect((await w.failure(insert({ scheduling: { onHostMaintenance: 'TERMINATE' } }))).code).toBe(400);
  const zero = await w.failure(
    insert({
      machineType: 'n1-standard-8',
      guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 0 }],
      scheduling: { onHostMaintenance: 'TERMINATE' },
    }),
  );
  expect(zero.code).toBe(400);
});

test('templates are immutable: PATCH and PUT do not exist (405); delete works', async () => {
  const name = w.uniq('tpl');
  await w.done(await insert({ machineType: 'e2-standard-4' }, name));
  // The official client has no patch/update for templates: speak HTTP directly.
  const url = `${w.emu.restUrl}/compute/v1/projects/${P}/global/instanceTemplates/${name}`;
  for (const method of ['PATCH', 'PUT']) {
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { machineType: 'e2-standard-8' } }),
    });
    expect(res.status).toBe(405);
  }
  const [t] = await w.gcp.compute.instanceTemplates.get({ project: P, instanceTemplate: name });
  expect(t.properties?.machineType).toBe('e2-standard-4');
  await w.done(await w.gcp.compute.instanceTemplates.delete({ project: P, instanceTemplate: name }));
  expect((await w.failure(w.gcp.compute.instanceTemplates.get({ project: P, instanceTemplate: name }))).code).toBe(404);
});
