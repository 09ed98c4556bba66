import {
  detectOutliers,
  type EjectionState,
  effectiveServers,
  ejectedCounts,
  poolSizes,
} from '../../../emulator/world/ejections';
import {
  type EndpointLoad,
  ejectionChances,
  maxEjected,
  outlierSettings,
  requestsToRun,
} from '../../../emulator/world/outlier';
import type { RegionBackend, Topology } from '../../../emulator/world/topology';

/** Outlier detection as Google documents BackendService.outlierDetection (defaults included). */
const endpoint = (id: string, o: Partial<EndpointLoad> = {}): EndpointLoad => ({
  id,
  rps: 4,
  errorShare: 0,
  gatewayShare: 0,
  inPoolSec: 30,
  ...o,
});

test('settings: unset is off; set, every field has its documented default (enforcingConsecutiveErrors 0)', () => {
  expect(outlierSettings(undefined)).toBeUndefined();
  expect(outlierSettings({})).toEqual({
    consecutiveErrors: 5,
    enforcingConsecutiveErrors: 0,
    consecutiveGatewayFailure: 3,
    enforcingConsecutiveGatewayFailure: 100,
    enforcingSuccessRate: 100,
    intervalMs: 1_000,
    baseEjectionMs: 30_000,
    maxEjectionPercent: 50,
    successRateMinimumHosts: 5,
    successRateRequestVolume: 100,
    successRateStdevFactor: 1900,
  });
  // Durations as the API returns them: int64 seconds as a string, nanos.
  expect(
    outlierSettings({ interval: { seconds: '10' }, baseEjectionTime: { seconds: '60', nanos: 500_000_000 } }),
  ).toMatchObject({ intervalMs: 10_000, baseEjectionMs: 60_500 });
});

test('consecutive failures: mean requests until a run of n', () => {
  expect(requestsToRun(1, 5)).toBe(5);
  expect(requestsToRun(0, 3)).toBe(Number.POSITIVE_INFINITY);
  expect(requestsToRun(0.5, 1)).toBeCloseTo(2);
  expect(requestsToRun(0.5, 2)).toBeCloseTo(6);
});

test('with the defaults, 5xx that are not gateway failures eject nobody; gateway failures do', () => {
  const defaults = outlierSettings({})!;
  const gray = ejectionChances(defaults, [endpoint('a', { errorShare: 0.3 }), endpoint('b', { errorShare: 0.3 })]);
  expect(gray.map((c) => c.probability)).toEqual([0, 0]);
  // Half the requests shed with 503 (an overloaded region): 3 in a row come within seconds at 4 rps.
  const shed = ejectionChances(defaults, [endpoint('a', { errorShare: 0.5, gatewayShare: 0.5 })])[0]!;
  expect(shed).toMatchObject({ reason: 'consecutiveGatewayFailure' });
  expect(shed.probability).toBeCloseTo(1 - Math.exp((-4 * 30) / requestsToRun(0.5, 3)));
});

test('enforcingConsecutiveErrors 100: a 30 % 5xx endpoint at 4 rps is ejected within 30 s with the run odds', () => {
  const settings = outlierSettings({ enforcingConsecutiveErrors: 100 })!;
  const [c] = ejectionChances(settings, [endpoint('a', { errorShare: 0.3 })]);
  expect(c!.reason).toBe('consecutiveErrors');
  expect(c!.probability).toBeCloseTo(1 - Math.exp((-4 * 30) / requestsToRun(0.3, 5)));
  expect(c!.probability).toBeGreaterThan(0.15);
  expect(c!.probability).toBeLessThan(0.25);
  // Half the run length, much likelier; out of the pool for the whole interval, never.
  const three = ejectionChances(outlierSettings({ enforcingConsecutiveErrors: 100, consecutiveErrors: 3 })!, [
    endpoint('a', { errorShare: 0.3 }),
    endpoint('b', { errorShare: 0.3, inPoolSec: 0 }),
  ]);
  expect(three[0]!.probability).toBeGreaterThan(0.8);
  expect(three[1]!.probability).toBe(0);
});

test('success rate: needs minimum hosts and request volume; endpoints failing alike are never outliers', () => {
  const busy = { rps: 200 }; // ≥ 100 requests in each 1 s interval
  const settings = outlierSettings({})!;
  const sr = (pool: EndpointLoad[], s = settings) =>
    ejectionChances(s, pool)
      .filter((c) => c.reason === 'successRate' && c.probability > 0)
      .map((c) => c.id);
  // A region-wide fault: every endpoint at 70 % success → stdev 0 → no outlier.
  expect(sr(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => endpoint(id, { ...busy, errorShare: 0.3 })))).toEqual([]);
  // Two sick endpoints among six: below mean − 1.9 σ? (0.7 vs 0.9 − 1.9 × 0.141 = 0.63) no; at factor 1.0, yes.
  const mixed = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => endpoint(id, { ...busy, errorShare: i < 2 ? 0.3 : 0 }));
  expect(sr(mixed)).toEqual([]);
  expect(sr(mixed, outlierSettings({ successRateStdevFactor: 1000 })!)).toEqual(['a', 'b']);
  // Fewer than successRateMinimumHosts candidates, or too few requests per interval: no success-rate check.
  expect(sr(mixed.slice(0, 4), outlierSettings({ successRateStdevFactor: 1000 })!)).toEqual([]);
  const gpuRate = mixed.map((e) => ({ ...e, rps: 4 }));
  expect(sr(gpuRate, outlierSettings({ successRateStdevFactor: 1000 })!)).toEqual([]);
  expect(sr(gpuRate, outlierSettings({ successRateStdevFactor: 1000, interval: { seconds: '30' } })!)).toEqual([
    'a',
    'b',
  ]);
});

