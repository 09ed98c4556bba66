import { plan, WEIGHT_UNITS } from '../../../../shared/plan';
import { baseInput, exampleConfig, healthy, NOW, unhealthy, weightSum, withObserved } from '../fixtures/planner';

const config = exampleConfig();
const codes = (r: ReturnType<typeof plan>, subject: string) =>
  r.reasons.filter((x) => x.subject === subject).map((x) => x.code);

describe('location weights', () => {
  it('sends each location to its nearest healthy region', () => {
    const r = plan(baseInput(config));
    expect(r.plan.locations['us-west1']!.weights).toEqual({ 'us-central1': 1 });
    expect(r.plan.locations['northamerica-northeast1']!.weights).toEqual({ 'us-east4': 1 });
    expect(r.plan.locations['europe-west1']!.weights).toEqual({ 'europe-west4': 1 });
    expect(r.plan.locations['australia-southeast1']!.weights).toEqual({ 'asia-southeast1': 1 });
    expect(r.plan.locations['asia-east1']!.weights).toEqual({ 'asia-northeast1': 1 });
  });

  it('spills to the next-nearest region when the nearest has no headroom', () => {
    // us-central1 headroom: 10 × 4 rps × 0.8 = 32 rps; us-central1 + us-west1 ask for 40.
    const r = plan(baseInput(config, { load: { ...baseInput(config).load, 'us-central1': 30, 'us-west1': 10 } }));
    const west = r.plan.locations['us-west1']!.weights;
    expect(Object.keys(west)).toEqual(['us-central1', 'us-east4']);
    expect(west['us-central1']! + west['us-east4']!).toBeCloseTo(1, 9);
    expect(r.plan.locations['us-central1']!.weights).toEqual({ 'us-central1': 1 });
  });

  it('keeps every location on a target; weights sum to 1 in 1e-4 units', () => {
    const r = plan(baseInput(config, { load: { ...baseInput(config).load, 'us-central1': 31, 'us-west1': 7 } }));
    for (const [loc, l] of Object.entries(r.plan.locations)) {
      expect(Object.keys(l.weights).length).toBeGreaterThan(0);
      const units = Object.values(l.weights).map((w) => Math.round(w * WEIGHT_UNITS));
      expect(units.reduce((s, u) => s + u, 0)).toBe(WEIGHT_UNITS);
      for (const w of Object.values(l.weights))
        expect(Math.abs(w * WEIGHT_UNITS - Math.round(w * WEIGHT_UNITS))).toBeLessThan(1e-6);
      expect(Math.abs(weightSum(r.plan, loc) - 1)).toBeLessThan(1e-9);
    }
  });

  it('honours residency: EU locations only go to EU regions, even when they are full', () => {
    const r = plan(baseInput(config, { load: { ...baseInput(config).load, 'europe-west1': 200 } }));
    for (const loc of ['europe-west1', 'europe-west3', 'europe-west4']) {
      expect(Object.keys(r.plan.locations[loc]!.weights)).toEqual(['europe-west4']);
    }
    expect(codes(r, 'europe-west1')).toContain('overloaded');
  });

  it('the fence holds: the only EU region stays serving its fenced locations, degraded, not drained', () => {
    const r = plan(withObserved(baseInput(config), { 'europe-west4': unhealthy() }));
    expect(r.plan.regions['europe-west4']).toMatchObject({ state: 'serving', capacityScaler: 1 });
    expect(codes(r, 'europe-west4')).toContain('fence-holds');
    for (const loc of ['europe-west1', 'europe-west3', 'europe-west4']) {
      expect(r.plan.locations[loc]).toEqual({ weights: { 'europe-west4': 1 } });
    }
    // Unfenced me-west1 moves out of the EU: the sick region is kept for its fence only.
    expect(Object.keys(r.plan.locations['me-west1']!.weights)).not.toContain('europe-west4');
  });

  it('a fence with an allowed fallback is answered by the anycast address instead, and says so', () => {
    const fallback = { ...config, residencyFallback: { eu: 'anycast' as const } };
    const r = plan(withObserved(baseInput(fallback), { 'europe-west4': unhealthy() }));
    for (const loc of ['europe-west1', 'europe-west3', 'europe-west4']) {
      expect(r.plan.locations[loc]).toEqual({ weights: {}, fallback: 'anycast' });
      expect(codes(r, loc)).toEqual(expect.arrayContaining(['fallback-anycast', 'residency-fence']));
    }
  });

  it('spills demand past a region in stockout that cannot grow (stockout-spill)', () => {
    // us-central1 has 2 running VMs and cannot get more: 2 × 4 × 0.8 = 6.4 rps of its 12.
    const r = plan(
      withObserved(baseInput(config), {
        'us-central1': healthy({ stockout: true, instances: { running: 2, booting: 0, failed: 3 } }),
      }),
    );
    const w = r.plan.locations['us-central1']!.weights;
    expect(w['us-central1']).toBeCloseTo(6.4 / 12, 3);
    expect(w['us-east4']).toBeCloseTo(1 - 6.4 / 12, 3);
    expect(codes(r, 'us-central1')).toContain('stockout-spill');
  });

  it('a region in stockout counts only the VMs that serve now, not those still booting', () => {
    // 2 serve, 3 were created before the stockout and boot for another quarter of an hour.
    const r = plan(
      withObserved(baseInput(config), {
        'us-central1': healthy({ stockout: true, backendHealthy: 2, instances: { running: 2, booting: 3, failed: 1 } }),
      }),
    );
    expect(r.plan.locations['us-central1']!.weights['us-central1']).toBeCloseTo(6.4 / 12, 3);
  });

  it('routes a location with a missing load metric to its nearest region (never as idle)', () => {
    const load = { ...baseInput(config).load };
    delete load['asia-east1'];
    const r = plan(baseInput(config, { load }));
    expect(r.plan.locations['asia-east1']!.weights).toEqual({ 'asia-northeast1': 1 });
    expect(codes(r, 'asia-east1')).toContain('missing-metric');
  });
});

