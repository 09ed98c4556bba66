import { ApiError } from '../../core/api-error';
import type { ApiRequest, Router } from '../../core/router';
import type { KindContext, KindSpec, Reference } from '../collection';
import type { ComputeService } from '../index';
import type { ComputeResource } from '../state';
import { badField, collectionOf, dropEmptyMaps, intField, oneOf, pathOf, requiredField, scopeOf } from './lb-helpers';

const HTTP_FAMILY = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'H2C'];
/** Schemes by scope (the enum has them all): https://cloud.google.com/load-balancing/docs/backend-service */
const SCHEMES = {
  global: ['EXTERNAL', 'EXTERNAL_MANAGED', 'INTERNAL_SELF_MANAGED'],
  region: ['INTERNAL', 'INTERNAL_MANAGED', 'EXTERNAL', 'EXTERNAL_MANAGED'],
};

type Backend = Record<string, unknown>;

// Bodies are parsed against BackendService (core/front-end.ts): `backends` are objects, `healthChecks` strings.
const backendsOf = (bs: ComputeResource): Backend[] => (bs.backends as Backend[] | undefined) ?? [];
const healthChecksOf = (bs: ComputeResource): string[] => (bs.healthChecks as string[] | undefined) ?? [];

/** Every link a backend service holds: its groups and health checks must exist and stay while it uses them. */
function backendServiceRefs(bs: ComputeResource): Reference[] {
  return [
    ...backendsOf(bs).map((b, i) => ({ field: `resource.backends[${i}].group`, link: String(b.group ?? '') })),
    ...healthChecksOf(bs).map((link, i) => ({ field: `resource.healthChecks[${i}]`, link })),
  ];
}

export function backendServiceSpec(scope: 'global' | 'region'): KindSpec {
  return {
    collection: 'backendServices',
    scope,
    kind: 'compute#backendService',
    fingerprint: true,
    busyWhileOperating: true,
    prepare(bs) {
      dropEmptyMaps(bs, ['metadatas', 'labels']);
      // Regional backend services default to the passthrough internal scheme, global ones to EXTERNAL.
      bs.loadBalancingScheme ??= scope === 'global' ? 'EXTERNAL' : 'INTERNAL';
      bs.protocol ??= bs.loadBalancingScheme === 'INTERNAL' ? 'TCP' : 'HTTP';
      bs.timeoutSec ??= 30;
      if (bs.loadBalancingScheme !== 'INTERNAL') {
        bs.port ??= 80;
        bs.portName ??= 'http';
      }
      bs.sessionAffinity ??= 'NONE';
      bs.affinityCookieTtlSec ??= 0;
      if (scope === 'global') bs.enableCDN ??= false;
      // Google answers `connectionDraining: {drainingTimeoutSec: 0}` when none was given.
      const draining = (bs.connectionDraining ?? {}) as Record<string, unknown>;
      draining.drainingTimeoutSec ??= 0;
      bs.connectionDraining = draining;
      const internal = bs.loadBalancingScheme === 'INTERNAL';
      for (const b of backendsOf(bs)) {
        b.balancingMode ??= internal ? 'CONNECTION' : 'UTILIZATION';
        if (!internal) b.capacityScaler ??= 1;
        if (b.balancingMode === 'UTILIZATION') b.maxUtilization ??= 0.8;
      }
      if (Array.isArray(bs.backends) && bs.backends.length === 0) delete bs.backends;
      if (Array.isArray(bs.healthChecks) && bs.healthChecks.length === 0) delete bs.healthChecks;
    },
    validate(bs, kc) {
      oneOf(bs.loadBalancingScheme, SCHEMES[scope], 'resource.loadBalancingScheme');
      if (bs.loadBalancingScheme === 'INTERNAL' && !['TCP', 'UDP', 'UNSPECIFIED'].includes(bs.protocol as string)) {
        throw badField('resource.protocol', bs.protocol, 'INTERNAL backend services support TCP, UDP or UNSPECIFIED.');
      }
      intField(bs, 'timeoutSec', 'resource.timeoutSec', { min: 1, max: 2_147_483_647 });
      const draining = bs.connectionDraining as Record<string, unknown>;
      intField(draining, 'drainingTimeoutSec', 'resource.connectionDraining.drainingTimeoutSec', {
        min: 0,
        max: 3600,
      });
      validateBackends(bs, kc, scope);
      validateHealthChecks(bs, kc, scope);
    },
    refs: backendServiceRefs,
  };
}

