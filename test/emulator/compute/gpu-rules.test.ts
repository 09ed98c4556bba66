import { ACCELERATOR_ZONES } from '../../../shared/config/gpu-catalog';
import { startTwin, type Twin } from '../../helpers/twin';
import { BASE, P } from './mig-helpers';

/**
 * GPU machines as Compute Engine takes them, from the table georoute and the twin share
 * (shared/config/gpu-catalog.ts; https://cloud.google.com/compute/docs/accelerator-optimized-machines).
 * Google's messages for these refusals were not found: the tests pin the field and status, not our wording.
 */
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'mig' });
});
afterAll(() => w.close());

const TERMINATE = { onHostMaintenance: 'TERMINATE' };
const disk = (initializeParams: Record<string, unknown>) => [
  {
    boot: true,
    autoDelete: true,
    type: 'PERSISTENT',
    initializeParams: { sourceImage: 'projects/cos-cloud/global/images/family/cos-stable', ...initializeParams },
  },
];

async function template(properties: Record<string, unknown>, name = w.uniq('tpl')): Promise<string> {
  await w.done(
    await w.gcp.compute.instanceTemplates.insert({
      project: P,
      instanceTemplateResource: { name, properties: { scheduling: TERMINATE, ...properties } },
    }),
  );
  return `${BASE}projects/${P}/global/instanceTemplates/${name}`;
}

const refused = (properties: Record<string, unknown>) =>
  w.failure(
    w.gcp.compute.instanceTemplates.insert({
      project: P,
      instanceTemplateResource: { name: w.uniq('tpl'), properties: { scheduling: TERMINATE, ...properties } },
    }),
  );

test('G2 refuses pd-standard, explicit or by default; pd-balanced and pd-ssd are taken', async () => {
  // "Standard Persistent Disk (pd-standard) isn't supported on instances that use the G2 machine type."
  for (const params of [{ diskType: 'pd-standard' }, {}]) {
    const err = await refused({ machineType: 'g2-standard-8', disks: disk(params) });
    expect(err.code).toBe(400);
    expect(err.message).toContain("Invalid value for field 'resource.properties.disks[0].initializeParams.diskType'");
  }
  await template({ machineType: 'g2-standard-8', disks: disk({ diskType: 'pd-balanced' }) });
  await template({ machineType: 'g2-standard-8', disks: disk({ diskType: 'pd-ssd' }) });
  // A2 takes pd-standard (the table says so); a CPU machine type is not checked.
  await template({ machineType: 'a2-highgpu-1g', disks: disk({}) });
  await template({ machineType: 'e2-standard-4', disks: disk({}), scheduling: {} });
});

test("a G2 machine type's GPUs are fixed: guestAccelerators may only repeat them", async () => {
  const err = await refused({
    machineType: 'g2-standard-8',
    disks: disk({ diskType: 'pd-balanced' }),
    guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 2 }],
  });
  expect(err.code).toBe(400);
  expect(err.message).toContain(
    "Invalid value for field 'resource.properties.guestAccelerators[0].acceleratorCount': '2'",
  );
  await template({
    machineType: 'g2-standard-24',
    disks: disk({ diskType: 'pd-balanced' }),
    guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 2 }],
  });
});

test('Deep Learning VM images cannot boot G2', async () => {
  // "You can't use Deep Learning VM Images as boot disks for instances that use the G2 machine type."
  const err = await refused({
    machineType: 'g2-standard-4',
    disks: disk({
      diskType: 'pd-balanced',
      sourceImage: 'projects/deeplearning-platform-release/global/images/family/common-cu121',
    }),
  });
  expect(err.code).toBe(400);
  expect(err.message).toContain("'resource.properties.disks[0].initializeParams.sourceImage'");
});

test('a MIG cannot create a GPU VM in a zone without that GPU: listErrors says so and no VM exists', async () => {
  expect(ACCELERATOR_ZONES['nvidia-l4']?.['us-west1']).not.toContain('us-west1-c');
  const g2 = await template({ machineType: 'g2-standard-8', disks: disk({ diskType: 'pd-balanced' }) });
  const n1 = await template({
    machineType: 'n1-standard-8',
    guestAccelerators: [{ acceleratorType: 'nvidia-l4', acceleratorCount: 1 }],
  });
  const cases: Array<[string, string, string, string]> = [
    [g2, 'us-west1', 'us-west1-c', 'machineTypes/g2-standard-8'],
    [n1, 'us-west1', 'us-west1-c', 'acceleratorTypes/nvidia-l4'],
    // A region the table does not know counts as lacking the GPU.
    [g2, 'me-west1', 'me-west1-a', 'machineTypes/g2-standard-8'],
  ];
  for (const [tpl, region, zone, missing] of cases) {
    const name = w.uniq('mig');
    await w.done(
      await w.gcp.compute.regionInstanceGroupManagers.insert({
        project: P,
        region,
        instanceGroupManagerResource: {
          name,
          baseInstanceName: 'vm',
          instanceTemplate: tpl,
          targetSize: 1,
          distributionPolicy: { zones: [{ zone: `${BASE}projects/${P}/zones/${zone}` }] },
        },
      }),
    );
    w.advance(1_000);
    const [errors] = await w.gcp.compute.regionInstanceGroupManagers.listErrors({
      project: P,
      region,
      instanceGroupManager: name,
    });
    expect(errors[0]?.error).toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
      message: `The resource 'projects/${P}/zones/${zone}/${missing}' was not found`,
    });
    const [managed] = await w.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
      project: P,
      region,
      instanceGroupManager: name,
    });
    expect(managed.map((m) => [m.instanceStatus ?? null, m.currentAction])).toEqual([[null, 'CREATING']]);
  }
});

test('in a zone that has the GPU the VM is created', async () => {
  const g2 = await template({ machineType: 'g2-standard-8', disks: disk({ diskType: 'pd-balanced' }) });
  const name = w.uniq('mig');
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.insert({
      project: P,
      region: 'us-west1',
      instanceGroupManagerResource: {
        name,
        baseInstanceName: 'vm',
        instanceTemplate: g2,
        targetSize: 1,
        distributionPolicy: { zones: [{ zone: `${BASE}projects/${P}/zones/us-west1-a` }] },
      },
    }),
  );
  w.advance(1_000);
  const [managed] = await w.gcp.compute.regionInstanceGroupManagers.listManagedInstances({
    project: P,
    region: 'us-west1',
    instanceGroupManager: name,
  });
  expect(managed[0]?.instanceStatus).toBe('PROVISIONING');
});
