import type { GeorouteConfig } from '../shared/config';
import { plan } from '../shared/plan';
import type { PlannerInput, RegionObservation } from '../shared/plan/types';
import { plannerConfig } from './configs';
import type { Section } from './report';
import { summarize } from './stats';

const LOCATIONS = 120;
const SIZES = [5, 10, 20, 40];

function healthy(): RegionObservation {
  return {
    backendHealthy: 2,
    backendTotal: 2,
    openIncidents: [],
    instances: { running: 2, booting: 0, failed: 0 },
    warming: false,
    stockout: false,
    quotaExceeded: false,
    currentCapacityScaler: 1,
    currentMinReplicas: 1,
    lastHealthyTransitionAt: null,
    lastScaleOutAt: null,
    lastScaleInAt: null,
  };
}

/** Steady state: every region healthy, one unhealthy (a drain in progress), load that moves between runs. */
function input(config: GeorouteConfig, step: number): PlannerInput {
  const observed: Record<string, RegionObservation> = {};
  config.regions.forEach((r, i) => {
    observed[r.name] =
      i === 1 ? { ...healthy(), backendHealthy: 0, openIncidents: [{ id: 'i-1', startedAt: 0 }] } : healthy();
  });
  const load: Record<string, number> = {};
  config.clientLocations.forEach((l, i) => {
    load[l.location] = 2 + ((i * 7 + step * 3) % 11);
  });
  return { config, observed, load, floors: [], now: 1_800_000_000_000 + step * 60_000, current: null };
}

/** Times `plan()` on 5…40 regions × 120 locations: first plan of a config (topology built) and warm plans. */
export async function plannerScale(reps: number): Promise<Section> {
  const runs = Math.max(20, reps * 20);
  const rows: Section['rows'] = [];
  const notes: string[] = [];
  for (const n of SIZES) {
    const config = plannerConfig(n, LOCATIONS);
    // The first plan of a config object also builds its topology (sorted candidates per location).
    const coldStart = process.hrtime.bigint();
    let current = plan(input(config, 0)).plan;
    const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
    for (let w = 0; w < 5; w++) current = plan({ ...input(config, w), current }).plan; // JIT warm-up
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const x = { ...input(config, i), current };
      const t = process.hrtime.bigint();
      current = plan(x).plan;
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const label = `${n} regions × ${config.clientLocations.length} locations`;
    const med = summarize(samples).median;
    rows.push({
      label,
      unit: 'ms',
      samples,
      ...(n === SIZES[0] ? {} : { baseline: rows[0]?.label }),
      ...(n === 40 ? { target: '≤ 5 ms median', met: med <= 5 } : {}),
    });
    notes.push(`${label}: first plan of the config (topology built once per config object) ${coldMs.toFixed(2)} ms`);
  }
  return {
    id: 'planner',
    title: '4. Planner scale',
    method:
      `\`plan()\` (pure, in-process) on N regions × ${LOCATIONS} client locations, steady state: every region ` +
      'healthy but one (drained, its traffic spread), per-location load that changes every run, the previous ' +
      `plan as \`current\` (churn limit active). ${runs} timed runs per size after 5 warm-up runs. Cloud DNS geo ` +
      'locations are region names (43 known), so locations beyond the table are synthetic ones placed by RTT ' +
      'overrides near a real region. Baseline: the 5-region plan.',
    rows,
    notes,
  };
}
