import { startTwin, type Twin } from '../../helpers/twin';
import { BASE, createMig, managed, P, R } from './mig-helpers';

let w: Twin;
beforeEach(async () => {
  w = await startTwin({ timings: 'mig' });
});
afterEach(async () => {
  await w.close();
});

type Policy = Record<string, unknown>;

async function createAutoscaler(mig: string, policy: Policy, name = w.uniq('as')): Promise<string> {
  await w.done(
    await w.gcp.compute.regionAutoscalers.insert({
      project: P,
      region: R,
      autoscalerResource: {
        name,
        target: `${BASE}projects/${P}/regions/${R}/instanceGroupManagers/${mig}`,
        autoscalingPolicy: policy,
      },
    }),
  );
  return name;
}

const getAutoscaler = async (name: string) =>
  (await w.gcp.compute.regionAutoscalers.get({ project: P, region: R, autoscaler: name }))[0];
const targetSize = async (mig: string) =>
  (await w.gcp.compute.regionInstanceGroupManagers.get({ project: P, region: R, instanceGroupManager: mig }))[0]
    .targetSize;

test('insert validates the target and the policy as Google does', async () => {
  const mig = await createMig(w);
  const insert = (target: string, autoscalingPolicy: Policy) =>
    w.failure(
      w.gcp.compute.regionAutoscalers.insert({
        project: P,
        region: R,
        autoscalerResource: { name: w.uniq('as'), target, autoscalingPolicy },
      }),
    );
  const migUrl = `${BASE}projects/${P}/regions/${R}/instanceGroupManagers/${mig}`;
  expect(
    (await insert(`${BASE}projects/${P}/regions/${R}/instanceGroupManagers/nope`, { maxNumReplicas: 2 })).code,
  ).toBe(404);
  const noMax = await insert(migUrl, { minNumReplicas: 1 });
  expect([noMax.code, noMax.message.includes('maxNumReplicas')]).toEqual([400, true]);
  const minAboveMax = await insert(migUrl, { minNumReplicas: 3, maxNumReplicas: 2 });
  expect([minAboveMax.code, minAboveMax.message.includes('minNumReplicas')]).toEqual([400, true]);
  const schedule = (s: Policy) =>
    insert(migUrl, {
      maxNumReplicas: 5,
      scalingSchedules: { peak: { minRequiredReplicas: 2, durationSec: 600, schedule: '0 9 * * *', ...s } },
    });
  const short = await schedule({ durationSec: 299 });
  expect([short.code, short.message.includes('durationSec')]).toEqual([400, true]);
  const badCron = await schedule({ schedule: '0 25 * * *' });
  expect([badCron.code, badCron.message.includes('schedule')]).toEqual([400, true]);
  const badZone = await schedule({ timeZone: 'Mars/Olympus' });
  expect([badZone.code, badZone.message.includes('timeZone')]).toEqual([400, true]);

  await createAutoscaler(mig, { maxNumReplicas: 2 });
  const second = await insert(migUrl, { maxNumReplicas: 2 });
  expect(second.code).toBe(400);
});

