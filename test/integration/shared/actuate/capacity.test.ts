import { applyCapacity } from '../../../../shared/actuate/capacity';
import { testConfig } from '../../../helpers/stack';
import { startWorld, type World } from '../../../helpers/world';

const config = testConfig();
const region = 'us-central1';
const autoscaler = `georoute-as-${region}`;
let w: World;

beforeAll(async () => {
  w = await startWorld(config);
});
afterAll(async () => {
  await w.close();
});

async function read() {
  const [a] = await w.gcp.compute.regionAutoscalers.get({ project: config.project, region, autoscaler });
  return a;
}
async function targetSize() {
  const [m] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: config.project,
    region,
    instanceGroupManager: `georoute-mig-${region}`,
  });
  return m.targetSize;
}

test('raises the floor through the autoscaler (never resize), and the MIG follows', async () => {
  const mark = await w.control.mark();
  const r = await applyCapacity(
    w.deps,
    { region, autoscaler, minReplicas: 3, description: 'georoute/v1 {"out":1,"in":null}' },
    { eventId: 'c1' },
  );
  expect(r).toMatchObject({ changed: true, writes: 1 });
  expect((await read()).autoscalingPolicy?.minNumReplicas).toBe(3);
  expect((await read()).description).toBe('georoute/v1 {"out":1,"in":null}');
  w.advance(1_000);
  expect(await targetSize()).toBe(3);
  const { requests } = await w.control.requests({ since: mark, api: 'compute' });
  expect(requests.some((q) => q.path.endsWith('/resize'))).toBe(false);
  const again = await applyCapacity(w.deps, { region, autoscaler, minReplicas: 3 }, { eventId: 'c2' });
  expect(again).toMatchObject({ changed: false, writes: 0 });
});

test('a time-boxed request is a scaling schedule; an expired one is disabled; an operator’s schedule is never touched', async () => {
  const spec = {
    minRequiredReplicas: 5,
    schedule: '* * * * *',
    durationSec: 600,
    description: 'georoute/v1 {"r":"req-1"}',
  };
  await applyCapacity(w.deps, { region, autoscaler, upsertSchedules: { 'georoute-req-1': spec } }, { eventId: 's1' });
  let policy = (await read()).autoscalingPolicy;
  expect(policy?.scalingSchedules?.['georoute-req-1']).toMatchObject({
    minRequiredReplicas: 5,
    durationSec: 600,
    disabled: false,
  });
  w.advance(61_000);
  expect(await targetSize()).toBe(5);

  // An operator's own schedule is not georoute's to touch.
  await w.gcp.compute.regionAutoscalers.patch({
    project: config.project,
    region,
    autoscaler,
    autoscalerResource: {
      name: autoscaler,
      autoscalingPolicy: {
        scalingSchedules: {
          'nightly-batch': { minRequiredReplicas: 2, schedule: '0 2 * * *', durationSec: 3600, timeZone: 'UTC' },
        },
      },
    },
  });
  await applyCapacity(
    w.deps,
    { region, autoscaler, retireSchedules: ['georoute-req-1', 'nightly-batch'] },
    { eventId: 's2' },
  );
  // Deleted (Google counts disabled schedules toward its 128), and the operator's left as it was.
  policy = (await read()).autoscalingPolicy;
  expect(Object.keys(policy?.scalingSchedules ?? {})).toEqual(['nightly-batch']);
  expect(policy?.scalingSchedules?.['nightly-batch']).toMatchObject({ minRequiredReplicas: 2, schedule: '0 2 * * *' });
});
