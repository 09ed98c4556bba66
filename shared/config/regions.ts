/**
 * Built-in table of Google Cloud regions: approximate data-centre coordinates (for the RTT model),
 * the zone suffixes Compute Engine exposes, and a default residency group.
 *
 * Coordinates are the metro area of each region (good to a few tens of km, which is noise next to
 * the routing factor of the RTT model). Zones are the general-purpose zones of each region; a zone
 * listed here may still lack a given GPU model — check the GPU availability page before using it.
 */

export interface RegionInfo {
  /** Region name, e.g. `us-central1`. */
  name: string;
  /** Where it is, for humans. */
  city: string;
  lat: number;
  lon: number;
  /** Zone suffixes (`a`, `b`, …); the zone name is `${name}-${suffix}`. */
  zones: readonly string[];
  /** Default residency group of a region that does not declare one. */
  residency: string;
}

const abc = ['a', 'b', 'c'] as const;

// name, city, lat, lon, zones, residency
const ROWS: ReadonlyArray<readonly [string, string, number, number, readonly string[], string]> = [
  ['africa-south1', 'Johannesburg', -26.2, 28.05, abc, 'af'],
  ['asia-east1', 'Changhua County, Taiwan', 24.05, 120.52, abc, 'apac'],
  ['asia-east2', 'Hong Kong', 22.32, 114.17, abc, 'apac'],
  ['asia-northeast1', 'Tokyo', 35.68, 139.69, abc, 'apac'],
  ['asia-northeast2', 'Osaka', 34.69, 135.5, abc, 'apac'],
  ['asia-northeast3', 'Seoul', 37.57, 126.98, abc, 'apac'],
  ['asia-south1', 'Mumbai', 19.08, 72.88, abc, 'apac'],
  ['asia-south2', 'Delhi', 28.61, 77.21, abc, 'apac'],
  ['asia-southeast1', 'Jurong West, Singapore', 1.35, 103.7, abc, 'apac'],
  ['asia-southeast2', 'Jakarta', -6.2, 106.85, abc, 'apac'],
  ['australia-southeast1', 'Sydney', -33.87, 151.21, abc, 'apac'],
  ['australia-southeast2', 'Melbourne', -37.81, 144.96, abc, 'apac'],
  ['europe-central2', 'Warsaw', 52.23, 21.01, abc, 'eu'],
  ['europe-north1', 'Hamina, Finland', 60.57, 27.2, abc, 'eu'],
  ['europe-north2', 'Stockholm', 59.33, 18.07, abc, 'eu'],
  ['europe-southwest1', 'Madrid', 40.42, -3.7, abc, 'eu'],
  ['europe-west1', 'St. Ghislain, Belgium', 50.45, 3.82, ['b', 'c', 'd'], 'eu'],
  ['europe-west2', 'London', 51.51, -0.13, abc, 'uk'],
  ['europe-west3', 'Frankfurt', 50.11, 8.68, abc, 'eu'],
  ['europe-west4', 'Eemshaven, Netherlands', 53.44, 6.83, abc, 'eu'],
  ['europe-west6', 'Zurich', 47.38, 8.54, abc, 'ch'],
  ['europe-west8', 'Milan', 45.46, 9.19, abc, 'eu'],
  ['europe-west9', 'Paris', 48.86, 2.35, abc, 'eu'],
  ['europe-west10', 'Berlin', 52.52, 13.4, abc, 'eu'],
  ['europe-west12', 'Turin', 45.07, 7.69, abc, 'eu'],
  ['me-central1', 'Doha', 25.29, 51.53, abc, 'me'],
  ['me-central2', 'Dammam', 26.43, 50.1, abc, 'me'],
  ['me-west1', 'Tel Aviv', 32.09, 34.78, abc, 'me'],
  ['northamerica-northeast1', 'Montréal', 45.5, -73.57, abc, 'ca'],
  ['northamerica-northeast2', 'Toronto', 43.65, -79.38, abc, 'ca'],
  ['northamerica-south1', 'Querétaro, Mexico', 20.59, -100.39, abc, 'mx'],
  ['southamerica-east1', 'São Paulo', -23.55, -46.63, abc, 'latam'],
  ['southamerica-west1', 'Santiago', -33.45, -70.67, abc, 'latam'],
  ['us-central1', 'Council Bluffs, Iowa', 41.26, -95.86, ['a', 'b', 'c', 'f'], 'us'],
  ['us-east1', 'Moncks Corner, South Carolina', 33.19, -80.01, ['b', 'c', 'd'], 'us'],
  ['us-east4', 'Ashburn, Virginia', 39.04, -77.49, abc, 'us'],
  ['us-east5', 'Columbus, Ohio', 39.96, -83.0, abc, 'us'],
  ['us-south1', 'Dallas', 32.78, -96.8, abc, 'us'],
  ['us-west1', 'The Dalles, Oregon', 45.59, -121.18, abc, 'us'],
  ['us-west2', 'Los Angeles', 34.05, -118.24, abc, 'us'],
  ['us-west3', 'Salt Lake City', 40.76, -111.89, abc, 'us'],
  ['us-west4', 'Las Vegas', 36.17, -115.14, abc, 'us'],
];

