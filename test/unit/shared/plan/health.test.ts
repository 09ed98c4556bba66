import { plan } from '../../../../shared/plan';
import {
  baseInput,
  exampleConfig,
  healthy,
  MIN,
  NOW,
  regionsWithTraffic,
  unhealthy,
  weightSum,
  withObserved,
} from '../fixtures/planner';

const config = exampleConfig();
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
      withObserved(baseInput(config), {
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
      withObserved(baseInput(config), {
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
    const r = plan(withObserved(baseInput(config), all));
    const serving = Object.values(r.plan.regions).filter((p) => p.state !== 'drained');
    expect(serving.length).toBeGreaterThanOrEqual(1);
    expect(r.reasons.some((x) => x.code === 'keep-last-healthy')).toBe(true);
    for (const loc of Object.keys(r.plan.locations)) {
      const l = r.plan.locations[loc]!;
      expect(l.fallback === 'anycast' || Math.abs(weightSum(r.plan, loc) - 1) < 1e-9).toBe(true);
    }
  });

  it('with maxDrainFraction 1 still keeps one region serving', () => {
    const c = { ...config, guardrails: { ...config.guardrails, maxDrainFraction: 1 } };
    const all = Object.fromEntries(config.regions.map((x) => [x.name, unhealthy()]));
    const r = plan(withObserved(baseInput(c), all));
    expect(Object.values(r.plan.regions).filter((p) => p.state !== 'drained')).toHaveLength(1);
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
    expect(r.plan.locations['europe-west1']!.fallback).toBe('anycast');
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
