/**
 * Zones of the regions georoute is likely to use. A regional MIG without `distributionPolicy.zones`
 * gets up to three of them, as Google picks. Regions not listed are assumed to have zones a, b, c.
 */
const ZONE_SUFFIXES: Record<string, string[]> = {
  'us-central1': ['a', 'b', 'c', 'f'],
  'us-east1': ['b', 'c', 'd'],
  'us-east4': ['a', 'b', 'c'],
  'us-east5': ['a', 'b', 'c'],
  'us-south1': ['a', 'b', 'c'],
  'us-west1': ['a', 'b', 'c'],
  'us-west2': ['a', 'b', 'c'],
  'us-west3': ['a', 'b', 'c'],
  'us-west4': ['a', 'b', 'c'],
  'northamerica-northeast1': ['a', 'b', 'c'],
  'southamerica-east1': ['a', 'b', 'c'],
  'europe-west1': ['b', 'c', 'd'],
  'europe-west2': ['a', 'b', 'c'],
  'europe-west3': ['a', 'b', 'c'],
  'europe-west4': ['a', 'b', 'c'],
  'europe-north1': ['a', 'b', 'c'],
  'asia-east1': ['a', 'b', 'c'],
  'asia-northeast1': ['a', 'b', 'c'],
  'asia-south1': ['a', 'b', 'c'],
  'asia-southeast1': ['a', 'b', 'c'],
  'australia-southeast1': ['a', 'b', 'c'],
  'me-west1': ['a', 'b', 'c'],
};

export function zonesOfRegion(region: string): string[] {
  return (ZONE_SUFFIXES[region] ?? ['a', 'b', 'c']).map((s) => `${region}-${s}`);
}

/** Google's default zone selection for a regional MIG: up to three zones of the region. */
export function defaultZones(region: string): string[] {
  return zonesOfRegion(region).slice(0, 3);
}

export function zoneInRegion(zone: string, region: string): boolean {
  return zonesOfRegion(region).includes(zone);
}
