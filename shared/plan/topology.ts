/**
 * Everything about a config that does not change between plans: sorted names, RTTs and, per client
 * location, its candidate regions sorted nearest-first inside its residency fence. Computed once per
 * config object (memoised by identity) so `plan()` does no sorting in its hot path.
 */

import type { ClientLocationConfig, GeorouteConfig, RegionConfig } from '../config';
import { buildRttModel, effectiveResidency, type RttModel } from '../config';

export interface Topology {
  /** Region names, sorted; every per-region array below is aligned with it. */
  regions: string[];
  regionIndex: Map<string, number>;
  regionConfig: RegionConfig[];
  residency: string[];
  /** Most replicas a region may ever have: maxReplicas, and the per-region accelerator cap. */
  replicaCap: number[];
  accelerators: number[];
  /** Locations, sorted by name. */
  locations: string[];
  locationConfig: ClientLocationConfig[];
  /** Per location: region indices inside its fence, nearest first (ties by name). */
  candidates: number[][];
  /** Per location: true when its fence excludes at least one configured region. */
  fenced: boolean[];
  /** Location indices in the order demand is placed: nearest-served first, then by name. */
  fillOrder: number[];
  rtt: RttModel;
}

const cache = new WeakMap<GeorouteConfig, Topology>();

export function topologyOf(config: GeorouteConfig): Topology {
  let topo = cache.get(config);
  if (!topo) {
    topo = build(config);
    cache.set(config, topo);
  }
  return topo;
}

const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function build(config: GeorouteConfig): Topology {
  const rtt = buildRttModel(config.latency.overrides);
  const regionConfig = [...config.regions].sort(byName);
  const regions = regionConfig.map((r) => r.name);
  const regionIndex = new Map(regions.map((name, i) => [name, i]));
  const residency = regionConfig.map((r) => effectiveResidency(r));
  const accelerators = regionConfig.map((r) => r.accelerator.count);
  const perRegion = config.gpuBudget.perRegionMax ?? {};
  const replicaCap = regionConfig.map((r, i) => {
    const acc = perRegion[r.name];
    return acc === undefined ? r.maxReplicas : Math.min(r.maxReplicas, Math.floor(acc / (accelerators[i] ?? 1)));
  });
  const locationConfig = [...config.clientLocations].sort((a, b) =>
    a.location < b.location ? -1 : a.location > b.location ? 1 : 0,
  );
  const locations = locationConfig.map((l) => l.location);
  const candidates: number[][] = [];
  const fenced: boolean[] = [];
  for (const loc of locationConfig) {
    const all = regions.map((_, i) => i);
    const inFence = loc.residency === undefined ? all : all.filter((i) => residency[i] === loc.residency);
    fenced.push(inFence.length < all.length);
    // Sort keys precomputed: the comparator must not call the RTT model O(n log n) times.
    const keyed = inFence.map((i) => ({ i, ms: rtt(loc.location, regions[i] as string) }));
    keyed.sort((a, b) => cmp(a.ms, b.ms) || a.i - b.i);
    candidates.push(keyed.map((k) => k.i));
  }
  const nearestMs = locationConfig.map((loc, li) => {
    const first = candidates[li]?.[0];
    return first === undefined ? Number.POSITIVE_INFINITY : rtt(loc.location, regions[first] as string);
  });
  const fillOrder = locations
    .map((_, i) => i)
    .sort((a, b) => cmp(nearestMs[a] as number, nearestMs[b] as number) || a - b);
  return {
    regions,
    regionIndex,
    regionConfig,
    residency,
    replicaCap,
    accelerators,
    locations,
    locationConfig,
    candidates,
    fenced,
    fillOrder,
    rtt,
  };
}