function validateBackends(bs: ComputeResource, kc: KindContext, scope: 'global' | 'region'): void {
  const backends = backendsOf(bs);
  const seen = new Set<string>();
  backends.forEach((b, i) => {
    const field = `resource.backends[${i}]`;
    if (typeof b.group !== 'string' || b.group === '') throw requiredField(`${field}.group`);
    const group = kc.resolve(b.group, `${field}.group`);
    if (!['instanceGroups', 'networkEndpointGroups'].includes(collectionOf(group))) {
      throw badField(`${field}.group`, b.group, 'The group must be an instance group or a network endpoint group.');
    }
    if (scope === 'region' && kc.scope.kind === 'region' && scopeOf(group) !== kc.scope.region) {
      throw badField(`${field}.group`, b.group, 'The group must be in the same region as the backend service.');
    }
    if (seen.has(group)) throw badField(`${field}.group`, b.group, 'Duplicate group in backends.');
    seen.add(group);
    validateBalancing(bs, b, field);
    if (collectionOf(group) === 'instanceGroups') checkSharedGroup(bs, group, b.balancingMode, kc);
  });
  // Documented: 0 drains a backend, but it cannot be set on the only backend of the service.
  if (backends.length === 1 && backends[0]!.capacityScaler === 0) {
    throw badField(
      'resource.backends[0].capacityScaler',
      0,
      'A backend service with a single backend cannot have a capacityScaler of 0.',
    );
  }
}

/**
 * "Incompatible balancing mode combinations are as follows: CONNECTION with UTILIZATION; RATE with
 * UTILIZATION; CUSTOM_METRICS with UTILIZATION; CUSTOM_METRICS with RATE; CUSTOM_METRICS with CONNECTION"
 * (https://cloud.google.com/load-balancing/docs/backend-service, restrictions for instance groups).
 */
const INCOMPATIBLE = new Set([
  'CONNECTION+UTILIZATION',
  'RATE+UTILIZATION',
  'CUSTOM_METRICS+UTILIZATION',
  'CUSTOM_METRICS+RATE',
  'CONNECTION+CUSTOM_METRICS',
]);
const incompatible = (a: unknown, b: unknown): boolean => INCOMPATIBLE.has([String(a), String(b)].sort().join('+'));

/**
 * One instance group in several backend services: "the backends must use compatible balancing modes"
 * (same page). Google's documented error (https://cloud.google.com/load-balancing/docs/l7-internal/troubleshooting-l7-ilb):
 * "Validation failed for instance group INSTANCE_GROUP: backend services 1 and 2 point to the same instance
 * group but the backends have incompatible balancing_mode. Values should be the same." — filled in with the
 * paths; the reason (`invalid`) is ours.
 */
function checkSharedGroup(bs: ComputeResource, group: string, mode: unknown, kc: KindContext): void {
  for (const other of Object.values(kc.state.resources)) {
    if (other.kind !== 'compute#backendService' || other.selfLink === bs.selfLink) continue;
    const shared = backendsOf(other).find((b) => {
      try {
        return kc.resolve(String(b.group), 'group') === group;
      } catch {
        return false;
      }
    });
    if (shared && incompatible(mode, shared.balancingMode)) {
      throw new ApiError(
        400,
        `Validation failed for instance group ${group}: backend services ${pathOf(other)} and ${pathOf(bs)} point to the same instance group but the backends have incompatible balancing_mode. Values should be the same.`,
        { reason: 'invalid' },
      );
    }
  }
}

function validateBalancing(bs: ComputeResource, b: Backend, field: string): void {
  const scaler = b.capacityScaler;
  if (scaler !== undefined) {
    if (bs.loadBalancingScheme === 'INTERNAL') {
      throw badField(`${field}.capacityScaler`, scaler, 'capacityScaler cannot be set for INTERNAL backend services.');
    }
    // Valid values: 0, or 0.1 to 1.0.
    if (!(scaler === 0 || ((scaler as number) >= 0.1 && (scaler as number) <= 1))) {
      throw badField(`${field}.capacityScaler`, scaler, 'capacityScaler must be 0 or between 0.1 and 1.0.');
    }
  }
  const has = (k: string) => b[k] !== undefined && b[k] !== null;
  switch (b.balancingMode) {
    case 'UTILIZATION': {
      const u = b.maxUtilization;
      if (typeof u !== 'number' || u < 0 || u > 1) {
        throw badField(`${field}.maxUtilization`, u, 'maxUtilization must be between 0.0 and 1.0.');
      }
      if (has('maxRate') && has('maxRatePerInstance')) {
        throw badField(field, '', 'Both maxRate or maxRatePerInstance cannot be set.');
      }
      break;
    }
    case 'RATE':
      if (bs.loadBalancingScheme === 'INTERNAL' || !HTTP_FAMILY.includes(bs.protocol as string)) {
        throw badField(`${field}.balancingMode`, 'RATE', 'RATE balancing mode is only supported for HTTP(S) backends.');
      }
      if (has('maxRate') && has('maxRatePerInstance')) {
        throw badField(field, '', 'Both maxRate or maxRatePerInstance cannot be set.');
      }
      if (!has('maxRate') && !has('maxRatePerInstance')) {
        throw badField(field, '', 'One of maxRate or maxRatePerInstance must be set for RATE balancing mode.');
      }
      break;
    case 'CONNECTION':
      if (HTTP_FAMILY.includes(bs.protocol as string)) {
        throw badField(
          `${field}.balancingMode`,
          'CONNECTION',
          `CONNECTION balancing mode is not supported for protocol ${bs.protocol as string}.`,
        );
      }
      break;
  }
  if (bs.loadBalancingScheme === 'INTERNAL' && b.balancingMode !== 'CONNECTION') {
    throw badField(
      `${field}.balancingMode`,
      b.balancingMode,
      'Balancing mode must be CONNECTION for an INTERNAL backend service.',
    );
  }
}

