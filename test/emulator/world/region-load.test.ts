import { regionLoad } from '../../../emulator/world/region-load';
import type { RegionBackend } from '../../../emulator/world/topology';

/**
 * The autoscaler's recommendation from the per-VM in-flight metric: only serving VMs report it
 * ("the autoscaler ignores data from VMs that are still initializing", `coolDownPeriodSec`,
 * https://cloud.google.com/compute/docs/reference/rest/v1/autoscalers), so the group is sized from
 * their average; a group with none serving gets no recommendation and keeps its size.
 */
const backend = (over: Partial<RegionBackend>): RegionBackend => ({
  region: 'us-east4',
  groupPath: 'g',
  migPath: 'm',
  migName: 'm',
  replicaRps: 4,
  capacityScaler: 1,
  scaling: { kind: 'metric', metric: 'inflight', targetPerReplica: 2 },
  healthy: 10,
  running: 10,
  target: 10,
  ...over,
});
const run = (b: RegionBackend, rps: number) =>
  regionLoad({
    backend: b,
    clientRps: rps,
    rps,
    regionalRps: rps,
    globalRps: 0,
    pools: { regional: b.healthy, global: b.healthy },
    fault: 0,
    faultStatus: 500,
    baseLatencyMs: 1000,
    jitter: 1,
  });

test('all serving: the in-flight total over the target', () => {
  const out = run(backend({}), 20);
  expect(out.demand).toBe(Math.ceil(out.inflight / 2 - 1e-9));
});

test('two of ten serving, eight booting: sized from the two (overloaded) VMs, booting ones kept', () => {
  const out = run(backend({ healthy: 2 }), 20);
  // Each serving VM carries its share of the in-flight requests; the group of ten at that average.
  expect(out.demand).toBe(Math.ceil((10 * out.inflight) / 2 / 2 - 1e-9));
  expect(out.demand).toBeGreaterThanOrEqual(10); // never below the VMs still booting
});

test('none serving yet: no data, no recommendation — the group keeps its size', () => {
  expect(run(backend({ healthy: 0 }), 20).demand).toBe(10);
});