test('maxEjectionPercent caps ejections at floor(pool × percent): none of one VM, one of two or three', () => {
  const s = outlierSettings({})!;
  expect([1, 2, 3, 4, 10].map((n) => maxEjected(s, n))).toEqual([0, 1, 1, 2, 5]);
  expect(maxEjected(outlierSettings({ maxEjectionPercent: 100 })!, 3)).toBe(3);
});

const backend = (region: string, healthy: number) => ({ region, healthy }) as unknown as RegionBackend;

function topology(outlierDetection: unknown): Topology {
  return {
    backends: [backend('us-east4', 2)],
    routes: new Map(),
    services: [
      { path: 'projects/p/global/backendServices/g', name: 'g', scope: 'global' },
      {
        path: 'projects/p/regions/us-east4/backendServices/r',
        name: 'r',
        scope: { region: 'us-east4' },
        outlierDetection,
      },
    ],
  };
}

test('a regional backend service ejects at most its cap, for baseEjectionTime × times ejected; the pool shrinks', () => {
  const topo = topology({ enforcingConsecutiveErrors: 100, consecutiveErrors: 1 });
  const state: EjectionState = {};
  const endpoints = { 'us-east4': ['vm-a', 'vm-b'] };
  const loads = { 'us-east4': { regionalRps: 8, globalRps: 0, errorShare: 1, gatewayShare: 0 } };
  const events = detectOutliers(topo, state, endpoints, loads, 0, 30_000, () => 0.5);
  // Both VMs certainly trip; a two-VM pool at 50 % ejects one.
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    kind: 'ejection',
    service: 'r',
    region: 'us-east4',
    instance: 'vm-a',
    ejections: 1,
  });
  const first = state['projects/p/regions/us-east4/backendServices/r']!['vm-a']!;
  expect(first.ejectedUntil - first.ejectedAt).toBe(30_000);
  expect(ejectedCounts(topo, state, endpoints, 30_000)['us-east4']).toEqual({ regional: 1, global: 0 });
  // Over the next interval vm-a is out of the regional pool for part of it; the global pool is whole.
  const pools = poolSizes(topo, state, endpoints, 30_000, 60_000)['us-east4']!;
  expect(pools.global).toBe(2);
  expect(pools.regional).toBeGreaterThan(1);
  expect(pools.regional).toBeLessThan(2);
  // Back in the pool, ejected again: twice the base time.
  detectOutliers(topo, state, endpoints, loads, 60_000, 90_000, () => 0.5);
  const second = state['projects/p/regions/us-east4/backendServices/r']!['vm-a']!;
  expect(second.ejections).toBe(2);
  expect(second.ejectedUntil - second.ejectedAt).toBe(60_000);
});

test('without outlierDetection nothing is ejected; a VM gone from the pool is forgotten', () => {
  const state: EjectionState = {};
  const loads = { 'us-east4': { regionalRps: 8, globalRps: 8, errorShare: 1, gatewayShare: 1 } };
  expect(detectOutliers(topology(undefined), state, { 'us-east4': ['a', 'b'] }, loads, 0, 30_000, () => 0)).toEqual([]);
  const topo = topology({ consecutiveErrors: 1, enforcingConsecutiveErrors: 100 });
  detectOutliers(topo, state, { 'us-east4': ['a', 'b'] }, loads, 0, 30_000, () => 0);
  detectOutliers(topo, state, { 'us-east4': ['b'] }, loads, 30_000, 60_000, () => 0.99);
  expect(Object.keys(state['projects/p/regions/us-east4/backendServices/r'] ?? {})).not.toContain('a');
});

test('effective servers: the busiest VM sets the pace; requests for an empty pool fail', () => {
  expect(effectiveServers(2, 4, 4, { regional: 2, global: 2 })).toEqual({ servers: 2, stranded: 0 });
  // One VM out of the regional pool: the other takes all regional traffic plus half the global.
  expect(effectiveServers(2, 4, 4, { regional: 1, global: 2 }).servers).toBeCloseTo(8 / (4 + 2));
  expect(effectiveServers(2, 4, 0, { regional: 0, global: 2 })).toEqual({ servers: 2, stranded: 4 });
});
