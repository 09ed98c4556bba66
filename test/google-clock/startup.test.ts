import path from 'node:path';
import type { SimulationRecord } from '../../demo/runner';
import { simulateQuietly } from '../helpers/simulate';

/**
 * Issue 14 §1 on Google's clock (the twin's defaults): from `georoute bootstrap` on, while every GPU VM
 * boots, installs its driver and loads its model, the load balancers answer 503, their alerts open,
 * and the first VMs up are overloaded by the whole region's clients. None of that is an outage: no
 * region is drained, and georoute never fails open. Before the evidence rules (plan/evidence.ts) a
 * region was drained here once its capacity arrived, by the incidents of its own start-up overload.
 */
/*
 * Opt-in (`npm run test:google-clock`, about a minute): it passes idle and with two CPU hogs on the
 * 2-core box. Under extreme CPU load the fast pace can still turn one reconcile's reads into minutes
 * of simulated time and fail open — a simulation artefact (docs/RELIABILITY.md, "Known gaps").
 */
const run = process.env.GEOROUTE_GOOGLE_CLOCK === '1' ? describe : describe.skip;
let record: SimulationRecord;

run('start-up on Google clock', () => {
  beforeAll(async () => {
    ({ record } = await simulateQuietly(path.join(__dirname, '../fixtures/scenarios/startup-google.yaml')));
  }, 240_000);

  test('the start-up ran on Google clock: regions served only after minutes, alerts opened meanwhile', () => {
    expect(record.scenario.timings).toBe('google');
    const served = record.events.filter((e) => e.kind === 'replicas' && e.healthy > 0);
    expect(served.length).toBeGreaterThan(0);
    // Google's GPU VM boot, driver install and model load: nobody serves in the first minutes.
    expect(Math.min(...served.map((e) => e.at)) - record.t0).toBeGreaterThan(3 * 60_000);
    expect(record.timeline.some((t) => t.kind === 'alert')).toBe(true);
  });

  test('no region is drained and georoute never fails open while the stack comes up', () => {
    const drains = record.events.filter((e) => e.kind === 'scaler' && e.to === 0);
    expect(drains).toEqual([]);
    const failOpen = record.timeline.filter((t) => t.kind === 'decision' && /fail open/.test(t.text));
    expect(failOpen).toEqual([]);
  });
});
