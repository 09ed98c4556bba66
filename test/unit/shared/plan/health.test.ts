import { plan } from '../../../../shared/plan';
import {
  baseInput,
  exampleConfig,
  healthy,
  MIN,
  NOW,
  regionsWithTraffic,
  unhealthy,
  warming,
  weightSum,
  withGuardrails,
  withObserved,
} from '../fixtures/planner';

const config = exampleConfig();
/** The drain guardrails alone: failing open (rule 10) would hold these majority-unhealthy worlds. */
const noFailOpen = withGuardrails(config, { failOpenFraction: 1 });
const codes = (r: ReturnType<typeof plan>, subject: string) =>
  r.reasons.filter((x) => x.subject === subject).map((x) => x.code);

describe('drain', () => {
  it('gives an unhealthy region weight 0 and keeps it out of every location', () => {
    const r = plan(withObserved(baseInput(config), { 'us-east4': unhealthy() }));
    expect(r.plan.regions['us-east4']).toMatchObject({ state: 'drained', capacityScaler: 0 });
    expect(regionsWithTraffic(r.plan).has('us-east4')).toBe(false);
    expect(r.plan.locations['us-east4']!.weights).toEqual({ 'us-central1': 1 });
    expect(codes(r, 'us-east4')).toContain('drain-unhealthy');
  });

  it('treats zero healthy backends as unhealthy even without an incident', () => {
    const r = plan(withObserved(baseInput(config), { 'asia-northeast1': healthy({ backendHealthy: 0 }) }));
    expect(r.plan.regions['asia-northeast1']!.state).toBe('drained');
    expect(r.reasons.find((x) => x.code === 'drain-unhealthy')!.message).toMatch(/0\/2 backends healthy/);
  });

  it('never drains more than maxDrainFraction of the regions; keeps the healthiest', () => {
    // 5 regions × 0.5 → at most 2 drained. Three fail; asia-northeast1 is the least broken.
    const r = plan(
      withObserved(baseInput(noFailOpen), {
        'us-east4': unhealthy({ backendHealthy: 0 }),
        'asia-southeast1': unhealthy({ backendHealthy: 0 }),
        'asia-northeast1': unhealthy({ backendHealthy: 1 }),
      }),
    );
    const drained = Object.entries(r.plan.regions)
      .filter(([, p]) => p.state === 'drained')
      .map(([n]) => n);
    expect(drained).toEqual(['asia-southeast1', 'us-east4']);
    expect(r.plan.regions['asia-northeast1']!.state).toBe('serving');
    expect(codes(r, 'asia-northeast1')).toContain('max-drain-fraction');
  });

  it('keeps an already-drained region drained rather than swapping (no flapping)', () => {
    const r = plan(
      withObserved(baseInput(noFailOpen), {
        'asia-northeast1': unhealthy({ backendHealthy: 1, currentCapacityScaler: 0 }),
        'us-east4': unhealthy({ backendHealthy: 0 }),
        'asia-southeast1': unhealthy({ backendHealthy: 1 }),
      }),
    );
    // asia-northeast1 is healthier than us-east4 but was drained already: it stays drained.
    expect(r.plan.regions['asia-northeast1']!.state).toBe('drained');
    expect(r.plan.regions['us-east4']!.state).toBe('drained');
    expect(r.plan.regions['asia-southeast1']!.state).toBe('serving');
  });

  it('never drains the last region: with all unhealthy one keeps serving (keep-last-healthy)', () => {
    const all = Object.fromEntries(config.regions.map((x) => [x.name, unhealthy({ currentCapacityScaler: 0 })]));
    const r = plan(withObserved(baseInput(noFailOpen), all));
    const serving = Object.values(r.plan.regions).filter((p) => p.state !== 'drained');
    expect(serving.length).toBeGreaterThanOrEqual(1);
    expect(r.reasons.some((x) => x.code === 'keep-last-healthy')).toBe(true);
    for (const loc of Object.keys(r.plan.locations)) {
      const l = r.plan.locations[loc]!;
      expect(l.fallback === 'anycast' || Math.abs(weightSum(r.plan, loc) - 1) < 1e-9).toBe(true);
    }
  });

  it('with maxDrainFraction 1 still keeps one region serving', () => {
    const c = withGuardrails(config, { maxDrainFraction: 1, failOpenFraction: 1 });
    const all = Object.fromEntries(config.regions.map((x) => [x.name, unhealthy()]));
    const r = plan(withObserved(baseInput(c), all));
    // One keeps serving for everyone (keep-last-healthy) and, per residency fence, the EU keeps its own.
    const serving = Object.entries(r.plan.regions).filter(([, p]) => p.state !== 'drained');
    expect(serving).toHaveLength(2);
    expect(r.reasons.filter((x) => x.code === 'keep-last-healthy')).toHaveLength(1);
    expect(codes(r, 'europe-west4')).toContain('fence-holds');
  });
});

