import { invalid, notFound } from '../../core/api-error';
import { isPlainObject } from '../../core/merge-patch';
import type { ApiRequest, Router } from '../../core/router';
import { canonicalPath } from '../links';
import type { SimInstance } from '../state';
import { GLOBAL_QUOTA, GPUS_ALL_REGIONS, type InstanceSimulation } from './instances';
import { MIG_KIND, regionOf } from './mig-util';

/**
 * Control routes of the VM simulation, under `/__emulator/compute/` (see docs/emulator/compute-mig.md):
 * stockouts, GPU quota, instance deaths, forced health, utilization demand, and a VM listing.
 */
export function registerSimControl(sim: InstanceSimulation, router: Router): void {
  const base = '/__emulator/compute';
  const settle = (): void => sim.tick(sim.now());

  router.get(`${base}/stockouts`, 'control', () => ({ stockouts: sim.state.stockouts }));
  router.add('POST', `${base}/stockouts`, { api: 'control' }, (req) => {
    const body = objectBody(req);
    const zone = requiredString(body, 'zone');
    const acceleratorType = optionalString(body, 'acceleratorType');
    if (typeof body.outOfStock !== 'boolean') throw invalid("'outOfStock' must be true or false");
    sim.state.stockouts = sim.state.stockouts.filter(
      (s) => !(s.zone === zone && s.acceleratorType === acceleratorType),
    );
    if (body.outOfStock) sim.state.stockouts.push(acceleratorType ? { zone, acceleratorType } : { zone });
    settle();
    return { stockouts: sim.state.stockouts };
  });

  router.get(`${base}/quota`, 'control', () => ({ quota: sim.state.gpuQuota }));
  router.add('POST', `${base}/quota`, { api: 'control' }, (req) => {
    const body = objectBody(req);
    const metric = requiredString(body, 'metric');
    // GPUS_ALL_REGIONS is project-wide; the accelerator metrics are per region.
    const where = metric === GPUS_ALL_REGIONS ? GLOBAL_QUOTA : requiredString(body, 'region');
    const key = `${requiredString(body, 'project')}/${where}`;
    const limits = sim.state.gpuQuota[key] ?? {};
    sim.state.gpuQuota[key] = limits;
    if (body.limit === null) delete limits[metric];
    else if (typeof body.limit === 'number' && body.limit >= 0) limits[metric] = body.limit;
    else throw invalid("'limit' must be a number >= 0, or null to remove the limit");
    settle();
    return { quota: sim.state.gpuQuota };
  });

  router.add('POST', `${base}/demand`, { api: 'control' }, (req) => {
    const body = objectBody(req);
    const mig = resolveMig(sim, body);
    if (body.replicas === null) sim.setDemand(mig, undefined);
    else if (typeof body.replicas === 'number' && body.replicas >= 0) sim.setDemand(mig, Math.ceil(body.replicas));
    else throw invalid("'replicas' must be a number >= 0, or null to clear it");
    settle();
    return { mig, replicas: sim.state.demand[mig] ?? null };
  });

  router.get(`${base}/instances`, 'control', (req) => {
    const now = sim.now();
    const mig = req.query.get('mig');
    const migPath = mig ? resolveMig(sim, { mig, region: req.query.get('region') ?? undefined }) : undefined;
    const instances = Object.values(sim.state.instances).filter((i) => !migPath || i.mig === migPath);
    return {
      instances: instances.map((i) => ({
        ...i,
        instance: sim.instanceUrl(i),
        instanceStatus: sim.statusOf(i, now) ?? null,
        healthState: sim.healthOf(i, now),
      })),
    };
  });

  router.add('POST', `${base}/instances/kill`, { api: 'control' }, (req) => {
    const body = objectBody(req);
    const chosen = select(sim, body).filter((i) => i.provisioned && i.terminatedAt === undefined);
    const count = body.count === undefined ? chosen.length : Number(body.count);
    if (!Number.isInteger(count) || count < 0) throw invalid("'count' must be an integer >= 0");
    const killed = sim.kill(chosen.slice(0, count), sim.now());
    settle();
    return { killed };
  });

  router.add('POST', `${base}/instances/health`, { api: 'control' }, (req) => {
    const body = objectBody(req);
    const health = body.health;
    if (health !== 'HEALTHY' && health !== 'UNHEALTHY' && health !== 'auto') {
      throw invalid("'health' must be 'HEALTHY', 'UNHEALTHY' or 'auto'");
    }
    const chosen = select(sim, body);
    const now = sim.now();
    for (const i of chosen) sim.forceHealth(i, health === 'auto' ? undefined : health, now);
    settle();
    return { updated: chosen.map((i) => i.name) };
  });
}

/** Instances named by `instance`, or by `mig` (+ `region`), or by `region`, optionally narrowed to `zone`. */
function select(sim: InstanceSimulation, body: Record<string, unknown>): SimInstance[] {
  const zone = optionalString(body, 'zone');
  const name = optionalString(body, 'instance');
  let chosen = Object.values(sim.state.instances);
  if (name) {
    const short = name.slice(name.lastIndexOf('/') + 1);
    chosen = chosen.filter((i) => i.name === short);
    if (chosen.length === 0) throw notFound(`instance ${short}`);
  } else if (body.mig !== undefined) {
    const mig = resolveMig(sim, body);
    chosen = chosen.filter((i) => i.mig === mig);
  } else if (typeof body.region === 'string') {
    chosen = chosen.filter((i) => regionOf(i.mig) === body.region);
  } else if (!zone) {
    throw invalid("name the instances: 'instance', 'mig' (+ 'region'), 'region' or 'zone'");
  }
  if (zone) chosen = chosen.filter((i) => i.zone === zone);
  return chosen.sort((a, b) => a.name.localeCompare(b.name));
}

/** `mig` as a path or URL, or as a name with `region` (and optionally `project`). */
function resolveMig(sim: InstanceSimulation, body: Record<string, unknown>): string {
  const mig = requiredString(body, 'mig');
  let path: string | undefined;
  if (mig.includes('/')) {
    path = canonicalPath(mig, optionalString(body, 'project') ?? '', 'mig');
  } else {
    const region = requiredString(body, 'region');
    const project = optionalString(body, 'project');
    path = Object.keys(sim.state.resources).find(
      (p) =>
        p.endsWith(`/regions/${region}/instanceGroupManagers/${mig}`) &&
        (!project || p.startsWith(`projects/${project}/`)),
    );
  }
  if (!path || sim.state.resources[path]?.kind !== MIG_KIND) throw notFound(path ?? mig);
  return path;
}

function objectBody(req: ApiRequest): Record<string, unknown> {
  if (!isPlainObject(req.body)) throw invalid('expected a JSON object');
  return req.body;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw invalid(`'${field}' is required`);
  return v;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`'${field}' must be a string`);
  return v;
}
