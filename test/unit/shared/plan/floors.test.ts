import type { PlannerInput } from '../../../../shared/plan';
import { plan } from '../../../../shared/plan';
import { baseInput, exampleConfig, healthy, MIN, NOW, unhealthy, withObserved } from '../fixtures/planner';

const config = exampleConfig();
/** 1 rps everywhere: every floor is the config min. */
const light = Object.fromEntries(config.clientLocations.map((l) => [l.location, 1]));
const lightInput = (over: Partial<PlannerInput> = {}) => baseInput(config, { load: light, ...over });
const codes = (r: ReturnType<typeof plan>, subject: string) =>
  r.reasons.filter((x) => x.subject === subject).map((x) => x.code);

describe('replica floors', () => {
  it('is the config min when nothing else asks for more', () => {
    const r = plan(lightInput());
    for (const reg of config.regions) {
      expect(r.plan.regions[reg.name]).toMatchObject({ minReplicas: reg.minReplicas, targetReplicas: reg.minReplicas });
    }
    expect(r.reasons).toEqual([]);
  });

  it('rises to an active capacity request placed in the region; expired ones are ignored', () => {
    const r = plan(
      lightInput({
        floors: [
          { requestId: 'launch', region: 'us-east4', replicas: 5, expiresAt: NOW + 60 * MIN },
          { requestId: 'old', region: 'asia-northeast1', replicas: 6, expiresAt: NOW - 1 },
        ],
      }),
    );
    expect(r.plan.regions['us-east4']).toMatchObject({ minReplicas: 5, targetReplicas: 5 });
    expect(codes(r, 'us-east4')).toEqual(['capacity-request', 'scale-out']);
    expect(r.plan.regions['asia-northeast1']!.targetReplicas).toBe(1);
  });

  it("rises in the neighbours that absorb a drained region's load, bounded by maxReplicas", () => {
    // us-east4 drains; its 10 rps + northamerica's 3 + … land on us-central1, which already carries 18.
    const r = plan(withObserved(baseInput(config), { 'us-east4': unhealthy({ currentMinReplicas: 3 }) }));
    const c = r.plan.regions['us-central1']!;
    expect(c.targetReplicas).toBe(10); // 32 rps / (4 × 0.8) = 10 = maxReplicas
    expect(c.minReplicas).toBe(10);
    expect(codes(r, 'us-central1')).toEqual(expect.arrayContaining(['absorb-load', 'scale-out']));
    // The drained region keeps its floor (no scale-in while drained).
    expect(r.plan.regions['us-east4']).toMatchObject({ minReplicas: 3, targetReplicas: 3 });
    // A floor above maxReplicas: capped, and said so.
    const heavy = plan(lightInput({ floors: [{ requestId: 'big', region: 'us-central1', replicas: 15 }] }));
    expect(heavy.plan.regions['us-central1']!.targetReplicas).toBe(10);
    expect(codes(heavy, 'us-central1')).toContain('max-replicas');
  });

  it('never exceeds the GPU budget; says which region was trimmed', () => {
    const tight = { ...config, gpuBudget: { ...config.gpuBudget, maxTotalAccelerators: 12 } };
    const r = plan(baseInput(tight));
    const total = Object.values(r.plan.regions).reduce((s, p) => s + p.targetReplicas, 0);
    expect(total).toBeLessThanOrEqual(12);
    const mins = Object.values(r.plan.regions).reduce((s, p) => s + p.minReplicas, 0);
    expect(mins).toBeLessThanOrEqual(12);
    expect(r.reasons.some((x) => x.code === 'gpu-budget')).toBe(true);
    for (const reg of config.regions)
      expect(r.plan.regions[reg.name]!.targetReplicas).toBeGreaterThanOrEqual(reg.minReplicas);
  });

  it('a region climbing the recovery ramp keeps its floor until the ramp completes', () => {
    // us-east4 back at scaler 0.1 for a minute, floor 6 kept from the drain; light load would want 1.
    const ramping = (scaler: number) =>
      plan(
        withObserved(lightInput(), {
          'us-east4': healthy({
            currentCapacityScaler: scaler,
            currentMinReplicas: 6,
            lastHealthyTransitionAt: NOW - 60 * MIN,
            lastScaleOutAt: NOW - 60 * MIN,
            lastScaleInAt: NOW - 60 * MIN,
          }),
        }),
      );
    const r = ramping(0.1);
    expect(r.plan.regions['us-east4']!.capacityScaler).toBeGreaterThan(0.1); // it ramps on…
    expect(r.plan.regions['us-east4']!.capacityScaler).toBeLessThan(1);
    expect(r.plan.regions['us-east4']).toMatchObject({ minReplicas: 6, targetReplicas: 6 }); // …with its floor
    expect(codes(r, 'us-east4')).toContain('ramp-hold');
    // Under real load it is sized for the clients it is nearest to, before the last step sends them
    // all back: us-east4 and northamerica-northeast1 ask 10 + 9 rps, southamerica-east1 (nearest to it
    // too) 1 → ⌈20 / 3.2⌉ = 7 replicas, not its 0.1 share.
    const busy = plan(
      withObserved(lightInput({ load: { ...light, 'us-east4': 10, 'northamerica-northeast1': 9 } }), {
        'us-east4': healthy({
          currentCapacityScaler: 0.1,
          currentMinReplicas: 2,
          lastHealthyTransitionAt: NOW - 60 * MIN,
          lastScaleOutAt: NOW - 60 * MIN,
          lastScaleInAt: NOW - 60 * MIN,
        }),
      }),
    );
    expect(busy.plan.regions['us-east4']).toMatchObject({ minReplicas: 7, targetReplicas: 7 });
    // Serving again: the floor follows its load (scale-in, cooldowns permitting).
    const done = ramping(1);
    expect(done.plan.regions['us-east4']!.targetReplicas).toBe(1);
    expect(codes(done, 'us-east4')).not.toContain('ramp-hold');
  });

  it('a region in stockout gets no floor increase (demand spills instead)', () => {
    const r = plan(
      withObserved(lightInput({ floors: [{ requestId: 'x', region: 'us-east4', replicas: 6 }] }), {
        'us-east4': { stockout: true, currentMinReplicas: 1 },
      }),
    );
    expect(r.plan.regions['us-east4']).toMatchObject({ minReplicas: 1, targetReplicas: 1 });
    expect(codes(r, 'us-east4')).toContain('stockout-spill');
  });
});

