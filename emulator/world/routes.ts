import { invalid } from '../core/api-error';
import { isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { WorldService } from './index';
import type { WorldSetup } from './types';

/** The world's control routes (api `control`, docs/emulator/world.md). */
export function registerWorldRoutes(router: Router, world: WorldService): void {
  const base = '/__emulator/world';
  router.add('POST', `${base}/setup`, { api: 'control' }, (req) => {
    world.configure(parseSetup(req.body));
    return { ok: true };
  });
  router.add('POST', `${base}/load`, { api: 'control' }, (req) => {
    const body = isPlainObject(req.body) ? req.body : {};
    if (!isPlainObject(body.locations)) throw invalid("'locations' must map locations to requests/s");
    const load: Record<string, number> = {};
    for (const [k, v] of Object.entries(body.locations)) {
      if (typeof v !== 'number' || !(v >= 0)) throw invalid(`'locations.${k}' must be a number >= 0`);
      load[k] = v;
    }
    world.setLoad(load);
    return { load: world.load };
  });
  router.add('POST', `${base}/faults`, { api: 'control' }, (req) => {
    const body = isPlainObject(req.body) ? req.body : {};
    const { region, errorRate, status } = body;
    if (typeof region !== 'string' || typeof errorRate !== 'number' || errorRate < 0 || errorRate > 1)
      throw invalid('expected {region, errorRate: 0..1, status?: 500..599}');
    if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 500 && (status as number) <= 599))
      throw invalid("'status' must be an HTTP status 500..599");
    world.setFault(region, errorRate, status as number | undefined);
    return { faults: world.faults };
  });
  router.get(`${base}/samples`, 'control', (req) => {
    const since = Number(req.query.get('since') ?? 0);
    return { samples: world.samples.filter((s) => s.at > since) };
  });
  router.get(`${base}/events`, 'control', (req) => {
    const since = Number(req.query.get('since') ?? 0);
    return { events: world.events.filter((e) => e.at > since) };
  });
  router.get(`${base}/ejections`, 'control', () => ({ ejections: world.ejections }));
}

export function parseSetup(body: unknown): WorldSetup {
  if (!isPlainObject(body)) throw invalid('expected a JSON object');
  const { project, recordName, backendService, locations } = body;
  if (typeof project !== 'string' || typeof recordName !== 'string' || typeof backendService !== 'string')
    throw invalid("'project', 'recordName' and 'backendService' are required strings");
  if (!Array.isArray(locations) || !locations.every((l) => typeof l === 'string'))
    throw invalid("'locations' must be a list of region names");
  const num = (k: string): number | undefined => (typeof body[k] === 'number' ? (body[k] as number) : undefined);
  const setup: WorldSetup = { project, recordName, backendService, locations: locations as string[] };
  for (const k of ['sampleSec', 'probeRps', 'baseLatencyMs', 'defaultReplicaRps', 'seed'] as const) {
    const v = num(k);
    if (v !== undefined) setup[k] = v;
  }
  return setup;
}
