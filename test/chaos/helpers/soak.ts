import type { GeorouteConfig } from '../../../shared/config';
import { readRecord } from '../../../shared/gcp/dns-rest';
import { type ChaosStack, retried } from './stack';

/** Rough UTC offsets (hours) of the client locations: their daily peak follows the local afternoon. */
const OFFSET: Record<string, number> = {
  'us-central1': -6,
  'us-east4': -5,
  'us-west1': -8,
  'europe-west4': 1,
  'europe-west1': 1,
};

/**
 * Requests/s per location at virtual time `now`: `base` × a diurnal factor, 0.3 at 04:00 local to 1.0
 * at 16:00 local, so load moves west with the sun and the floors breathe every day.
 */
export function diurnalLoad(base: Record<string, number>, now: number): Record<string, number> {
  const hourUtc = (now / 3_600_000) % 24;
  return Object.fromEntries(
    Object.entries(base).map(([loc, rps]) => {
      const local = (hourUtc + (OFFSET[loc] ?? 0) + 24) % 24;
      const factor = 0.65 - 0.35 * Math.cos(((local - 4) / 24) * 2 * Math.PI);
      return [loc, Math.round(rps * factor * 100) / 100];
    }),
  );
}

/** Region → entry IP, read once (the addresses are static). */
export async function entryIps(s: ChaosStack): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of s.config.regions) {
    const [a] = await retried(() =>
      s.w.gcp.compute.addresses.get({ project: s.config.project, region: r.name, address: r.entry.addressName }),
    );
    out[r.name] = a.address as string;
  }
  return out;
}

/**
 * Fenced locations answered from outside their fence (issue 14 §3): location → foreign regions.
 * A location with a residency may be answered only by regions of that residency (the config names
 * no fallback in the soak's config).
 */
export async function residencyViolations(
  s: ChaosStack,
  ipToRegion: Record<string, string>,
): Promise<Record<string, string[]>> {
  const config: GeorouteConfig = s.config;
  const record = await retried(() => readRecord(s.w.gcp.dns, config.dns.managedZone, config.dns.recordName, 'A'));
  const residencyOf = Object.fromEntries(config.regions.map((r) => [r.name, r.residency]));
  const out: Record<string, string[]> = {};
  for (const item of record?.routingPolicy?.geo?.items ?? []) {
    const fence = config.clientLocations.find((l) => l.location === item.location)?.residency;
    if (!fence) continue;
    const foreign = (item.rrdatas ?? []).map((ip) => ipToRegion[ip] ?? ip).filter((r) => residencyOf[r] !== fence);
    if (foreign.length > 0) out[item.location as string] = foreign;
  }
  return out;
}

/** georoute's scaling schedules per region (an operator's own are not counted). */
export async function georouteSchedules(s: ChaosStack): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of s.config.regions) {
    const [a] = await retried(() =>
      s.w.gcp.compute.regionAutoscalers.get({ project: s.config.project, region: r.name, autoscaler: r.autoscaler }),
    );
    out[r.name] = Object.keys(a.autoscalingPolicy?.scalingSchedules ?? {}).filter((n) =>
      n.startsWith('georoute-'),
    ).length;
  }
  return out;
}
