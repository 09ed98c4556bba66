/** Property-based tests of the planner's invariants (fast-check), over random worlds on the example config. */
import fc from 'fast-check';
import type { GeorouteConfig } from '../../../../shared/config';
import { effectiveResidency } from '../../../../shared/config';
import {
  isHealthy,
  type PlannerInput,
  placeCapacity,
  plan,
  type RegionObservation,
  type TrafficPlan,
  WEIGHT_UNITS,
} from '../../../../shared/plan';
import { exampleConfig, NOW } from '../fixtures/planner';

const base = exampleConfig();
const regionNames = base.regions.map((r) => r.name);
const locationNames = base.clientLocations.map((l) => l.location);
const ago = fc.option(
  fc.integer({ min: 0, max: 3_600_000 }).map((ms) => NOW - ms),
  { nil: null },
);

const observation: fc.Arbitrary<RegionObservation> = fc.record({
  backendHealthy: fc.integer({ min: 0, max: 3 }),
  backendTotal: fc.constant(3),
  openIncidents: fc.oneof(fc.constant([]), fc.constant([{ id: 'i', startedAt: NOW - 60_000 }])),
  instances: fc.record({
    running: fc.integer({ min: 0, max: 8 }),
    booting: fc.integer({ min: 0, max: 3 }),
    failed: fc.integer({ min: 0, max: 3 }),
  }),
  warming: fc.boolean(),
  stockout: fc.boolean(),
  quotaExceeded: fc.boolean(),
  currentCapacityScaler: fc.constantFrom(0, 0.1, 0.3, 0.5, 1),
  currentMinReplicas: fc.integer({ min: 0, max: 10 }),
  lastHealthyTransitionAt: ago,
  lastScaleOutAt: ago,
  lastScaleInAt: ago,
});

/** Weights over any region names (including unknown ones), not necessarily normalised. */
const looseWeights = fc.dictionary(
  fc.constantFrom(...regionNames, 'us-west9'),
  fc.double({ min: 0.01, max: 1, noNaN: true }),
  {
    maxKeys: 4,
  },
);