test('an autoscaler drives the target size; resize is refused with 412 conditionNotMet; mode OFF allows it', async () => {
  const mig = await createMig(w, { targetSize: 0 });
  const as = await createAutoscaler(mig, { minNumReplicas: 2, maxNumReplicas: 6 });
  const fresh = await getAutoscaler(as);
  expect(fresh.autoscalingPolicy?.mode).toBe('ON');
  expect(fresh.autoscalingPolicy?.coolDownPeriodSec).toBe(60);
  expect((fresh as Record<string, unknown>).fingerprint).toBeUndefined(); // the Autoscaler resource has no fingerprint
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(2);
  const active = await getAutoscaler(as);
  expect([active.status, active.recommendedSize]).toEqual(['ACTIVE', 2]);
  const [got] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  expect(got.status?.autoscaler).toBe(`${BASE}projects/${P}/regions/${R}/autoscalers/${as}`);

  const refused = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.resize({ project: P, region: R, instanceGroupManager: mig, size: 5 }),
  );
  expect(refused.code).toBe(412);
  expect(refused.message).toContain('conditionNotMet');
  expect(refused.message).toContain('Resizing of autoscaled regional managed instance groups is not allowed');

  const [current] = await w.gcp.compute.regionInstanceGroupManagers.get({
    project: P,
    region: R,
    instanceGroupManager: mig,
  });
  const patched = await w.failure(
    w.gcp.compute.regionInstanceGroupManagers.patch({
      project: P,
      region: R,
      instanceGroupManager: mig,
      instanceGroupManagerResource: { targetSize: 5, fingerprint: current.fingerprint },
    }),
  );
  expect(patched.code).toBe(412);

  // Raising the minimum through patch (?autoscaler=NAME, no fingerprint) moves the MIG at once.
  await w.done(
    await w.gcp.compute.regionAutoscalers.patch({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: { autoscalingPolicy: { minNumReplicas: 4, maxNumReplicas: 6 } },
    }),
  );
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(4);
  expect(await managed(w, mig)).toHaveLength(4);

  await w.done(
    await w.gcp.compute.regionAutoscalers.patch({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: { autoscalingPolicy: { mode: 'OFF' } },
    }),
  );
  w.advance(1_000);
  const off = await getAutoscaler(as);
  expect(off.autoscalingPolicy?.minNumReplicas).toBe(4); // merge patch kept it
  expect(off.statusDetails?.map((d) => d.type)).toContain('MODE_OFF');
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.resize({
      project: P,
      region: R,
      instanceGroupManager: mig,
      size: 1,
    }),
  );
  expect(await targetSize(mig)).toBe(1);
});

test('lowering the minimum scales in only after the 10-minute stabilization period', async () => {
  const mig = await createMig(w);
  const as = await createAutoscaler(mig, { minNumReplicas: 3, maxNumReplicas: 5 });
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(3);
  await w.done(
    await w.gcp.compute.regionAutoscalers.patch({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: { autoscalingPolicy: { minNumReplicas: 1, maxNumReplicas: 5 } },
    }),
  );
  w.advance(5 * 60_000);
  expect(await targetSize(mig)).toBe(3);
  w.advance(6 * 60_000);
  expect(await targetSize(mig)).toBe(1);
});

test('demand scales out at once up to max, and back in after stabilization', async () => {
  const mig = await createMig(w);
  const as = await createAutoscaler(mig, { minNumReplicas: 1, maxNumReplicas: 4 });
  w.advance(1_000);
  await w.control.setDemand({ mig, region: R, replicas: 9 });
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(4);
  expect((await getAutoscaler(as)).statusDetails?.map((d) => d.type)).toContain('CAPPED_AT_MAX_NUM_REPLICAS');
  await w.control.setDemand({ mig, region: R, replicas: 2 });
  w.advance(60_000);
  expect(await targetSize(mig)).toBe(4);
  w.advance(10 * 60_000);
  expect(await targetSize(mig)).toBe(2);
});

test('a scaling schedule active now raises the size and expires after durationSec (+ stabilization)', async () => {
  const mig = await createMig(w);
  const as = await createAutoscaler(mig, { minNumReplicas: 1, maxNumReplicas: 10 });
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(1);
  // A schedule that started this minute: every minute of this hour-of-day, in UTC.
  const now = new Date(w.emu.ctx.clock.now());
  const cron = `${now.getUTCMinutes()} ${now.getUTCHours()} * * *`;
  await w.done(
    await w.gcp.compute.regionAutoscalers.patch({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: {
        autoscalingPolicy: {
          scalingSchedules: { burst: { minRequiredReplicas: 5, schedule: cron, durationSec: 600, timeZone: 'UTC' } },
        },
      },
    }),
  );
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(5);
  const during = await getAutoscaler(as);
  expect(during.scalingScheduleStatus?.burst?.state).toBe('ACTIVE');
  expect(during.autoscalingPolicy?.maxNumReplicas).toBe(10);
  expect(during.autoscalingPolicy?.scalingSchedules?.burst?.timeZone).toBe('UTC');

  w.advance(10 * 60_000); // the schedule ended; the stabilization period holds the size
  const after = await getAutoscaler(as);
  expect(after.scalingScheduleStatus?.burst?.state).toBe('READY');
  expect(after.scalingScheduleStatus?.burst?.nextStartTime).toBeTruthy();
  expect(await targetSize(mig)).toBe(5);
  w.advance(10 * 60_000);
  expect(await targetSize(mig)).toBe(1);
});