describe('recovery ramp', () => {
  const window = config.guardrails.minHealthyWindowSec * 1000;
  const step = config.guardrails.recoveryStepSec * 1000;
  const back = NOW - 30_000; // healthy again since 30 s

  function at(now: number, scaler: number) {
    return plan(
      withObserved(baseInput(config, { now }), {
        'europe-west4': healthy({ currentCapacityScaler: scaler, lastHealthyTransitionAt: back }),
      }),
    );
  }

  it('stays drained until the healthy window has passed', () => {
    const r = at(NOW, 0);
    expect(r.plan.regions['europe-west4']).toMatchObject({ state: 'drained', capacityScaler: 0 });
    expect(codes(r, 'europe-west4')).toContain('awaiting-healthy-window');
    // The EU fence holds: its clients are answered from its only region while it waits (rule 12).
    expect(r.plan.locations['europe-west1']).toEqual({ weights: { 'europe-west4': 1 } });
    expect(codes(r, 'europe-west1')).toContain('fence-holds');
  });

  it('ramps 0.1 → 0.5 → 1.0, one step per recoveryStepSec, never skipping a step', () => {
    const t0 = back + window;
    expect(at(t0, 0).plan.regions['europe-west4']).toMatchObject({ state: 'ramping', capacityScaler: 0.1 });
    // Same step window: hold.
    const wait = at(t0 + step - 1, 0.1);
    expect(wait.plan.regions['europe-west4']!.capacityScaler).toBe(0.1);
    expect(codes(wait, 'europe-west4')).toContain('ramp-wait');
    expect(at(t0 + step, 0.1).plan.regions['europe-west4']!.capacityScaler).toBe(0.5);
    // Long after: still only one step per plan.
    expect(at(t0 + 100 * step, 0.1).plan.regions['europe-west4']!.capacityScaler).toBe(0.5);
    const full = at(t0 + 2 * step, 0.5);
    expect(full.plan.regions['europe-west4']).toMatchObject({ state: 'serving', capacityScaler: 1 });
    expect(codes(full, 'europe-west4')).toContain('ramp-step');
  });

  it('EU demand stays in the EU while the only EU region ramps (even above its ramped headroom)', () => {
    const r = at(back + window + 10 * MIN, 0.1);
    // 0.5 × 10 replicas × 4 rps × 0.8 = 16 rps of headroom for 19 rps of EU demand: overloaded, not spilled.
    expect(r.plan.regions['europe-west4']!.capacityScaler).toBe(0.5);
    expect(codes(r, 'europe-west3')).toContain('overloaded');
    expect(r.plan.locations['europe-west1']!.weights).toEqual({ 'europe-west4': 1 });
  });
});

describe('unobserved region', () => {
  it('holds its previous state when its read failed', () => {
    const first = plan(withObserved(baseInput(config), { 'us-east4': unhealthy() }));
    const input = baseInput(config, { current: first.plan });
    const observed = { ...input.observed };
    delete (observed as Record<string, unknown>)['us-east4'];
    const r = plan({ ...input, observed });
    expect(r.plan.regions['us-east4']).toMatchObject({ state: 'drained', capacityScaler: 0 });
    expect(codes(r, 'us-east4')).toContain('region-unobserved');
  });
});

describe('warming (rule 11)', () => {
  it('right after a bootstrap, with every VM still starting, nothing is drained and nobody absorbs load', () => {
    const all = Object.fromEntries(config.regions.map((x) => [x.name, warming({ currentMinReplicas: x.minReplicas })]));
    const start = plan(baseInput(config));
    const r = plan(withObserved(baseInput(config), all));
    for (const name of Object.keys(r.plan.regions)) {
      expect(r.plan.regions[name]).toMatchObject({ state: 'serving', capacityScaler: 1 });
      expect(codes(r, name)).toContain('warming');
      expect(codes(r, name)).not.toContain('absorb-load');
      // No floor above what the same world would get with every region serving.
      expect(r.plan.regions[name]!.minReplicas).toBeLessThanOrEqual(start.plan.regions[name]!.minReplicas);
    }
    expect(r.plan.locations).toEqual(start.plan.locations);
  });

  it('one region warming among healthy ones keeps its clients and raises no neighbour’s floor', () => {
    const r = plan(withObserved(baseInput(config), { 'us-east4': warming() }));
    const steady = plan(baseInput(config));
    expect(r.plan.regions['us-east4']).toMatchObject({ state: 'serving', capacityScaler: 1 });
    expect(r.plan.locations['us-east4']).toEqual(steady.plan.locations['us-east4']);
    expect(r.plan.regions['us-central1']!.minReplicas).toBe(steady.plan.regions['us-central1']!.minReplicas);
  });

  it('a region still not serving after its warm-up window is unhealthy, and drained', () => {
    const warmup = config.regions.find((x) => x.name === 'us-east4')!.warmupSec * 1000;
    const late = warming({ warming: false, warmingSince: NOW - warmup - MIN });
    const r = plan(withObserved(baseInput(config), { 'us-east4': late }));
    expect(r.plan.regions['us-east4']).toMatchObject({ state: 'drained', capacityScaler: 0 });
  });
});

describe('failing open (rule 10)', () => {
  it('when most regions look unhealthy at once, holds the last plan and says so once, loudly', () => {
    const steady = plan(baseInput(config)).plan;
    const sick = ['us-east4', 'asia-southeast1', 'asia-northeast1'];
    const input = withObserved(
      baseInput(config, { current: steady }),
      Object.fromEntries(sick.map((n) => [n, unhealthy()])),
    );
    const r = plan(input);
    for (const name of Object.keys(steady.regions)) {
      expect(r.plan.regions[name]!.capacityScaler).toBe(1);
      expect(r.plan.regions[name]!.minReplicas).toBe(input.observed[name]!.currentMinReplicas);
    }
    expect(r.plan.locations).toEqual(steady.locations);
    const decision = r.reasons.filter((x) => x.code === 'fail-open');
    expect(decision).toHaveLength(1);
    expect(decision[0]).toMatchObject({ severity: 'CRITICAL' });
    expect(decision[0]!.message).toMatch(/3 of 5 regions look unhealthy/);
  });

  it('half or fewer unhealthy is not doubted: the normal drains apply', () => {
    const r = plan(withObserved(baseInput(config), { 'us-east4': unhealthy(), 'asia-southeast1': unhealthy() }));
    expect(r.reasons.some((x) => x.code === 'fail-open')).toBe(false);
    expect(r.plan.regions['us-east4']!.state).toBe('drained');
  });
});
