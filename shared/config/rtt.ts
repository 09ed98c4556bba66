import { regionInfo } from './regions';

/** Speed of light in fibre, km per ms. */
const FIBRE_KM_PER_MS = 200;
/** Real paths are longer than great circles. */
const ROUTING_FACTOR = 1.5;
/** Fixed cost of any inter-region hop (switching, queuing). */
const BASE_MS = 4;
/** Within one region. */
const SAME_REGION_MS = 1;
const EARTH_RADIUS_KM = 6371;

/** Great-circle distance between two points, km (haversine). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Approximate round-trip time between two known regions, ms, rounded to 1 ms:
 * 2 × distance / (200 km/ms) × 1.5 + 4. Undefined when a region is not in the built-in table.
 */
export function estimateRttMs(from: string, to: string): number | undefined {
  if (from === to) return SAME_REGION_MS;
  const a = regionInfo(from);
  const b = regionInfo(to);
  if (!a || !b) return undefined;
  const km = greatCircleKm(a.lat, a.lon, b.lat, b.lon);
  return Math.round(((2 * km) / FIBRE_KM_PER_MS) * ROUTING_FACTOR + BASE_MS);
}

export interface RttOverride {
  from: string;
  to: string;
  rttMs: number;
}

export type RttModel = (from: string, to: string) => number;

/**
 * RTT lookup: overrides first (symmetric: `a→b` also sets `b→a` unless `b→a` is given itself), then
 * the built-in estimate. A pair the model cannot place is `Infinity` — it sorts last, never first.
 */
export function buildRttModel(overrides: readonly RttOverride[]): RttModel {
  const explicit = new Map<string, number>();
  const mirrored = new Map<string, number>();
  for (const o of overrides) {
    explicit.set(`${o.from}|${o.to}`, o.rttMs);
    mirrored.set(`${o.to}|${o.from}`, o.rttMs);
  }
  return (from, to) => {
    const key = `${from}|${to}`;
    return explicit.get(key) ?? mirrored.get(key) ?? estimateRttMs(from, to) ?? Number.POSITIVE_INFINITY;
  };
}
