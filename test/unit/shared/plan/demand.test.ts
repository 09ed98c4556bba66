import { locationDemand } from '../../../../shared/plan/demand';
import { exampleConfig } from '../fixtures/planner';

const config = exampleConfig();

test('a country several locations share is split by their expectedRps; a country of one goes to it', () => {
  const d = locationDemand(config, { 'United States': 28, Germany: 5 });
  // us-central1 12, us-east4 10, us-west1 6 expected: 28 split 12:10:6.
  expect(d.load['us-central1']).toBeCloseTo(12);
  expect(d.load['us-east4']).toBeCloseTo(10);
  expect(d.load['us-west1']).toBeCloseTo(6);
  expect(d.load['europe-west3']).toBeCloseTo(5);
  expect(d.load['asia-northeast1']).toBe(0); // measured: nobody there
  expect(d.source['asia-northeast1']).toBe('lb-metrics');
});

test('countries no location names keep the total: spread in proportion to what each has', () => {
  const d = locationDemand(config, { Japan: 10, Korea: 10 });
  expect(d.unattributedRps).toBe(10);
  expect(d.load['asia-northeast1']).toBeCloseTo(20);
  const total = Object.values(d.load).reduce((s: number, v) => s + (v ?? 0), 0);
  expect(total).toBeCloseTo(20);
});

test('a configured country counts for its location', () => {
  const c = {
    ...config,
    clientLocations: config.clientLocations.map((l) =>
      l.location === 'europe-west1' ? { ...l, countries: ['France'] } : l,
    ),
  };
  expect(locationDemand(c, { France: 7, Belgium: 1 }).load['europe-west1']).toBeCloseTo(8);
});

test('no measurement is "missing", never idle', () => {
  for (const byCountry of [undefined, {}]) {
    const d = locationDemand(config, byCountry);
    expect(Object.values(d.load).every((v) => v === undefined)).toBe(true);
    expect(Object.values(d.source).every((s) => s === 'missing')).toBe(true);
  }
});
