import { performance } from 'node:perf_hooks';
import { bootstrapClock } from '../../demo/pacer';
import { waitForOperation } from '../../shared/gcp/operations';
import { startTwin, type Twin } from '../helpers/twin';

/**
 * The simulation's bootstrap takes the virtual time Google's would: each Compute operation its
 * documented duration (skipped to, not waited for in real time), and the client's own work its real
 * time, no more. It used to run with the clock at the scenario's speed (50× real time): a bootstrap
 * slowed by a loaded machine became half an hour of virtual time, and on Google's clock some GPU VMs
 * already served when the start-up scenario began (test/google-clock/startup.test.ts under CPU load).
 */
let w: Twin;
beforeAll(async () => {
  // Google's clock, at 50× real time: as a scenario's stack starts.
  w = await startTwin({ timings: {}, clockSpeed: 50 });
  await w.gcp.compute.healthChecks.list({ project: w.project }); // the client library loaded
});
afterAll(() => w.close());

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* a slow client: CPU, not I/O */
  }
};

test("operations take their documented durations; the client's real time counts once, not 50 times", async () => {
  const clock = w.emu.ctx.clock;
  const started = clock.now();
  const real = performance.now();
  await bootstrapClock(w.emu, async () => {
    // A global health check: 1 s PENDING + 5 s RUNNING on Google's clock (emulator/core/timings.ts).
    await waitForOperation(
      w.gcp,
      await w.gcp.compute.healthChecks.insert({
        project: w.project,
        healthCheckResource: { name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 } },
      }),
    );
    busy(400);
    await new Promise((r) => setTimeout(r, 100));
    // A second one: another 6 s.
    await waitForOperation(
      w.gcp,
      await w.gcp.compute.healthChecks.insert({
        project: w.project,
        healthCheckResource: { name: w.uniq('hc'), type: 'TCP', tcpHealthCheck: { port: 80 } },
      }),
    );
  });
  const realMs = performance.now() - real;
  const virtualMs = clock.now() - started;
  expect(virtualMs).toBeGreaterThanOrEqual(12_000);
  // At 50× the client's ≥ 0.5 s alone would have been ≥ 25 s of virtual time.
  expect(virtualMs).toBeLessThanOrEqual(12_000 + realMs + 1_000);
  // Skipped to, not slept through: far less than the operations' 12 s in real time.
  expect(realMs).toBeLessThan(6_000);
  expect(clock.speed).toBe(1);
});

test('a bootstrap that fails is reported as it failed, once its work has stopped', async () => {
  await expect(bootstrapClock(w.emu, () => Promise.reject(new Error('bootstrap failed at x')))).rejects.toThrow(
    'bootstrap failed at x',
  );
});
