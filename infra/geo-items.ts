import { buildRttModel, effectiveResidency, type GeorouteConfig } from '../shared/config';

/**
 * The first geo items of the record: each client location → the entry IP of its nearest region inside
 * its residency fence (the planner's rule with every region healthy and idle); the anycast IP when no
 * region may serve it. From then on the runtime's DNS actuator owns the items.
 */
export function initialGeoItems(
  config: GeorouteConfig,
  entryIps: Record<string, string>,
  anycastIp: string | undefined,
): Array<{ location: string; rrdatas: string[] }> {
  const rtt = buildRttModel(config.latency.overrides);
  const items: Array<{ location: string; rrdatas: string[] }> = [];
  for (const loc of config.clientLocations) {
    const allowed = config.regions.filter(
      (r) => entryIps[r.name] && (!loc.residency || effectiveResidency(r) === loc.residency),
    );
    allowed.sort((a, b) => rtt(loc.location, a.name) - rtt(loc.location, b.name));
    const best = allowed[0];
    const ip = best ? entryIps[best.name] : anycastIp;
    if (ip) items.push({ location: loc.location, rrdatas: [ip] });
  }
  return items.sort((a, b) => a.location.localeCompare(b.location));
}
