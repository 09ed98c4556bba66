import {
  mixturePercentile,
  regionPerformance,
  rttMs,
  seededRandom,
  spreadAnycast,
} from '../../../emulator/world/model';

test('the global load balancer fills the nearest backend first and spills over by capacity', () => {
  const backends = [
    { region: 'us-central1', capacity: 10, healthy: 3, capacityScaler: 1 },
    { region: 'us-east4', capacity: 8, healthy: 2, capacityScaler: 1 },
    { region: 'europe-west4', capacity: 0, healthy: 2, capacityScaler: 0 },
  ];
  const out = spreadAnycast(
    [
      { location: 'us-east4', rps: 6 },
      { location: 'us-central1', rps: 9 },
    ],
    backends,
  );
  expect(out['us-east4']).toEqual({ 'us-east4': 6 });
  // us-central1's clients: 9 fit in us-central1 (10 free).
  expect(out['us-central1']).toEqual({ 'us-central1': 9 });
  // More than everything: the rest overloads the backends in proportion to capacity; a drained one gets none.
  const flood = spreadAnycast([{ location: 'us-central1', rps: 36 }], backends)['us-central1']!;
  expect(flood['us-central1']).toBeCloseTo(10 + 18 * (10 / 18));
  expect(flood['us-east4']).toBeCloseTo(8 + 18 * (8 / 18));
  expect(flood['europe-west4']).toBeUndefined();
});

test("waterfall by region: a region's capacity goes first to the clients it is nearest to, in any order", () => {
  const backends = [
    { region: 'us-east4', capacity: 10, healthy: 3, capacityScaler: 1 },
    { region: 'us-central1', capacity: 10, healthy: 3, capacityScaler: 1 },
  ];
  // us-east4's own clients fill it; us-south1's (nearer us-central1) spill into it only after us-central1.
  const demand = [
    { location: 'us-south1', rps: 12 },
    { location: 'us-east4', rps: 8 },
  ];
  for (const order of [demand, [...demand].reverse()]) {
    const out = spreadAnycast(order, backends);
    expect(out['us-east4']).toEqual({ 'us-east4': 8 });
    expect(out['us-south1']!['us-central1']).toBeCloseTo(10);
    expect(out['us-south1']!['us-east4']).toBeCloseTo(2);
  }
  // Two locations both nearest to one full region share it in proportion to what they ask.
  const shared = spreadAnycast(
    [
      { location: 'us-east4', rps: 12 },
      { location: 'us-east1', rps: 4 },
    ],
    [{ region: 'us-east4', capacity: 8, healthy: 2, capacityScaler: 1 }],
  );
  expect(shared['us-east4']!['us-east4']).toBeCloseTo(6 + 6 * (8 / 8));
  expect(shared['us-east1']!['us-east4']).toBeCloseTo(2 + 2);
});

test('queueing: latency grows with utilization; overload and dead regions fail requests', () => {
  const at = (rps: number, healthy = 4) =>
    regionPerformance({ rps, healthy, replicaRps: 4, errorRate: 0, baseLatencyMs: 800 });
  expect(at(4).p95Ms).toBeLessThan(at(12).p95Ms);
  expect(at(12).p95Ms).toBeLessThan(at(15.5).p95Ms);
  expect(at(8).errorRatio).toBe(0);
  expect(at(32).errorRatio).toBeCloseTo(0.5);
  expect(at(5, 0)).toMatchObject({ errorRatio: 1 });
  expect(
    regionPerformance({ rps: 4, healthy: 4, replicaRps: 4, errorRate: 0.3, baseLatencyMs: 800 }).errorRatio,
  ).toBeCloseTo(0.3);
});

test('a mixture percentile is set by its slowest parts; RTT grows with distance; the PRNG is seeded', () => {
  expect(
    mixturePercentile(
      [
        { share: 0.9, ms: 100 },
        { share: 0.1, ms: 900 },
      ],
      95,
    ),
  ).toBe(900);
  expect(
    mixturePercentile(
      [
        { share: 0.99, ms: 100 },
        { share: 0.01, ms: 900 },
      ],
      95,
    ),
  ).toBe(100);
  expect(mixturePercentile([], 95)).toBeNull();
  expect(rttMs('us-east4', 'us-east4')).toBe(1);
  expect(rttMs('us-east4', 'us-central1')).toBeLessThan(rttMs('us-east4', 'europe-west4'));
  const a = seededRandom(7);
  const b = seededRandom(7);
  expect([a(), a(), a()]).toEqual([b(), b(), b()]);
});
