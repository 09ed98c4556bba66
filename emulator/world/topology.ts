import type { ComputeService } from '../compute';
import { canonicalPath } from '../compute/links';
import { AUTOSCALER_KIND, MIG_KIND } from '../compute/sim/mig-util';
import type { ComputeResource } from '../compute/state';

/** One backend of the global backend service: a region's MIG, as the world routes to it. */
export interface RegionBackend {
  region: string;
  groupPath: string;
  migPath: string;
  migName: string;
  /** Requests/s one replica serves (the backend's `maxRatePerInstance`, else the default). */
  replicaRps: number;
  capacityScaler: number;
  /** The autoscaler's utilization target (load-balancing utilization), default 0.8. */
  utilizationTarget: number;
  healthy: number;
  running: number;
  target: number;
}

export interface Topology {
  backends: RegionBackend[];
  /** Regional entry IP → region; global (anycast) IPs → `anycast`. */
  ipRegion: Map<string, string>;
  /** Names of the front end (for the load-balancing metrics' resource labels). */
  frontEnd: { urlMap: string; targetProxy: string; forwardingRule: string };
}

export const ANYCAST = 'anycast';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const linkTo = (link: unknown, project: string): string => {
  try {
    return canonicalPath(str(link), project, 'link');
  } catch {
    return '';
  }
};

/**
 * Reads what the world routes over from the Compute state, as Google's data plane would: the global
 * backend service's backends (capacityScaler, maxRatePerInstance), their MIGs' VMs and health, the
 * autoscalers' targets, and the reserved addresses (regional entry points and the anycast IP).
 */
export function readTopology(
  compute: ComputeService,
  project: string,
  backendService: string,
  defaultReplicaRps: number,
): Topology {
  const resources = compute.state.resources;
  const now = compute.ctx.clock.now();
  const ipRegion = new Map<string, string>();
  const targets = new Map<string, number>();
  let urlMap = '';
  let targetProxy = '';
  let forwardingRule = '';
  const bsPath = `projects/${project}/global/backendServices/${backendService}`;
  const prefix = `projects/${project}/`;
  for (const [path, r] of Object.entries(resources)) {
    if (!path.startsWith(prefix)) continue;
    if (r.kind === 'compute#address' && typeof r.address === 'string') {
      const m = /^projects\/[^/]+\/regions\/([^/]+)\/addresses\//.exec(path);
      ipRegion.set(r.address, m ? (m[1] as string) : ANYCAST);
    } else if (r.kind === AUTOSCALER_KIND) {
      const policy = (r.autoscalingPolicy ?? {}) as { loadBalancingUtilization?: { utilizationTarget?: number } };
      targets.set(linkTo(r.target, project), Number(policy.loadBalancingUtilization?.utilizationTarget ?? 0.8));
    } else if (r.kind === 'compute#urlMap' && linkTo(r.defaultService, project) === bsPath) {
      urlMap = r.name;
    }
  }
  for (const r of Object.values(resources)) {
    if (urlMap && /^compute#targetHttps?Proxy$/.test(r.kind) && str(r.urlMap).endsWith(`/urlMaps/${urlMap}`))
      targetProxy = r.name;
  }
  for (const r of Object.values(resources)) {
    if (targetProxy && r.kind === 'compute#forwardingRule' && str(r.target).endsWith(`/${targetProxy}`))
      forwardingRule = r.name;
  }

  const bs = resources[bsPath];
  const backends: RegionBackend[] = [];
  for (const b of Array.isArray(bs?.backends) ? (bs.backends as Array<Record<string, unknown>>) : []) {
    const groupPath = linkTo(b.group, project);
    const m = /^projects\/[^/]+\/regions\/([^/]+)\/instanceGroups\/([^/]+)$/.exec(groupPath);
    if (!m) continue;
    const migPath = groupPath.replace('/instanceGroups/', '/instanceGroupManagers/');
    const mig: ComputeResource | undefined = resources[migPath];
    if (mig?.kind !== MIG_KIND) continue;
    const instances = compute.sim.instancesOf(migPath);
    backends.push({
      region: m[1] as string,
      groupPath,
      migPath,
      migName: m[2] as string,
      replicaRps: typeof b.maxRatePerInstance === 'number' ? b.maxRatePerInstance : defaultReplicaRps,
      capacityScaler: typeof b.capacityScaler === 'number' ? b.capacityScaler : 1,
      utilizationTarget: targets.get(migPath) ?? 0.8,
      healthy: compute.sim.groupHealth(groupPath).filter((h) => h.healthState === 'HEALTHY').length,
      running: instances.filter((i) => compute.sim.statusOf(i, now) === 'RUNNING').length,
      target: Number(mig.targetSize ?? 0),
    });
  }
  backends.sort((a, b) => a.region.localeCompare(b.region));
  return { backends, ipRegion, frontEnd: { urlMap, targetProxy, forwardingRule } };
}
