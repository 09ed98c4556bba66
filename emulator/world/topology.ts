import type { ComputeService } from '../compute';
import { canonicalPath } from '../compute/links';
import { AUTOSCALER_KIND, MIG_KIND } from '../compute/sim/mig-util';
import type { ComputeResource } from '../compute/state';

/** A region's MIG as a load balancer routes to it. */
export interface RegionBackend {
  region: string;
  groupPath: string;
  migPath: string;
  migName: string;
  /** Requests/s one replica serves (the backend's `maxRatePerInstance`, else the default). */
  replicaRps: number;
  /** On the global backend service (the anycast path); 1 when the region is only behind its regional LB. */
  capacityScaler: number;
  /** How the region's autoscaler scales (emulator/world/index.ts feeds it). */
  scaling: { kind: 'utilization'; target: number } | { kind: 'metric'; metric: string; targetPerReplica: number };
  healthy: number;
  running: number;
  target: number;
}

/** A front end: the names its Monitoring series carry. */
export interface FrontEnd {
  forwardingRule: string;
  targetProxy: string;
  urlMap: string;
  backendService: string;
  /** The VPC of a regional rule (`network_name`). */
  network: string;
}

/** Where a client IP leads: a region's regional Application LB, the global one, or nowhere. */
export type Route = { kind: 'regional'; region: string; frontEnd: FrontEnd } | { kind: 'anycast'; frontEnd: FrontEnd };

export interface Topology {
  /** The regions behind the global backend service and behind a regional LB, by region. */
  backends: RegionBackend[];
  /** Client-facing IP → where a request to it goes (followed through the resources). */
  routes: Map<string, Route>;
  /** The global backend service's front end (for its series), if it has one. */
  global?: FrontEnd;
  /** The backend services requests go through: the global one, and each region's regional one. */
  services: ServiceRef[];
}