const world = fc.record({
  maxDrainFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  maxWeightShiftPerStep: fc.double({ min: 0.05, max: 2, noNaN: true }),
  budget: fc.integer({ min: 7, max: 40 }),
  observed: fc.dictionary(fc.constantFrom(...regionNames), observation, { minKeys: 3 }),
  load: fc.dictionary(fc.constantFrom(...locationNames), fc.double({ min: 0, max: 120, noNaN: true })),
  prev: fc.option(fc.dictionary(fc.constantFrom(...locationNames), looseWeights), { nil: null }),
  floors: fc.array(
    fc.record({
      requestId: fc.string({ minLength: 1, maxLength: 4 }),
      region: fc.constantFrom(...regionNames),
      replicas: fc.integer({ min: 1, max: 12 }),
    }),
    { maxLength: 3 },
  ),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function toInput(w: World): PlannerInput {
  const config: GeorouteConfig = {
    ...base,
    guardrails: {
      ...base.guardrails,
      maxDrainFraction: w.maxDrainFraction,
      maxWeightShiftPerStep: w.maxWeightShiftPerStep,
    },
    gpuBudget: { ...base.gpuBudget, maxTotalAccelerators: w.budget },
  };
  let current: TrafficPlan | null = null;
  if (w.prev) {
    current = { locations: {}, regions: {} };
    for (const [loc, weights] of Object.entries(w.prev)) current.locations[loc] = { weights };
  }
  return { config, observed: w.observed, load: w.load, floors: w.floors, now: NOW, current };
}

const residencyOf = new Map(base.regions.map((r) => [r.name, effectiveResidency(r)]));
/** The plan doubted its evidence and held everything (rule 10): the other rules are suspended by design. */
const failedOpen = (r: ReturnType<typeof plan>) => r.reasons.some((x) => x.code === 'fail-open');
const locationCodes = (r: ReturnType<typeof plan>, loc: string) =>
  r.reasons.filter((x) => x.subject === loc).map((x) => x.code);
const fenceOf = new Map(base.clientLocations.map((l) => [l.location, l.residency]));
const RUNS = { numRuns: 300 };

describe('planner invariants', () => {
  it('every location keeps a target: weights summing to 1 in 1e-4 units, or the anycast fallback', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { plan: p } = plan(toInput(w));
        for (const loc of locationNames) {
          const l = p.locations[loc]!;
          const entries = Object.values(l.weights);
          if (l.fallback === 'anycast') {
            if (entries.length !== 0) return false;
            // Fallback only when nothing in the fence can serve.
            const fence = fenceOf.get(loc);
            const any = Object.entries(p.regions).some(
              ([r, rp]) => rp.state !== 'drained' && (fence === undefined || residencyOf.get(r) === fence),
            );
            if (any) return false;
            continue;
          }
          if (entries.length === 0) return false;
          const units = entries.map((x) => x * WEIGHT_UNITS);
          if (units.some((u) => u < 1 - 1e-9 || Math.abs(u - Math.round(u)) > 1e-6)) return false;
          if (units.reduce((s, u) => s + Math.round(u), 0) !== WEIGHT_UNITS) return false;
          if (Math.abs(entries.reduce((s, x) => s + x, 0) - 1) > 1e-9) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('a drained region gets no weight but from its own fence when the fence holds; an unhealthy one only when a guardrail keeps it', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = toInput(w);
        const result = plan(input);
        const { plan: p } = result;
        if (failedOpen(result)) return true;
        for (const [loc, l] of Object.entries(p.locations)) {
          const fenceHeld = locationCodes(result, loc).includes('fence-holds');
          for (const region of Object.keys(l.weights)) {
            const rp = p.regions[region]!;
            if ((rp.state === 'drained' || rp.capacityScaler === 0) && !fenceHeld) return false;
            const obs = input.observed[region];
            const kept = ['keep-last-healthy', 'max-drain-fraction', 'fence-holds', 'warming'];
            if (obs && !isHealthy(obs) && !fenceHeld && !rp.reasons.some((c) => kept.includes(c))) return false;
          }
        }
        return true;
      }),
      RUNS,
    );
  });

  it('residency fences hold', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { plan: p } = plan(toInput(w));
        return Object.entries(p.locations).every(([loc, l]) => {
          const fence = fenceOf.get(loc);
          return fence === undefined || Object.keys(l.weights).every((r) => residencyOf.get(r) === fence);
        });
      }),
      RUNS,
    );
  });

  it('churn per step is bounded, except weight removed from regions that may not serve', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = toInput(w);
        const result = plan(input);
        const { plan: p } = result;
        const bound = input.config.guardrails.maxWeightShiftPerStep;
        for (const [loc, prevWeights] of Object.entries(w.prev ?? {})) {
          const next = p.locations[loc]!;
          const sum = Object.values(prevWeights).reduce((s, x) => s + x, 0);
          if (!(sum > 0) || next.fallback || locationCodes(result, loc).includes('fence-holds')) continue;
          const fence = fenceOf.get(loc);
          let removed = 0;
          for (const [r, x] of Object.entries(prevWeights)) {
            const heldForItsFence = p.regions[r]?.reasons.includes('fence-holds') && residencyOf.get(r) !== fence;
            const ok =
              p.regions[r] !== undefined &&
              p.regions[r]!.state !== 'drained' &&
              !heldForItsFence &&
              (!fence || residencyOf.get(r) === fence);
            if (!ok) removed += x / sum;
          }
          if (removed > 1 - 1e-9) continue; // nothing left to be gentle with
          let l1 = 0;
          const keys = new Set([...Object.keys(prevWeights), ...Object.keys(next.weights)]);
          for (const k of keys) l1 += Math.abs((next.weights[k] ?? 0) - (prevWeights[k] ?? 0) / sum);
          if (l1 > bound + 2 * removed + 1e-3) return false;
        }
        return true;
      }),
      RUNS,
    );
  });

  it('a second plan at the same instant, from the first one’s weights written now, moves no weight', () => {
    // What a repeated event sees: the first plan's weights in the record, stamped with this instant.
    fc.assert(
      fc.property(world, (w) => {
        const input = toInput(w);
        const first = plan(input).plan;
        const again = plan({ ...input, current: first, weightsMovedAt: input.now }).plan;
        return JSON.stringify(again.locations) === JSON.stringify(first.locations);
      }),
      RUNS,
    );
  });

  it('never drains more than maxDrainFraction of the regions, and always keeps one serving', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = toInput(w);
        const result = plan(input);
        if (failedOpen(result)) return true;
        const regions = Object.values(result.plan.regions);
        const n = regionNames.length;
        // Warming regions held at 0 are not drained by this plan (rule 11); they only take slots.
        const drained = regions.filter((r) => r.state === 'drained' && !r.reasons.includes('warming')).length;
        const heldAtZero = regions.filter((r) => r.state === 'drained' && r.reasons.includes('warming')).length;
        const limit = Math.min(Math.floor(input.config.guardrails.maxDrainFraction * n + 1e-9), n - 1);
        const serving = n - drained - heldAtZero;
        return drained <= limit && (serving >= 1 || heldAtZero === n);
      }),
      RUNS,
    );
  });

  it('scalers are 0 or 0.1..1; floors stay within config min, maxReplicas and the GPU budget', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = toInput(w);
        const result = plan(input);
        const { plan: p } = result;
        if (failedOpen(result)) return true; // floors held where they were (rule 10)
        let total = 0;
        for (const r of base.regions) {
          const rp = p.regions[r.name]!;
          if (!(rp.capacityScaler === 0 || (rp.capacityScaler >= 0.1 && rp.capacityScaler <= 1))) return false;
          if ((rp.capacityScaler === 0) !== (rp.state === 'drained')) return false;
          if (input.observed[r.name] && (rp.targetReplicas < r.minReplicas || rp.targetReplicas > r.maxReplicas))
            return false;
          total += rp.targetReplicas * r.accelerator.count;
        }
        return total <= input.config.gpuBudget.maxTotalAccelerators;
      }),
      RUNS,
    );
  });

  it('is deterministic, with sorted keys', () => {
    fc.assert(
      fc.property(world, (w) => {
        const a = plan(toInput(w));
        const b = plan(structuredClone(toInput(w)));
        const sorted = (o: object) => {
          const k = Object.keys(o);
          return k.join() === [...k].sort().join();
        };
        return (
          JSON.stringify(a) === JSON.stringify(b) &&
          sorted(a.plan.locations) &&
          sorted(a.plan.regions) &&
          Object.values(a.plan.locations).every((l) => sorted(l.weights))
        );
      }),
      { numRuns: 200 },
    );
  });

  it('placeCapacity never over-places, and only where it may', () => {
    fc.assert(
      fc.property(
        world,
        fc.record({
          replicas: fc.integer({ min: 1, max: 30 }),
          near: fc.constantFrom(...locationNames),
        }),
        (w, req) => {
          const input = toInput(w);
          const r = placeCapacity(input, { requestId: 'fresh-id', ...req });
          const placed = r.placements.reduce((s, x) => s + x.replicas, 0);
          const fence = fenceOf.get(req.near);
          const states = plan(input).plan.regions;
          const okPlaces = r.placements.every((x) => {
            const obs = input.observed[x.region];
            return (
              (!fence || residencyOf.get(x.region) === fence) &&
              !obs?.stockout &&
              !obs?.quotaExceeded &&
              states[x.region]!.state !== 'drained'
            );
          });
          const status = placed === 0 ? 'rejected' : placed < req.replicas ? 'partial' : 'granted';
          return placed <= req.replicas && okPlaces && r.status === status;
        },
      ),
      { numRuns: 200 },
    );
  });
});
