import type { Zone } from '@google-cloud/dns';
import { type Emulator, startEmulator } from '../../../emulator';
import type { GeoAnswer } from '../../../emulator/dns';
import { GcpClients } from '../../../shared/gcp/clients';

export const PROJECT = 'p1';
/** Changes stay `pending` until a test advances the virtual clock by this much. */
export const CHANGE_MS = 60_000;

export interface DnsWorld {
  emu: Emulator;
  gcp: GcpClients;
}

export async function startDnsWorld(): Promise<DnsWorld> {
  const emu = await startEmulator({ timings: { dnsChangeMs: CHANGE_MS } });
  const gcp = new GcpClients({ projectId: PROJECT, emulator: emu.restUrl });
  return { emu, gcp };
}

export async function stopDnsWorld(w: DnsWorld): Promise<void> {
  await w.gcp.close();
  await w.emu.stop();
}

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

export type ResolveBody = Partial<GeoAnswer> & { zone?: string; answers?: Record<string, string[]> };

export async function resolve(
  emu: Emulator,
  params: Record<string, string>,
): Promise<{ status: number; body: ResolveBody }> {
  const res = await fetch(`${emu.restUrl}/__emulator/dns/resolve?${new URLSearchParams(params)}`);
  return { status: res.status, body: (await res.json()) as ResolveBody };
}

/** Advances virtual time and runs the simulation (changes become `done`). */
export function advance(emu: Emulator, ms: number): void {
  emu.ctx.clock.advance(ms);
  emu.tick();
}

let seq = 0;
/** A fresh zone per test, so tests do not depend on each other. */
export async function newZone(w: DnsWorld): Promise<Zone> {
  seq++;
  const [zone] = await w.gcp.dns.createZone(`zone-${seq}`, { dnsName: `z${seq}.example.org.` });
  return zone;
}