function validateHealthChecks(bs: ComputeResource, kc: KindContext, scope: 'global' | 'region'): void {
  const checks = healthChecksOf(bs);
  if (checks.length > 1) throw badField('resource.healthChecks', '', 'At most one health check can be specified.');
  const hasGroups = backendsOf(bs).some((b) => collectionOf(kc.resolve(String(b.group), 'group')) === 'instanceGroups');
  if (hasGroups && checks.length === 0) {
    throw badField(
      'resource.healthChecks',
      '',
      'A backend service with instance group backends must have a health check.',
    );
  }
  checks.forEach((link, i) => {
    const field = `resource.healthChecks[${i}]`;
    const path = kc.resolve(link, field);
    if (collectionOf(path) !== 'healthChecks') {
      throw badField(field, link, 'Only health checks (compute.v1.healthChecks) are supported by this emulator.');
    }
    const hcScope = scopeOf(path);
    // Global load balancers use global health checks; regional ones regional health checks, except the
    // internal passthrough scheme, which accepts either.
    const allowed =
      scope === 'global'
        ? hcScope === 'global'
        : hcScope === (kc.scope.kind === 'region' ? kc.scope.region : '') ||
          (hcScope === 'global' && bs.loadBalancingScheme === 'INTERNAL');
    if (!allowed) {
      throw badField(field, link, `A ${scope} backend service cannot use a health check of scope ${hcScope}.`);
    }
    const hc = kc.get(path);
    if (hc && Array.isArray(hc.sourceRegions) && hc.sourceRegions.length > 0) {
      throw badField(field, link, 'Health checks with sourceRegions cannot be used with a backend service.');
    }
  });
}

/** `getHealth`: per-instance health of one backend group, from the instance simulation. */
function getHealth(compute: ComputeService, spec: KindSpec, req: ApiRequest): Record<string, unknown> {
  const bs = compute.collections.find(req, spec, req.params.name as string);
  const { project, scope } = compute.collections.where(req);
  const kc = compute.collections.kindContext(project, scope);
  const body = (req.body ?? {}) as Record<string, string | undefined>;
  if (!body.group) throw requiredField('resourceGroupReference.group');
  const group = kc.resolve(body.group, 'resourceGroupReference.group');
  const isBackend = backendsOf(bs).some((b) => {
    try {
      return kc.resolve(String(b.group), 'group') === group;
    } catch {
      return false;
    }
  });
  if (!isBackend) {
    throw new ApiError(
      400,
      `Invalid value for field 'resourceGroupReference.group': '${body.group}'. Resource '${group}' is not a backend of backend service '${bs.name}'.`,
      { reason: 'invalid', location: 'resourceGroupReference.group' },
    );
  }
  const port = typeof bs.port === 'number' ? bs.port : 80;
  const healthStatus = compute.sim.groupHealth(group).map((i) => ({
    ipAddress: i.ipAddress,
    port,
    instance: i.instance,
    healthState: i.healthState,
  }));
  // Google omits empty repeated fields.
  return healthStatus.length > 0
    ? { kind: 'compute#backendServiceGroupHealth', healthStatus }
    : { kind: 'compute#backendServiceGroupHealth' };
}

export function registerBackendServices(compute: ComputeService, router: Router): void {
  for (const scope of ['global', 'region'] as const) {
    const spec = backendServiceSpec(scope);
    compute.collections.define(router, spec);
    const segment = scope === 'global' ? 'global' : 'regions/:region';
    router.add(
      'POST',
      `/compute/v1/projects/:project/${segment}/backendServices/:name/getHealth`,
      { api: 'compute', write: false },
      (req) => getHealth(compute, spec, req),
    );
  }
}