describe('cooldowns', () => {
  const wantsMore = (lastScaleOutAt: number | null) =>
    plan(
      withObserved(lightInput({ floors: [{ requestId: 'r', region: 'us-east4', replicas: 4 }] }), {
        'us-east4': { currentMinReplicas: 1, lastScaleOutAt },
      }),
    );

  it('scales out fast: after scaleOutCooldownSec (60 s), not before', () => {
    const early = wantsMore(NOW - 30_000);
    expect(early.plan.regions['us-east4']).toMatchObject({ minReplicas: 1, targetReplicas: 4 });
    expect(codes(early, 'us-east4')).toContain('scale-out-cooldown');
    expect(wantsMore(NOW - 61_000).plan.regions['us-east4']!.minReplicas).toBe(4);
  });

  const wantsLess = (lastScaleInAt: number | null, lastScaleOutAt: number | null) =>
    plan(withObserved(lightInput(), { 'us-east4': { currentMinReplicas: 6, lastScaleInAt, lastScaleOutAt } }));

  it('scales in slowly: only after scaleInCooldownSec (900 s) since the last scale event of either kind', () => {
    const recentIn = wantsLess(NOW - 5 * MIN, null);
    expect(recentIn.plan.regions['us-east4']).toMatchObject({ minReplicas: 6, targetReplicas: 1 });
    expect(codes(recentIn, 'us-east4')).toContain('scale-in-cooldown');
    expect(wantsLess(null, NOW - 5 * MIN).plan.regions['us-east4']!.minReplicas).toBe(6);
    const later = wantsLess(NOW - 16 * MIN, NOW - 16 * MIN);
    expect(later.plan.regions['us-east4']!.minReplicas).toBe(1);
    expect(codes(later, 'us-east4')).toContain('scale-in');
  });

  it('a missing load metric never means idle: the floor is kept', () => {
    const load: Record<string, number> = { ...light };
    delete load['us-east4'];
    delete load['northamerica-northeast1'];
    const r = plan(
      withObserved(baseInput(config, { load }), { 'us-east4': { currentMinReplicas: 6, lastScaleInAt: null } }),
    );
    expect(r.plan.regions['us-east4']!.minReplicas).toBe(6);
    expect(codes(r, 'us-east4')).toContain('missing-metric');
  });
});