export const REGIONS: ReadonlyMap<string, RegionInfo> = new Map(
  ROWS.map(([name, city, lat, lon, zones, residency]) => [name, { name, city, lat, lon, zones, residency }]),
);

export function regionInfo(name: string): RegionInfo | undefined {
  return REGIONS.get(name);
}

export function isKnownRegion(name: string): boolean {
  return REGIONS.has(name);
}

/** Full zone names of a known region (`us-central1-a`, …); empty for an unknown region. */
export function zonesOf(region: string): string[] {
  const info = REGIONS.get(region);
  return info ? info.zones.map((z) => `${region}-${z}`) : [];
}

/**
 * The country each region is in, spelled as Cloud Monitoring's load-balancer metrics name client
 * countries (`client_country`, e.g. 'United States', 'Germany': https://cloud.google.com/monitoring/api/metrics_gcp).
 * A client location (a region name, as Cloud DNS geo routing names locations) counts the requests of
 * its country (plus `clientLocations[].countries`): country is the finest client location Google's
 * load-balancer metrics carry.
 */
const COUNTRY: Readonly<Record<string, string>> = {
  'africa-south1': 'South Africa',
  'asia-east1': 'Taiwan',
  'asia-east2': 'Hong Kong',
  'asia-northeast1': 'Japan',
  'asia-northeast2': 'Japan',
  'asia-northeast3': 'South Korea',
  'asia-south1': 'India',
  'asia-south2': 'India',
  'asia-southeast1': 'Singapore',
  'asia-southeast2': 'Indonesia',
  'australia-southeast1': 'Australia',
  'australia-southeast2': 'Australia',
  'europe-central2': 'Poland',
  'europe-north1': 'Finland',
  'europe-north2': 'Sweden',
  'europe-southwest1': 'Spain',
  'europe-west1': 'Belgium',
  'europe-west2': 'United Kingdom',
  'europe-west3': 'Germany',
  'europe-west4': 'Netherlands',
  'europe-west6': 'Switzerland',
  'europe-west8': 'Italy',
  'europe-west9': 'France',
  'europe-west10': 'Germany',
  'europe-west12': 'Italy',
  'me-central1': 'Qatar',
  'me-central2': 'Saudi Arabia',
  'me-west1': 'Israel',
  'northamerica-northeast1': 'Canada',
  'northamerica-northeast2': 'Canada',
  'northamerica-south1': 'Mexico',
  'southamerica-east1': 'Brazil',
  'southamerica-west1': 'Chile',
};

export function countryOf(region: string): string | undefined {
  return region.startsWith('us-') && REGIONS.has(region) ? 'United States' : COUNTRY[region];
}