test('update (PUT ?autoscaler=) replaces the policy; delete leaves the MIG resizable', async () => {
  const mig = await createMig(w);
  const as = await createAutoscaler(mig, { minNumReplicas: 2, maxNumReplicas: 3 });
  await w.done(
    await w.gcp.compute.regionAutoscalers.update({
      project: P,
      region: R,
      autoscaler: as,
      autoscalerResource: {
        name: as,
        target: `${BASE}projects/${P}/regions/${R}/instanceGroupManagers/${mig}`,
        autoscalingPolicy: { maxNumReplicas: 3, minNumReplicas: 3 },
      },
    }),
  );
  w.advance(1_000);
  expect(await targetSize(mig)).toBe(3);
  await w.done(await w.gcp.compute.regionAutoscalers.delete({ project: P, region: R, autoscaler: as }));
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.resize({
      project: P,
      region: R,
      instanceGroupManager: mig,
      size: 0,
    }),
  );
  expect(await targetSize(mig)).toBe(0);
});

test('deleting the MIG leaves its autoscaler in ERROR (SCALING_TARGET_DOES_NOT_EXIST)', async () => {
  const mig = await createMig(w);
  const as = await createAutoscaler(mig, { minNumReplicas: 1, maxNumReplicas: 2 });
  w.advance(1_000);
  await w.done(
    await w.gcp.compute.regionInstanceGroupManagers.delete({ project: P, region: R, instanceGroupManager: mig }),
  );
  w.advance(1_000);
  const orphan = await getAutoscaler(as);
  expect(orphan.status).toBe('ERROR');
  expect(orphan.statusDetails?.map((d) => d.type)).toEqual(['SCALING_TARGET_DOES_NOT_EXIST']);
});

/**
 * `autoscaler` is an optional query parameter of regionAutoscalers.patch / update ("Name of the
 * autoscaler to patch", https://cloud.google.com/compute/docs/reference/rest/v1/regionAutoscalers/patch):
 * without it the autoscaler is the one the body names. The twin answered 400 "Required parameter".
 * (What Google answers when neither names one is not documented; the twin says the name is required.)
 */
test('patch and update without the autoscaler query parameter take the name from the body', async () => {
  const mig = await createMig(w);
  const name = await createAutoscaler(mig, { maxNumReplicas: 4, minNumReplicas: 1 });
  await w.done(
    await w.gcp.compute.regionAutoscalers.patch({
      project: P,
      region: R,
      autoscalerResource: { name, autoscalingPolicy: { maxNumReplicas: 6 } },
    }),
  );
  expect((await getAutoscaler(name)).autoscalingPolicy?.maxNumReplicas).toBe(6);
  const current = await getAutoscaler(name);
  await w.done(
    await w.gcp.compute.regionAutoscalers.update({
      project: P,
      region: R,
      autoscalerResource: { name, target: current.target, autoscalingPolicy: { maxNumReplicas: 5, minNumReplicas: 2 } },
    }),
  );
  expect((await getAutoscaler(name)).autoscalingPolicy).toMatchObject({ maxNumReplicas: 5, minNumReplicas: 2 });
  const err = await w.failure(
    w.gcp.compute.regionAutoscalers.patch({ project: P, region: R, autoscalerResource: { description: 'x' } }),
  );
  expect(err.code).toBe(400);
});