describe('churn', () => {
  const bound = config.guardrails.maxWeightShiftPerStep;

  it('moves a location at most maxWeightShiftPerStep per step toward the target', () => {
    const current = plan(baseInput(config)).plan;
    current.locations['us-west1'] = { weights: { 'us-east4': 1 } };
    const r = plan(baseInput(config, { current }));
    const w = r.plan.locations['us-west1']!.weights;
    // Target is us-central1 = 1; L1 distance 2, bound 0.5 → a quarter of the way.
    expect(w).toEqual({ 'us-central1': 0.25, 'us-east4': 0.75 });
    const shift = Math.abs(w['us-central1']! - 0) + Math.abs(w['us-east4']! - 1);
    expect(shift).toBeLessThanOrEqual(bound + 1e-9);
    expect(codes(r, 'us-west1')).toContain('churn-limit');
    // Next step continues.
    const r2 = plan(baseInput(config, { current: r.plan }));
    expect(r2.plan.locations['us-west1']!.weights).toEqual({ 'us-central1': 0.5, 'us-east4': 0.5 });
  });

  it('removes weight on a region that became unhealthy at once (safety beats churn)', () => {
    const current = plan(baseInput(config)).plan;
    current.locations['us-west1'] = { weights: { 'us-central1': 0.5, 'us-east4': 0.5 } };
    const light = Object.fromEntries(config.clientLocations.map((l) => [l.location, 1]));
    const r = plan(withObserved(baseInput(config, { current, load: light }), { 'us-central1': unhealthy() }));
    expect(r.plan.locations['us-west1']!.weights).toEqual({ 'us-east4': 1 });
    expect(codes(r, 'us-west1')).toContain('unhealthy-weight-removed');
  });

  it('takes one step per DNS TTL: within a TTL of the last move the weights hold (churn-wait)', () => {
    const ttlMs = config.dns.ttlSec * 1000;
    const current = plan(baseInput(config)).plan;
    current.locations['us-west1'] = { weights: { 'us-east4': 1 } };
    // The weights moved 1 s ago (a repeated event, or a burst of them): no further step.
    const held = plan(baseInput(config, { current, weightsMovedAt: NOW - 1_000 }));
    expect(held.plan.locations['us-west1']!.weights).toEqual({ 'us-east4': 1 });
    expect(codes(held, 'us-west1')).toEqual(['churn-wait']);
    // A TTL later the next step is due.
    const stepped = plan(baseInput(config, { current, weightsMovedAt: NOW - ttlMs }));
    expect(stepped.plan.locations['us-west1']!.weights).toEqual({ 'us-central1': 0.25, 'us-east4': 0.75 });
    expect(codes(stepped, 'us-west1')).toContain('churn-limit');
    // A tick a little short of a TTL (scheduler jitter) still steps: else a 60 s TTL with a 60 s tick
    // would hold every other tick.
    const jittered = plan(baseInput(config, { current, weightsMovedAt: NOW - (ttlMs - 500) }));
    expect(jittered.plan.locations['us-west1']!.weights).toEqual({ 'us-central1': 0.25, 'us-east4': 0.75 });
    // A time far ahead of now (a skewed clock) does not freeze the weights.
    const skewed = plan(baseInput(config, { current, weightsMovedAt: NOW + 2 * ttlMs }));
    expect(skewed.plan.locations['us-west1']!.weights).toEqual({ 'us-central1': 0.25, 'us-east4': 0.75 });
  });

  it('still removes unsafe weight at once within the TTL (safety is not churn)', () => {
    const current = plan(baseInput(config)).plan;
    current.locations['us-west1'] = { weights: { 'us-central1': 0.5, 'us-east4': 0.5 } };
    current.locations['us-east4'] = { weights: { 'us-east4': 1 } };
    const light = Object.fromEntries(config.clientLocations.map((l) => [l.location, 1]));
    const r = plan(
      withObserved(baseInput(config, { current, load: light, weightsMovedAt: NOW - 1_000 }), {
        'us-central1': unhealthy(),
      }),
    );
    expect(r.plan.locations['us-west1']!.weights).toEqual({ 'us-east4': 1 });
    expect(codes(r, 'us-west1')).toContain('unhealthy-weight-removed');
    expect(r.plan.locations['us-east4']!.weights).toEqual({ 'us-east4': 1 });
  });

  it('is idempotent: re-planning from its own output changes nothing', () => {
    const first = plan(baseInput(config));
    const again = plan(baseInput(config, { current: first.plan }));
    expect(again.plan.locations).toEqual(first.plan.locations);
  });

  it('is idempotent mid-shift: a second plan at the same instant from the first one’s output holds it', () => {
    const current = plan(baseInput(config)).plan;
    current.locations['us-west1'] = { weights: { 'us-east4': 1 } };
    const first = plan(baseInput(config, { current, weightsMovedAt: NOW - 10 * 60_000 }));
    expect(codes(first, 'us-west1')).toContain('churn-limit');
    // The first plan's weights are written now (the record says so): the same input again moves nothing.
    const again = plan(baseInput(config, { current: first.plan, weightsMovedAt: NOW }));
    expect(again.plan.locations).toEqual(first.plan.locations);
    expect(again.plan.regions).toEqual(first.plan.regions);
  });
});
