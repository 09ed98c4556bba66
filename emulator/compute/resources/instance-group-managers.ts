import { ApiError, conditionNotMet, invalid, notFound } from '../../core/api-error';
import { clone, isPlainObject } from '../../core/merge-patch';
import { COMPUTE_PAGING, paginate } from '../../core/paginate';
import type { ApiRequest, Router } from '../../core/router';
import { type KindContext, type KindSpec, newFingerprint, type Reference } from '../collection';
import type { ComputeService } from '../index';
import { lastSegment, listResponse, NAME_RE, selfLink } from '../links';
import { DEFAULT_INITIAL_DELAY_SEC } from '../sim/instances';
import { MIG_KIND, pathOf } from '../sim/mig-util';
import { HookedRouter } from '../sim/route-hooks';
import { defaultZones, zoneInRegion } from '../sim/zones';
import type { ComputeResource } from '../state';

/** A regional MIG holds at most this many VMs (regionInstanceGroupManagers.insert docs). */
const MAX_REGIONAL_SIZE = 2000;
const BASE_NAME_RE = /^[a-z][-a-z0-9]{0,57}$/;
const SHAPES_WITHOUT_PROACTIVE = ['BALANCED', 'ANY_SINGLE_ZONE'];
/** Google's answer to `resize` on a MIG whose autoscaler is not OFF (412 conditionNotMet). */
export const AUTOSCALED_RESIZE_MESSAGE =
  'Resizing of autoscaled regional managed instance groups is not allowed. If you want to manually adjust target size remove the autoscaler or set autoscaling policy mode to OFF.';

/**
 * regionInstanceGroupManagers (+ the read side of regionInstanceGroups): CRUD through the generic
 * collection (fingerprint required on patch, as the API reference says), `resize`,
 * `listManagedInstances`, `listErrors`. The VMs themselves live in the simulation (sim/instances.ts).
 */
