import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GeorouteConfig, parseConfig } from '../../../../shared/config';
import type { PlannerInput, RegionObservation, TrafficPlan } from '../../../../shared/plan';

export const EXAMPLE_PATH = join(__dirname, '../../../../examples/georoute.yaml');

/** The shipped example: 5 L4 regions, 13 client locations, EU fence on the 3 EU locations. */
export function exampleConfig(): GeorouteConfig {
  const r = parseConfig(readFileSync(EXAMPLE_PATH, 'utf8'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

export const NOW = 1_700_000_000_000;
export const MIN = 60_000;

export function healthy(over: Partial<RegionObservation> = {}): RegionObservation {
  return {
    backendHealthy: 2,
    backendTotal: 2,
    openIncidents: [],
    instances: { running: 2, booting: 0, failed: 0 },
    stockout: false,
    quotaExceeded: false,
    currentCapacityScaler: 1,
    currentMinReplicas: 2,
    lastHealthyTransitionAt: null,
    lastScaleOutAt: null,
    lastScaleInAt: null,
    ...over,
  };
}

export function unhealthy(over: Partial<RegionObservation> = {}): RegionObservation {
  return healthy({
    backendHealthy: 0,
    openIncidents: [{ id: 'inc-1', startedAt: NOW - 5 * MIN }],
    lastHealthyTransitionAt: null,
    ...over,
  });
}

/** All regions healthy at their config min, every location at its expectedRps. */
export function baseInput(config: GeorouteConfig, over: Partial<PlannerInput> = {}): PlannerInput {
  const observed: Record<string, RegionObservation> = {};
  for (const r of config.regions) observed[r.name] = healthy({ currentMinReplicas: r.minReplicas });
  const load: Record<string, number> = {};
  for (const l of config.clientLocations) load[l.location] = l.expectedRps ?? 1;
  return { config, observed, load, floors: [], now: NOW, current: null, ...over };
}

export function withObserved(
  input: PlannerInput,
  changes: Record<string, Partial<RegionObservation> | RegionObservation>,
): PlannerInput {
  const observed = { ...input.observed };
  for (const [name, c] of Object.entries(changes)) observed[name] = { ...(observed[name] ?? healthy()), ...c };
  return { ...input, observed };
}

export function weightSum(plan: TrafficPlan, location: string): number {
  return Object.values(plan.locations[location]?.weights ?? {}).reduce((s, w) => s + w, 0);
}

/** Regions that receive traffic from any location. */
export function regionsWithTraffic(plan: TrafficPlan): Set<string> {
  const out = new Set<string>();
  for (const l of Object.values(plan.locations)) for (const [r, w] of Object.entries(l.weights)) if (w > 0) out.add(r);
  return out;
}
