import { startTwin, type Twin } from '../../helpers/twin';
import { gpuTemplate, P, R } from './mig-helpers';

/**
 * "Proactive instance redistribution is enabled by default. … if you need to set the MIG's target
 * distribution shape to BALANCED or ANY_SINGLE_ZONE, you must disable proactive instance redistribution."
 * (https://cloud.google.com/compute/docs/instance-groups/distributing-instances-with-regional-instance-groups).
 * The page does not name ANY: the twin does not refuse it.
 */
let w: Twin;
let template: string;
beforeAll(async () => {
  w = await startTwin({ timings: 'mig' });
  template = await gpuTemplate(w);
});
afterAll(() => w.close());

const insert = (targetShape: string, updatePolicy?: Record<string, unknown>, name = w.uniq('mig')) =>
  w.gcp.compute.regionInstanceGroupManagers.insert({
    project: P,
    region: R,
    instanceGroupManagerResource: {
      name,
      baseInstanceName: 'vm',
      instanceTemplate: template,
      distributionPolicy: { targetShape },
      ...(updatePolicy ? { updatePolicy } : {}),
    },
  });

const redistribution = async (name: string) =>
  (await w.gcp.compute.regionInstanceGroupManagers.get({ project: P, region: R, instanceGroupManager: name }))[0]
    .updatePolicy?.instanceRedistributionType;

test('BALANCED and ANY_SINGLE_ZONE refuse PROACTIVE, explicit or by default', async () => {
  for (const shape of ['BALANCED', 'ANY_SINGLE_ZONE']) {
    for (const policy of [undefined, { instanceRedistributionType: 'PROACTIVE' }]) {
      const err = await w.failure(insert(shape, policy));
      expect(err.code).toBe(400);
      expect(err.message).toContain("Invalid value for field 'resource.updatePolicy.instanceRedistributionType'");
    }
    const name = w.uniq('mig');
    await w.done(await insert(shape, { instanceRedistributionType: 'NONE' }, name));
    expect(await redistribution(name)).toBe('NONE');
  }
});

test('EVEN and ANY take the default, PROACTIVE', async () => {
  for (const shape of ['EVEN', 'ANY']) {
    const name = w.uniq('mig');
    await w.done(await insert(shape, undefined, name));
    expect(await redistribution(name)).toBe('PROACTIVE');
  }
});

test('a patch turning PROACTIVE on for a BALANCED MIG is refused', async () => {
  const name = w.uniq('mig');
  await w.done(await insert('BALANCED', { instanceRedistributionType: 'NONE' }, name));
  const [mig] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: P,
    region: R,
    instanceGroupManager: name,
  });
  const err = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.patch({
      project: P,
      region: R,
      instanceGroupManager: name,
      instanceGroupManagerResource: {
        updatePolicy: { instanceRedistributionType: 'PROACTIVE' },
        fingerprint: mig.fingerprint,
      },
    }),
  );
  expect(err.code).toBe(400);
});