export function registerInstanceGroupManagers(compute: ComputeService, router: Router): void {
  const sim = compute.sim;
  const spec = migSpec(compute);
  const hooked = new HookedRouter(router, (method, _pattern, handler) => {
    if (method === 'GET') {
      return (req) => {
        sim.tick(compute.ctx.clock.now());
        return handler(req);
      };
    }
    if (method === 'DELETE') {
      return (req) => {
        refuseIfBackend(compute, req);
        return handler(req);
      };
    }
    return handler;
  });
  compute.collections.define(hooked, spec);

  const item = '/compute/v1/projects/:project/regions/:region/instanceGroupManagers/:name';
  router.add('POST', `${item}/resize`, { api: 'compute', write: true }, (req) => {
    const { project, scope } = compute.collections.where(req);
    const replay = compute.ops.replay(project, req.query.get('requestId'));
    if (replay) return replay;
    const mig = compute.collections.find(req, spec, req.params.name as string);
    compute.ops.refuseIfBusy(mig);
    const raw = req.query.get('size');
    if (raw === null || raw === '') throw invalid("Required field 'size' not specified", 'size');
    const size = Number(raw);
    if (!Number.isInteger(size) || size < 0 || size > MAX_REGIONAL_SIZE) {
      throw invalid(
        `Invalid value for field 'size': '${raw}'. Must be an integer between 0 and ${MAX_REGIONAL_SIZE}.`,
        'size',
      );
    }
    if (isAutoscaled(compute, pathOf(mig))) throw conditionNotMet(AUTOSCALED_RESIZE_MESSAGE);
    mig.targetSize = size;
    mig.fingerprint = newFingerprint(compute.ctx.random);
    return compute.collections.operation(req, project, scope, 'compute.regionInstanceGroupManagers.resize', mig);
  });

  router.add('POST', `${item}/listManagedInstances`, { api: 'compute', write: false }, (req) => {
    const now = compute.ctx.clock.now();
    sim.tick(now);
    const mig = compute.collections.find(req, spec, req.params.name as string);
    const all = sim.managedInstances(mig, now);
    if (mig.listManagedInstancesResults !== 'PAGINATED') return { managedInstances: all };
    const page = paginate(all, req.query, COMPUTE_PAGING, req.path);
    return { managedInstances: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  });

  router.get(`${item}/listErrors`, 'compute', (req) => {
    sim.tick(compute.ctx.clock.now());
    const mig = compute.collections.find(req, spec, req.params.name as string);
    const page = paginate(sim.errors(pathOf(mig)), req.query, COMPUTE_PAGING, req.path);
    return { items: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  });

  registerInstanceGroupReads(compute, router);
}

function migSpec(compute: ComputeService): KindSpec {
  const sim = compute.sim;
  return {
    collection: 'instanceGroupManagers',
    scope: 'region',
    kind: MIG_KIND,
    fingerprint: true,
    busyWhileOperating: true,
    serverFields: ['instanceGroup', 'status', 'currentActions', 'zone', 'satisfiesPzi', 'satisfiesPzs'],
    prepare: (r, kc, previous) => prepareMig(r, kc, previous),
    validate: (r, kc, previous) => validateMig(compute, r, kc, previous),
    refs: migRefs,
    afterWrite: (r, kc) => {
      syncInstanceGroup(r, kc);
      sim.autoscalers.markDirty();
    },
    afterDelete: (r, kc) => {
      delete kc.state.resources[groupPath(r)];
      sim.forgetMig(pathOf(r));
      sim.autoscalers.markDirty();
    },
  };
}

function prepareMig(r: ComputeResource, kc: KindContext, previous?: ComputeResource): void {
  const region = kc.scope.kind === 'region' ? kc.scope.region : '';
  if (r.targetSize === undefined) r.targetSize = previous?.targetSize ?? 0;
  const policy = isPlainObject(r.distributionPolicy) ? r.distributionPolicy : {};
  let zones = Array.isArray(policy.zones) ? policy.zones : [];
  if (zones.length === 0) zones = defaultZones(region).map((z) => ({ zone: z }));
  policy.zones = zones.map((z) =>
    isPlainObject(z) && typeof z.zone === 'string'
      ? { zone: selfLink(`projects/${kc.project}/zones/${lastSegment(z.zone)}`) }
      : z,
  );
  policy.targetShape ??= 'EVEN';
  r.distributionPolicy = policy;

  if (typeof r.instanceTemplate === 'string' && r.instanceTemplate !== '') {
    const url = selfLink(kc.resolve(r.instanceTemplate, 'resource.instanceTemplate'));
    const changed = previous !== undefined && previous.instanceTemplate !== url;
    r.instanceTemplate = url;
    if (!Array.isArray(r.versions) || r.versions.length === 0 || changed) r.versions = [{ instanceTemplate: url }];
  } else if (Array.isArray(r.versions) && r.versions.length === 1 && isPlainObject(r.versions[0])) {
    const link = r.versions[0].instanceTemplate;
    if (typeof link === 'string')
      r.instanceTemplate = selfLink(kc.resolve(link, 'resource.versions[0].instanceTemplate'));
  }

  const update = isPlainObject(r.updatePolicy) ? r.updatePolicy : {};
  const nZones = zones.length;
  update.type ??= 'OPPORTUNISTIC';
  // "PROACTIVE (default)", whatever the shape (InstanceGroupManagerUpdatePolicy.instanceRedistributionType).
  update.instanceRedistributionType ??= 'PROACTIVE';
  update.minimalAction ??= 'REPLACE';
  update.maxSurge ??= { fixed: nZones, calculated: nZones };
  update.maxUnavailable ??= { fixed: nZones, calculated: nZones };
  update.replacementMethod ??= 'SUBSTITUTE';
  r.updatePolicy = update;

  if (Array.isArray(r.autoHealingPolicies)) {
    for (const p of r.autoHealingPolicies) {
      if (!isPlainObject(p)) continue;
      p.initialDelaySec ??= DEFAULT_INITIAL_DELAY_SEC;
      if (typeof p.healthCheck === 'string' && p.healthCheck !== '') {
        p.healthCheck = selfLink(kc.resolve(p.healthCheck, 'resource.autoHealingPolicies[0].healthCheck'));
      }
    }
  }
  r.listManagedInstancesResults ??= 'PAGELESS';
  r.instanceGroup = selfLink(`projects/${kc.project}/regions/${region}/instanceGroups/${r.name}`);
  r.currentActions ??= previous?.currentActions ?? {};
  r.status ??= previous?.status ?? { isStable: Number(r.targetSize) === 0 };
}

function validateMig(compute: ComputeService, r: ComputeResource, kc: KindContext, previous?: ComputeResource): void {
  const region = kc.scope.kind === 'region' ? kc.scope.region : '';
  if (r.baseInstanceName === undefined || r.baseInstanceName === '') {
    throw invalid("Required field 'resource.baseInstanceName' not specified", 'resource.baseInstanceName');
  }
  if (typeof r.baseInstanceName !== 'string' || !BASE_NAME_RE.test(r.baseInstanceName)) {
    throw invalid(
      `Invalid value for field 'resource.baseInstanceName': '${String(r.baseInstanceName)}'. Must be a match of regex '[a-z][-a-z0-9]{0,57}'`,
      'resource.baseInstanceName',
    );
  }
  if (typeof r.instanceTemplate !== 'string' && !(Array.isArray(r.versions) && r.versions.length > 0)) {
    throw invalid("Required field 'resource.instanceTemplate' not specified", 'resource.instanceTemplate');
  }
  const size = r.targetSize as number;
  if (size < 0 || size > MAX_REGIONAL_SIZE) {
    throw invalid(
      `Invalid value for field 'resource.targetSize': '${String(size)}'. Must be an integer between 0 and ${MAX_REGIONAL_SIZE}.`,
      'resource.targetSize',
    );
  }
  if (previous && size !== previous.targetSize && isAutoscaled(compute, pathOf(previous))) {
    throw conditionNotMet(AUTOSCALED_RESIZE_MESSAGE);
  }

  const policy = r.distributionPolicy as Record<string, unknown>;
  const zones = (policy.zones as unknown[]).map((z, i) => {
    const field = `resource.distributionPolicy.zones[${i}].zone`;
    if (!isPlainObject(z) || typeof z.zone !== 'string')
      throw invalid(`Required field '${field}' not specified`, field);
    const zone = lastSegment(z.zone);
    if (!zoneInRegion(zone, region)) {
      throw invalid(`Invalid value for field '${field}': '${z.zone}'. Zone must be in region '${region}'.`, field);
    }
    return zone;
  });
  if (new Set(zones).size !== zones.length) {
    throw invalid(
      "Invalid value for field 'resource.distributionPolicy.zones': duplicate zones.",
      'resource.distributionPolicy.zones',
    );
  }
  if (previous) {
    const before = ((previous.distributionPolicy as Record<string, unknown>)?.zones as Array<{ zone: string }>) ?? [];
    if (before.map((z) => lastSegment(z.zone)).join() !== zones.join()) {
      throw invalid(
        "Invalid value for field 'resource.distributionPolicy.zones'. Zones of a regional managed instance group can only be selected when the group is created.",
        'resource.distributionPolicy.zones',
      );
    }
  }
  const update = r.updatePolicy as Record<string, unknown>;
  // "if you need to set the MIG's target distribution shape to BALANCED or ANY_SINGLE_ZONE, you must disable
  // proactive instance redistribution" (https://cloud.google.com/compute/docs/instance-groups/distributing-instances-with-regional-instance-groups).
  // The page does not name ANY, so ANY is not refused. Wording ours (Google's message not found).
  if (SHAPES_WITHOUT_PROACTIVE.includes(policy.targetShape as string) && update.instanceRedistributionType !== 'NONE') {
    throw invalid(
      `Invalid value for field 'resource.updatePolicy.instanceRedistributionType': '${String(update.instanceRedistributionType)}'. Proactive instance redistribution is not supported with target distribution shape '${String(policy.targetShape)}'; set it to NONE.`,
      'resource.updatePolicy.instanceRedistributionType',
    );
  }
  const ports = (r.namedPorts as Array<{ name?: string; port?: number }> | undefined) ?? [];
  ports.forEach((p, i) => {
    if (!NAME_RE.test(p.name ?? '')) {
      throw invalid(
        `Invalid value for field 'resource.namedPorts[${i}].name': '${p.name ?? ''}'.`,
        `resource.namedPorts[${i}].name`,
      );
    }
    const port = p.port ?? 0;
    if (port < 1 || port > 65535) {
      throw invalid(
        `Invalid value for field 'resource.namedPorts[${i}].port': '${String(p.port)}'. Must be between 1 and 65535.`,
        `resource.namedPorts[${i}].port`,
      );
    }
  });
  const healing = (r.autoHealingPolicies as Array<Record<string, unknown>> | undefined) ?? [];
  if (healing.length > 1) {
    throw invalid(
      "Invalid value for field 'resource.autoHealingPolicies': at most one autohealing policy is allowed.",
      'resource.autoHealingPolicies',
    );
  }
  for (const p of healing) {
    if (!p.healthCheck) {
      throw invalid(
        "Required field 'resource.autoHealingPolicies[0].healthCheck' not specified",
        'resource.autoHealingPolicies[0].healthCheck',
      );
    }
    const delay = p.initialDelaySec as number;
    if (delay < 0 || delay > 3600) {
      throw invalid(
        `Invalid value for field 'resource.autoHealingPolicies[0].initialDelaySec': '${String(p.initialDelaySec)}'. Must be between 0 and 3600.`,
        'resource.autoHealingPolicies[0].initialDelaySec',
      );
    }
  }
}

function migRefs(r: ComputeResource): Reference[] {
  const refs: Reference[] = [];
  if (typeof r.instanceTemplate === 'string')
    refs.push({ field: 'resource.instanceTemplate', link: r.instanceTemplate });
  const versions = Array.isArray(r.versions) ? r.versions : [];
  versions.forEach((v, i) => {
    if (isPlainObject(v) && typeof v.instanceTemplate === 'string' && v.instanceTemplate !== r.instanceTemplate) {
      refs.push({ field: `resource.versions[${i}].instanceTemplate`, link: v.instanceTemplate });
    }
  });
  const healing = Array.isArray(r.autoHealingPolicies) ? r.autoHealingPolicies : [];
  healing.forEach((p, i) => {
    if (isPlainObject(p) && typeof p.healthCheck === 'string') {
      refs.push({ field: `resource.autoHealingPolicies[${i}].healthCheck`, link: p.healthCheck });
    }
  });
  return refs;
}

const groupPath = (mig: ComputeResource): string => pathOf(mig).replace('/instanceGroupManagers/', '/instanceGroups/');

/** The instance group a MIG manages: what backend services point at. */
function syncInstanceGroup(mig: ComputeResource, kc: KindContext): void {
  const path = groupPath(mig);
  const namedPorts = Array.isArray(mig.namedPorts) ? clone(mig.namedPorts) : [];
  const existing = kc.state.resources[path];
  if (existing) {
    if (JSON.stringify(existing.namedPorts ?? []) !== JSON.stringify(namedPorts)) {
      existing.namedPorts = namedPorts;
      existing.fingerprint = newFingerprint(kc.ctx.random);
    }
    return;
  }
  kc.state.resources[path] = {
    kind: 'compute#instanceGroup',
    id: kc.newId(),
    name: mig.name,
    selfLink: selfLink(path),
    creationTimestamp: mig.creationTimestamp,
    description: `This instance group is controlled by Regional Instance Group Manager '${mig.name}'. To modify instances in this group, use the Regional Instance Group Manager API: https://cloud.google.com/compute/docs/reference/latest/regionInstanceGroupManagers`,
    region: mig.region,
    namedPorts,
    fingerprint: newFingerprint(kc.ctx.random),
    size: 0,
  };
}

/** Google refuses to delete a MIG whose instance group is a backend of a backend service. */
function refuseIfBackend(compute: ComputeService, req: ApiRequest): void {
  const { project, scope } = compute.collections.where(req);
  if (scope.kind !== 'region') return;
  const path = `projects/${project}/regions/${scope.region}/instanceGroupManagers/${req.params.name}`;
  if (!compute.state.resources[path]) return;
  const users = compute.collections.usersOf(path.replace('/instanceGroupManagers/', '/instanceGroups/'));
  if (users.length > 0) {
    throw new ApiError(
      400,
      `The instance_group_manager resource '${path}' is already being used by '${users[0]?.user}'`,
      {
        reason: 'resourceInUseByAnotherResource',
      },
    );
  }
}

function isAutoscaled(compute: ComputeService, migPath: string): boolean {
  const autoscaler = compute.sim.autoscalers.of(migPath);
  if (!autoscaler) return false;
  const policy = isPlainObject(autoscaler.autoscalingPolicy) ? autoscaler.autoscalingPolicy : {};
  return policy.mode !== 'OFF';
}

/** regionInstanceGroups get / list / listInstances, for the groups MIGs manage. */
function registerInstanceGroupReads(compute: ComputeService, router: Router): void {
  const base = '/compute/v1/projects/:project/regions/:region/instanceGroups';
  const find = (req: ApiRequest): ComputeResource => {
    const path = `projects/${req.params.project}/regions/${req.params.region}/instanceGroups/${req.params.name}`;
    const group = compute.state.resources[path];
    if (!group) throw notFound(path);
    return group;
  };
  router.get(base, 'compute', (req) => {
    compute.sim.tick(compute.ctx.clock.now());
    const prefix = `projects/${req.params.project}/regions/${req.params.region}/instanceGroups/`;
    const items = Object.entries(compute.state.resources)
      .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map(([, r]) => clone(r));
    return listResponse('compute#regionInstanceGroupList', prefix, items, req);
  });
  router.get(`${base}/:name`, 'compute', (req) => {
    compute.sim.tick(compute.ctx.clock.now());
    return clone(find(req));
  });
  router.add('POST', `${base}/:name/listInstances`, { api: 'compute', write: false }, (req) => {
    const now = compute.ctx.clock.now();
    compute.sim.tick(now);
    const group = find(req);
    const body = isPlainObject(req.body) ? req.body : {};
    const migPath = pathOf(group).replace('/instanceGroups/', '/instanceGroupManagers/');
    const items = compute.sim
      .instancesOf(migPath)
      .filter((i) => i.provisioned)
      .map((i) => ({ instance: compute.sim.instanceUrl(i), status: compute.sim.statusOf(i, now) }))
      .filter((i) => body.instanceState !== 'RUNNING' || i.status === 'RUNNING')
      .map((i) => ({ ...i, namedPorts: clone(group.namedPorts ?? []) }));
    return { kind: 'compute#regionInstanceGroupsListInstances', items };
  });
}