/** A backend service as outlier detection sees it (emulator/world/ejections.ts). */
export interface ServiceRef {
  /** Canonical path: the key of its endpoints' ejection state. */
  path: string;
  name: string;
  /** `global`, or the region whose regional load balancer it serves. */
  scope: 'global' | { region: string };
  /** Its `outlierDetection` field as stored (undefined: off). */
  outlierDetection?: unknown;
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
const last = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Reads what the world routes over from the Compute state, as Google's data plane would, by following
 * the resources: forwarding rule (its IP) → target proxy → URL map → backend service → instance groups.
 * A regional EXTERNAL_MANAGED rule leads to its region's MIG through the regional backend service; the
 * global rule to the global backend service, which spreads by capacity (capacityScaler applies there).
 * A chain with a missing link leads nowhere: its requests fail.
 */
export function readTopology(
  compute: ComputeService,
  project: string,
  backendService: string,
  defaultReplicaRps: number,
): Topology {
  const resources = compute.state.resources;
  const now = compute.ctx.clock.now();
  const get = (link: unknown): ComputeResource | undefined => resources[linkTo(link, project)];
  const scaling = new Map<string, RegionBackend['scaling']>();
  for (const r of Object.values(resources)) {
    if (r.kind !== AUTOSCALER_KIND) continue;
    const policy = (r.autoscalingPolicy ?? {}) as {
      customMetricUtilizations?: Array<{ metric?: string; utilizationTarget?: number }>;
      loadBalancingUtilization?: { utilizationTarget?: number };
    };
    const custom = policy.customMetricUtilizations?.[0];
    scaling.set(
      linkTo(r.target, project),
      custom?.metric
        ? { kind: 'metric', metric: custom.metric, targetPerReplica: Number(custom.utilizationTarget ?? 1) }
        : { kind: 'utilization', target: Number(policy.loadBalancingUtilization?.utilizationTarget ?? 0.8) },
    );
  }

  const regions = new Map<string, RegionBackend>();
  const backendFor = (group: Record<string, unknown>, capacityScaler: number): RegionBackend | undefined => {
    const groupPath = linkTo(group.group, project);
    const m = /^projects\/[^/]+\/regions\/([^/]+)\/instanceGroups\/([^/]+)$/.exec(groupPath);
    if (!m) return undefined;
    const migPath = groupPath.replace('/instanceGroups/', '/instanceGroupManagers/');
    const mig = resources[migPath];
    if (mig?.kind !== MIG_KIND) return undefined;
    const known = regions.get(m[1] as string);
    if (known) {
      if (capacityScaler !== 1) known.capacityScaler = capacityScaler;
      return known;
    }
    const instances = compute.sim.instancesOf(migPath);
    const backend: RegionBackend = {
      region: m[1] as string,
      groupPath,
      migPath,
      migName: m[2] as string,
      replicaRps: typeof group.maxRatePerInstance === 'number' ? group.maxRatePerInstance : defaultReplicaRps,
      capacityScaler,
      scaling: scaling.get(migPath) ?? { kind: 'utilization', target: 0.8 },
      healthy: compute.sim.groupHealth(groupPath).filter((h) => h.healthState === 'HEALTHY').length,
      running: instances.filter((i) => compute.sim.statusOf(i, now) === 'RUNNING').length,
      target: Number(mig.targetSize ?? 0),
    };
    regions.set(backend.region, backend);
    return backend;
  };
  const groupsOf = (bs: ComputeResource | undefined) =>
    Array.isArray(bs?.backends) ? (bs.backends as Array<Record<string, unknown>>) : [];

  const globalBsPath = `projects/${project}/global/backendServices/${backendService}`;
  for (const b of groupsOf(resources[globalBsPath]))
    backendFor(b, typeof b.capacityScaler === 'number' ? b.capacityScaler : 1);

  const services: ServiceRef[] = [];
  const globalBs = resources[globalBsPath];
  if (globalBs) {
    services.push({
      path: globalBsPath,
      name: globalBs.name,
      scope: 'global',
      outlierDetection: globalBs.outlierDetection,
    });
  }
  const routes = new Map<string, Route>();
  let global: FrontEnd | undefined;
  const prefix = `projects/${project}/`;
  for (const [path, rule] of Object.entries(resources)) {
    if (!path.startsWith(prefix) || rule.kind !== 'compute#forwardingRule' || typeof rule.IPAddress !== 'string')
      continue;
    // rule → target proxy → URL map → backend service (or a passthrough rule straight to a backend service)
    const target = get(rule.target);
    const urlMap = target ? get(target.urlMap) : undefined;
    const bs = urlMap ? get(urlMap.defaultService) : get(rule.backendService);
    if (!bs) continue;
    const frontEnd: FrontEnd = {
      forwardingRule: rule.name,
      targetProxy: target?.name ?? '',
      urlMap: urlMap?.name ?? '',
      backendService: bs.name,
      network: last(str(rule.network)),
    };
    const ip = ipOf(rule, get);
    if (!ip) continue;
    if (linkTo(bs.selfLink, project) === globalBsPath) {
      routes.set(ip, { kind: 'anycast', frontEnd });
      global = frontEnd;
      continue;
    }
    const backend = groupsOf(bs)
      .map((b) => backendFor(b, 1))
      .find((b) => b !== undefined);
    if (backend) {
      routes.set(ip, { kind: 'regional', region: backend.region, frontEnd });
      const path = linkTo(bs.selfLink, project);
      if (!services.some((x) => x.path === path)) {
        services.push({
          path,
          name: bs.name,
          scope: { region: backend.region },
          outlierDetection: bs.outlierDetection,
        });
      }
    }
  }
  const backends = [...regions.values()].sort((a, b) => a.region.localeCompare(b.region));
  return { backends, routes, global, services };
}

/** The IP a forwarding rule answers on: its own literal, or its reserved address's. */
export function ipOf(rule: ComputeResource, get: (link: unknown) => ComputeResource | undefined): string | undefined {
  const ip = str(rule.IPAddress);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip;
  const address = get(ip);
  return typeof address?.address === 'string' ? address.address : undefined;
}
