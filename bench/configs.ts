import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type GeorouteConfig, parseConfig } from '../shared/config';
import { ACCELERATOR_ZONES, acceleratorZones } from '../shared/config/gpu-catalog';
import { REGIONS } from '../shared/config/regions';
import { estimateRttMs } from '../shared/config/rtt';

/** Repository root (bench runs from dist/bench/). */
export const ROOT = path.resolve(__dirname, '..', '..');

function parsed(raw: unknown, what: string): GeorouteConfig {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(`${what} invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

/** The shipped 5-region example (examples/georoute.yaml). */
export function exampleConfig(): GeorouteConfig {
  return parsed(readFileSync(path.join(ROOT, 'examples', 'georoute.yaml'), 'utf8'), 'examples/georoute.yaml');
}

/**
 * The regions of the burst benchmark: every region the GPU catalog knows L4 zones for (three
 * continents); bootstrap refuses a zone without the accelerator, as Compute Engine would.
 */
export const BURST_REGIONS = Object.keys(ACCELERATOR_ZONES['nvidia-l4'] ?? {}).sort();

/**
 * A deployment over BURST_REGIONS (1 × L4 per replica, floor 1, ceiling 20, budget for all of them), its
 * regions as client locations too. Guardrails as the defaults, except no scale-out cooldown (a burst
 * of capacity requests would otherwise be held back by design, which is not what is measured).
 */
export function burstConfig(): GeorouteConfig {
  return parsed(
    {
      project: 'georoute-bench',
      regions: BURST_REGIONS.map((name) => ({
        name,
        zones: (acceleratorZones('nvidia-l4', name) ?? []).slice(0, 2),
        minReplicas: 1,
        maxReplicas: 20,
        replicaThroughputRps: 4,
      })),
      clientLocations: BURST_REGIONS.map((location) => ({ location, expectedRps: 4 })),
      dns: { managedZone: 'georoute-bench', recordName: 'infer.bench.example.com.' },
      gpuBudget: { maxTotalAccelerators: 200 },
      guardrails: { scaleOutCooldownSec: 0 },
    },
    'the burst bench config',
  );
}

/**
 * `regions` regions × `locations` client locations for the planner benchmark. Cloud DNS geo
 * locations are region names, so a valid config has at most one location per known region (43);
 * the rest are synthetic locations (`x-<n>`) placed through RTT overrides near a real one, added to
 * the parsed config directly (the planner is pure: it only needs the config object).
 */
export function plannerConfig(regionCount: number, locationCount: number): GeorouteConfig {
  const all = [...REGIONS.keys()].sort();
  // Spread the chosen regions over the table (every continent), deterministic.
  const regions = Array.from(
    { length: regionCount },
    (_, i) => all[Math.floor((i * all.length) / regionCount)] as string,
  );
  const real = all.slice(0, Math.min(locationCount, all.length));
  const config = parsed(
    {
      project: 'georoute-bench',
      regions: regions.map((name) => ({
        name,
        zones: (REGIONS.get(name)?.zones ?? ['a']).map((z) => `${name}-${z}`),
        minReplicas: 1,
        maxReplicas: 20,
        replicaThroughputRps: 4,
      })),
      clientLocations: real.map((location, i) => ({
        location,
        expectedRps: 5,
        // A few fenced locations, as in a real deployment (only where the fence holds a region).
        ...(i % 5 === 0 && regions.some((r) => REGIONS.get(r)?.residency === REGIONS.get(location)?.residency)
          ? { residency: REGIONS.get(location)?.residency }
          : {}),
      })),
      dns: { managedZone: 'georoute-bench', recordName: 'infer.bench.example.com.' },
      gpuBudget: { maxTotalAccelerators: regionCount * 20 },
    },
    `the ${regionCount}-region planner config`,
  );
  const overrides = [...config.latency.overrides];
  const locations = [...config.clientLocations];
  for (let n = 0; locations.length < locationCount; n++) {
    const near = all[n % all.length] as string;
    const name = `x-${n}`;
    locations.push({ location: name, expectedRps: 5, countries: [] });
    for (const r of regions)
      overrides.push({ from: name, to: r, rttMs: (estimateRttMs(near, r) ?? 300) + 1 + (n % 7) });
  }
  return { ...config, clientLocations: locations, latency: { overrides } };
}
