/**
 * Client demand per client location, from what Google's load balancers count per client country
 * (shared/observe: `client_country`, the finest client location those metrics carry). Pure.
 *
 * A location counts its own country and its configured `countries`; a country several locations share
 * (us-central1, us-east4 and us-west1 are all 'United States') is split between them in proportion to
 * their `expectedRps` (equally without). Requests from countries no location names are spread over the
 * locations in proportion to what they already have, so the total stays what Google measured. With no
 * measurement at all (the read failed, or nothing has been served yet) every location is missing — the
 * planner then uses `expectedRps` and never reads it as idle.
 */
import { countryOf, type GeorouteConfig } from '../config';

export type DemandSource = 'lb-metrics' | 'missing';

export interface LocationDemand {
  /** Requests/s per location; a location is absent when its demand is unknown. */
  load: Record<string, number | undefined>;
  /** Where each location's figure came from (`georoute status`). */
  source: Record<string, DemandSource>;
  /** Requests/s from countries no location names (attributed proportionally). */
  unattributedRps: number;
}

export function locationDemand(config: GeorouteConfig, byCountry: Record<string, number> | undefined): LocationDemand {
  const locations = config.clientLocations;
  const missing = (): LocationDemand => ({
    load: Object.fromEntries(locations.map((l) => [l.location, undefined])),
    source: Object.fromEntries(locations.map((l) => [l.location, 'missing' as const])),
    unattributedRps: 0,
  });
  const total = Object.values(byCountry ?? {}).reduce((s, v) => s + v, 0);
  if (!byCountry || !(total > 0)) return missing();
  const countriesOf = new Map(
    locations.map((l) => [
      l.location,
      new Set([countryOf(l.location), ...l.countries].filter((c): c is string => !!c)),
    ]),
  );
  const load: Record<string, number> = Object.fromEntries(locations.map((l) => [l.location, 0]));
  let unattributed = 0;
  for (const [country, rps] of Object.entries(byCountry)) {
    const sharing = locations.filter((l) => countriesOf.get(l.location)?.has(country));
    if (sharing.length === 0) {
      unattributed += rps;
      continue;
    }
    const priors = sharing.map((l) => l.expectedRps ?? 0);
    const sum = priors.reduce((s, p) => s + p, 0);
    sharing.forEach((l, i) => {
      load[l.location] = (load[l.location] ?? 0) + rps * (sum > 0 ? (priors[i] as number) / sum : 1 / sharing.length);
    });
  }
  const attributed = total - unattributed;
  if (unattributed > 0) {
    const scale = attributed > 0 ? total / attributed : 0;
    for (const l of locations) {
      load[l.location] = attributed > 0 ? (load[l.location] ?? 0) * scale : total / locations.length;
    }
  }
  return {
    load,
    source: Object.fromEntries(locations.map((l) => [l.location, 'lb-metrics' as const])),
    unattributedRps: unattributed,
  };
}
