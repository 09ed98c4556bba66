import { handleCapacityRequest } from '../../../shared/handlers/capacity-request';
import { reconcile } from '../../../shared/reconcile';
import { isGeorouteSchedule } from '../../../shared/state';
import { pubsubEvent, recordingRuntime } from '../../helpers/events';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

/**
 * Google allows 128 scaling schedules per autoscaler, disabled ones included
 * (https://cloud.google.com/compute/docs/autoscaler/scaling-schedules). Every time-boxed capacity
 * request leaves one behind when it expires; georoute deletes expired ones in its next write to the
 * autoscaler and on ticks, so a long-lived deployment never runs out.
 */
const config = testConfig();
const HOUR = 3_600_000;
let w: World;

beforeAll(async () => {
  w = await startWorld(config);
});
afterAll(() => w.close());

async function schedules(): Promise<string[]> {
  const [a] = await w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region: 'us-central1',
    autoscaler: 'georoute-as-us-central1',
  });
  return Object.keys(a.autoscalingPolicy?.scalingSchedules ?? {}).filter(isGeorouteSchedule);
}

test('160 time-boxed requests over a virtual week: every one granted, at most two schedules alive at a time', async () => {
  const rt = recordingRuntime(config, w.deps);
  let most = 0;
  for (let i = 0; i < 160; i++) {
    w.advance(HOUR + 3 * 60_000); // a new window every time: one schedule each, expiring after 30 min
    const event = pubsubEvent({
      requestId: `batch-job-${i}`,
      region: 'us-central1',
      accelerator: 'nvidia-l4',
      replicas: 2,
      durationMinutes: 30,
    });
    const outcome = await handleCapacityRequest(rt, event);
    expect(outcome.decision).toBe('granted');
    if (i % 20 === 19) await reconcile(w.deps, config, { kind: 'tick', eventId: `tick-${i}` });
    most = Math.max(most, (await schedules()).length);
  }
  expect(most).toBeLessThanOrEqual(2);
  const answers = rt.published.filter((p) => p.topic === config.pubsub.capacityResults);
  expect(answers).toHaveLength(160);
  // After the last one expires, a tick leaves none.
  w.advance(HOUR);
  await reconcile(w.deps, config, { kind: 'tick', eventId: 'tick-end' });
  expect(await schedules()).toEqual([]);
}, 120_000);
