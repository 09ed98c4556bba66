/**
 * Google Cloud regions with the approximate position of their data centres (city level; good
 * enough to rank "nearest"). Cloud DNS geo routing uses these names as `location` values and
 * answers an unmatched source with the nearest item, so the emulator needs both the list (to
 * refuse unknown locations) and the coordinates (to pick the nearest).
 */
export interface LatLon {
  lat: number;
  lon: number;
}

export const GCP_REGIONS: Readonly<Record<string, LatLon>> = {
  'africa-south1': { lat: -26.2, lon: 28.05 }, // Johannesburg
  'asia-east1': { lat: 24.05, lon: 120.52 }, // Changhua County, Taiwan
  'asia-east2': { lat: 22.32, lon: 114.17 }, // Hong Kong
  'asia-northeast1': { lat: 35.69, lon: 139.69 }, // Tokyo
  'asia-northeast2': { lat: 34.69, lon: 135.5 }, // Osaka
  'asia-northeast3': { lat: 37.57, lon: 126.98 }, // Seoul
  'asia-south1': { lat: 19.08, lon: 72.88 }, // Mumbai
  'asia-south2': { lat: 28.61, lon: 77.21 }, // Delhi
  'asia-southeast1': { lat: 1.34, lon: 103.71 }, // Jurong West, Singapore
  'asia-southeast2': { lat: -6.21, lon: 106.85 }, // Jakarta
  'australia-southeast1': { lat: -33.87, lon: 151.21 }, // Sydney
  'australia-southeast2': { lat: -37.81, lon: 144.96 }, // Melbourne
  'europe-central2': { lat: 52.23, lon: 21.01 }, // Warsaw
  'europe-north1': { lat: 60.57, lon: 27.2 }, // Hamina, Finland
  'europe-north2': { lat: 59.33, lon: 18.07 }, // Stockholm
  'europe-southwest1': { lat: 40.42, lon: -3.7 }, // Madrid
  'europe-west1': { lat: 50.45, lon: 3.82 }, // St. Ghislain, Belgium
  'europe-west2': { lat: 51.51, lon: -0.13 }, // London
  'europe-west3': { lat: 50.11, lon: 8.68 }, // Frankfurt
  'europe-west4': { lat: 53.44, lon: 6.83 }, // Eemshaven, Netherlands
  'europe-west6': { lat: 47.38, lon: 8.54 }, // Zurich
  'europe-west8': { lat: 45.46, lon: 9.19 }, // Milan
  'europe-west9': { lat: 48.86, lon: 2.35 }, // Paris
  'europe-west10': { lat: 52.52, lon: 13.4 }, // Berlin
  'europe-west12': { lat: 45.07, lon: 7.69 }, // Turin
  'me-central1': { lat: 25.29, lon: 51.53 }, // Doha
  'me-central2': { lat: 26.43, lon: 50.1 }, // Dammam
  'me-west1': { lat: 32.09, lon: 34.78 }, // Tel Aviv
  'northamerica-northeast1': { lat: 45.5, lon: -73.57 }, // Montréal
  'northamerica-northeast2': { lat: 43.65, lon: -79.38 }, // Toronto
  'northamerica-south1': { lat: 20.59, lon: -100.39 }, // Querétaro
  'southamerica-east1': { lat: -23.53, lon: -46.79 }, // Osasco (São Paulo)
  'southamerica-west1': { lat: -33.45, lon: -70.67 }, // Santiago
  'us-central1': { lat: 41.26, lon: -95.86 }, // Council Bluffs, Iowa
  'us-east1': { lat: 33.2, lon: -80.01 }, // Moncks Corner, South Carolina
  'us-east4': { lat: 39.04, lon: -77.49 }, // Ashburn, Virginia
  'us-east5': { lat: 39.96, lon: -83.0 }, // Columbus, Ohio
  'us-south1': { lat: 32.78, lon: -96.8 }, // Dallas
  'us-west1': { lat: 45.59, lon: -121.18 }, // The Dalles, Oregon
  'us-west2': { lat: 34.05, lon: -118.24 }, // Los Angeles
  'us-west3': { lat: 40.76, lon: -111.89 }, // Salt Lake City
  'us-west4': { lat: 36.17, lon: -115.14 }, // Las Vegas
};

export function isGcpRegion(name: string): boolean {
  return Object.hasOwn(GCP_REGIONS, name);
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle (haversine) distance in km between two regions, or two coordinates. */
export function distanceKm(a: string | LatLon, b: string | LatLon): number {
  const p = typeof a === 'string' ? position(a) : a;
  const q = typeof b === 'string' ? position(b) : b;
  const rad = Math.PI / 180;
  const dLat = (q.lat - p.lat) * rad;
  const dLon = (q.lon - p.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(p.lat * rad) * Math.cos(q.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function position(region: string): LatLon {
  const at = GCP_REGIONS[region];
  if (!at) throw new Error(`unknown Google Cloud region '${region}'`);
  return at;
}
