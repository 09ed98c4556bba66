import { outcomes, shareWithin } from '../../../demo/outcomes';
import type { RequestLogEntry } from '../../../emulator/core/request-log';
import type { RegionSample, WorldSample } from '../../../emulator/world';
import { exampleConfig } from '../shared/fixtures/planner';

const T0 = 1_800_000_000_000;
const config = exampleConfig();

function region(over: Partial<RegionSample> = {}): RegionSample {
  return {
    clientRps: 10,
    rps: 10,
    healthy: 2,
    running: 2,
    target: 2,
    capacityScaler: 1,
    utilization: 0.5,
    errorRatio: 0,
    p50Ms: 900,
    p95Ms: 1500,
    demand: 2,
    ejected: { regional: 0, global: 0 },
    ...over,
  };
}

/** One 30 s sample: europe-west4's clients (EU-fenced) and us-east4's, served where `served` says. */
function sample(at: number, over: { errorRatio?: number; served?: Record<string, number>; running?: number } = {}) {
  const served = over.served ?? { 'europe-west4': 10 };
  return {
    at,
    intervalSec: 30,
    regions: {
      'europe-west4': region({ errorRatio: over.errorRatio ?? 0, running: over.running ?? 2 }),
      'us-east4': region(),
    },
    locations: {
      'europe-west4': {
        rps: 10,
        answer: Object.keys(served),
        served,
        p50Ms: 900,
        p95Ms: 1500,
        errorRatio: over.errorRatio ?? 0,
      },
    },
  } satisfies WorldSample;
}

const write = (time: number, api: RequestLogEntry['api'], path = '/x'): RequestLogEntry => ({
  seq: 0,
  time,
  api,
  method: 'PATCH',
  path,
  write: true,
  status: 200,
});

test('shareWithin: the shifted exponential through p50 and p95 gives back both percentiles', () => {
  expect(shareWithin(900, 1500, 900)).toBeCloseTo(0.5, 6);
  expect(shareWithin(900, 1500, 1500)).toBeCloseTo(0.95, 6);
  expect(shareWithin(900, 1500, 300)).toBe(0);
  expect(shareWithin(900, 1500, 60_000)).toBeCloseTo(1, 6);
});

test('requests, SLO, errors and GPU-hours add up over the window; samples outside it are ignored', () => {
  const samples = [
    sample(T0), // at T0: before the window
    sample(T0 + 30_000),
    sample(T0 + 60_000, { errorRatio: 0.5 }),
    sample(T0 + 90_000, { running: 4 }),
    sample(T0 + 120_000),
    sample(T0 + 150_000), // after the end
  ];
  const o = outcomes({ config, samples, steps: [], requestLog: [], t0: T0, end: T0 + 120_000 });
  expect(o.requests).toBe(4 * 300);
  expect(o.errors).toBeCloseTo(150 / 1200, 6);
  // Latency within 3 s: 900/1500 ms + 1 ms in-region round trip → essentially all successes count.
  expect(o.slo).toBeCloseTo((1200 - 150) / 1200, 2);
  // europe-west4 2 (or 4) VMs × 1 L4 + us-east4 2 × 1, 30 s each.
  expect(o.gpuHours).toBeCloseTo(((4 + 4 + 6 + 4) * 30) / 3600, 3);
  expect(o.minutes.map((m) => m.minute)).toEqual([0, 1]);
  expect(o.timeToHealthySec).toBeNull(); // no fault step
});

test('a sample straddling the window counts only its part inside: differently paced runs count the same window', () => {
  // 30 s samples at +15 s, +45 s, +75 s: the first is half before t0, the last half after the end.
  const samples = [sample(T0 + 15_000), sample(T0 + 45_000), sample(T0 + 75_000)];
  const o = outcomes({ config, samples, steps: [], requestLog: [], t0: T0, end: T0 + 60_000 });
  expect(o.requests).toBe(10 * 60);
});

test('fence violations count requests of a fenced location served outside its residency group', () => {
  const samples = [sample(T0 + 30_000, { served: { 'europe-west4': 6, 'us-east4': 4 } })];
  const o = outcomes({ config, samples, steps: [], requestLog: [], t0: T0, end: T0 + 60_000 });
  expect(o.fenceViolations).toBe(4 * 30);
});

test('time to healthy: from the first fault to the end of the first good minute after the dip', () => {
  const bad = { errorRatio: 0.5 };
  const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => sample(T0 + (i + 1) * 30_000, i >= 2 && i <= 4 ? bad : {}));
  const fault = { at: T0 + 50_000, action: 'failRegion', region: 'europe-west4', text: '' };
  const o = outcomes({ config, samples, steps: [fault], requestLog: [], t0: T0, end: T0 + 240_000 });
  // Minutes 1 and 2 dip (samples 2–4); minute 3 is good again: it ends at T0 + 240 s.
  expect(o.timeToHealthySec).toBe(190);
  const never = outcomes({
    config,
    samples: samples.slice(0, 4),
    steps: [fault],
    requestLog: [],
    t0: T0,
    end: T0 + 120_000,
  });
  expect(never.timeToHealthySec).toBeNull();
  const clean = outcomes({
    config,
    samples: samples.slice(0, 2),
    steps: [fault],
    requestLog: [],
    t0: T0,
    end: T0 + 60_000,
  });
  expect(clean.timeToHealthySec).toBe(0);
});

test('API writes: mutating Compute, DNS and Monitoring calls in the window; operation waits and Pub/Sub are not', () => {
  const log = [
    write(T0 - 1, 'compute'),
    write(T0 + 1, 'compute'),
    write(T0 + 2, 'dns'),
    write(T0 + 3, 'monitoring'),
    write(T0 + 4, 'compute', '/compute/v1/projects/p/regions/r/operations/op-1/wait'),
    write(T0 + 5, 'pubsub'),
    { ...write(T0 + 6, 'compute'), write: false },
  ];
  const o = outcomes({ config, samples: [], steps: [], requestLog: log, t0: T0, end: T0 + 60_000 });
  expect(o.apiWrites).toBe(3);
});
