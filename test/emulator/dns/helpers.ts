import type { Zone } from '@google-cloud/dns';
import { EmulatorControlError, type GeoQuery, type GeoResult } from '../../../emulator/control-client';
import type { Twin } from '../../helpers/twin';

/** Helpers for Cloud DNS through the official client, on a `startTwin({ timings: 'dns' })` twin. */
export const PROJECT = 'p1'; // the twin's default project
/** The `dns` preset: changes stay `pending` until a test advances the virtual clock by this much. */
export const CHANGE_MS = 60_000;

/** `zone.request` (the record-set endpoints the library does not wrap), promisified. */
export function zoneRequest<T = Record<string, unknown>>(
  zone: Zone,
  opts: { method?: string; uri: string; json?: unknown; qs?: Record<string, string> },
): Promise<T> {
  return new Promise((resolve, reject) => {
    zone.request(opts, (err, body) => (err ? reject(err) : resolve(body as T)));
  });
}

/** The library's Record metadata type knows nothing of routing policies. */
export function policyRecord(zone: Zone, type: string, meta: Record<string, unknown>) {
  return zone.record(type, meta as never);
}

/** The geo query of the control API, with its HTTP status (400 / 404 are answers here too). */
export async function resolve(w: Twin, q: GeoQuery): Promise<{ status: number; body: GeoResult }> {
  try {
    return { status: 200, body: await w.control.resolve(q) };
  } catch (err) {
    if (!(err instanceof EmulatorControlError)) throw err;
    return { status: err.status, body: err.body as GeoResult };
  }
}

let seq = 0;
/** A fresh zone per test, so tests do not depend on each other. */
export async function newZone(w: Twin): Promise<Zone> {
  seq++;
  const [zone] = await w.gcp.dns.createZone(`zone-${seq}`, { dnsName: `z${seq}.example.org.` });
  return zone;
}
