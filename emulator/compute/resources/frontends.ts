import { isIPv4 } from 'node:net';
import { ApiError, notFound } from '../../core/api-error';
import { isPlainObject } from '../../core/merge-patch';
import type { Router } from '../../core/router';
import type { KindContext, KindSpec, Reference } from '../collection';
import type { ComputeService } from '../index';
import type { ComputeResource, ComputeState } from '../state';
import {
  badField,
  collectionOf,
  customMutation,
  dropEmptyMaps,
  oneOf,
  pathOf,
  requiredField,
  scopeOf,
} from './lb-helpers';

type Scope = 'global' | 'region';
const V1 = '/compute/v1/projects/:project';

// ---------------------------------------------------------------- urlMaps

/** Every backend a URL map routes to (default service, path matchers, path rules). */
function urlMapServices(map: ComputeResource): Reference[] {
  const refs: Reference[] = [];
  if (typeof map.defaultService === 'string') refs.push({ field: 'resource.defaultService', link: map.defaultService });
  const matchers = Array.isArray(map.pathMatchers) ? map.pathMatchers : [];
  matchers.forEach((pm: unknown, i) => {
    if (!isPlainObject(pm)) return;
    const field = `resource.pathMatchers[${i}]`;
    if (typeof pm.defaultService === 'string') refs.push({ field: `${field}.defaultService`, link: pm.defaultService });
    const rules = Array.isArray(pm.pathRules) ? pm.pathRules : [];
    rules.forEach((r: unknown, j) => {
      if (isPlainObject(r) && typeof r.service === 'string') {
        refs.push({ field: `${field}.pathRules[${j}].service`, link: r.service });
      }
    });
  });
  return refs;
}

const urlMapSpec: KindSpec = {
  collection: 'urlMaps',
  scope: 'global',
  kind: 'compute#urlMap',
  fingerprint: true,
  busyWhileOperating: true,
  prepare(map) {
    dropEmptyMaps(map, ['labels']);
  },
  validate(map, kc) {
    const defaults = ['defaultService', 'defaultUrlRedirect', 'defaultRouteAction'].filter((f) => map[f] !== undefined);
    if (defaults.length === 0) {
      throw badField(
        'resource.defaultService',
        '',
        'A URL map must have one of defaultService, defaultUrlRedirect or defaultRouteAction.',
      );
    }
    if (map.defaultService !== undefined && map.defaultUrlRedirect !== undefined) {
      throw badField('resource.defaultUrlRedirect', '', 'Only one of defaultService or defaultUrlRedirect may be set.');
    }
    for (const ref of urlMapServices(map)) {
      const path = kc.resolve(ref.link, ref.field);
      if (!['backendServices', 'backendBuckets'].includes(collectionOf(path))) {
        throw badField(ref.field, ref.link, 'Must be a backend service or a backend bucket.');
      }
      if (scopeOf(path) !== 'global') {
        throw badField(ref.field, ref.link, 'A global URL map can only reference global backend services.');
      }
    }
    const matcherNames = new Set(
      (Array.isArray(map.pathMatchers) ? map.pathMatchers : []).map((pm: unknown) =>
        isPlainObject(pm) ? pm.name : undefined,
      ),
    );
    const hostRules = Array.isArray(map.hostRules) ? map.hostRules : [];
    hostRules.forEach((hr: unknown, i) => {
      const pm = isPlainObject(hr) ? hr.pathMatcher : undefined;
      if (!matcherNames.has(pm)) {
        throw badField(`resource.hostRules[${i}].pathMatcher`, pm, 'The path matcher does not exist in this URL map.');
      }
    });
  },
  refs: urlMapServices,
};

// ---------------------------------------------------------------- target proxies

function proxySpec(collection: 'targetHttpProxies' | 'targetHttpsProxies'): KindSpec {
  const https = collection === 'targetHttpsProxies';
  return {
    collection,
    scope: 'global',
    kind: https ? 'compute#targetHttpsProxy' : 'compute#targetHttpProxy',
    fingerprint: true,
    prepare(proxy) {
      if (https) proxy.quicOverride ??= 'NONE';
      if (Array.isArray(proxy.sslCertificates) && proxy.sslCertificates.length === 0) delete proxy.sslCertificates;
    },
    validate(proxy, kc) {
      if (typeof proxy.urlMap !== 'string' || proxy.urlMap === '') throw requiredField('resource.urlMap');
      const map = kc.resolve(proxy.urlMap, 'resource.urlMap');
      if (collectionOf(map) !== 'urlMaps' || scopeOf(map) !== 'global') {
        throw badField('resource.urlMap', proxy.urlMap, 'Must be a global URL map.');
      }
      if (!https) return;
      // Certificates are required but not existence-checked: sslCertificates is not emulated.
      const certs = (proxy.sslCertificates as string[] | undefined) ?? [];
      if (proxy.certificateMap === undefined && certs.length === 0) throw requiredField('resource.sslCertificates');
      if (certs.length > 15) {
        throw badField('resource.sslCertificates', '', 'At most 15 SSL certificates can be specified.');
      }
      certs.forEach((c, i) => {
        kc.resolve(c, `resource.sslCertificates[${i}]`);
      });
    },
    refs: (proxy) => (typeof proxy.urlMap === 'string' ? [{ field: 'resource.urlMap', link: proxy.urlMap }] : []),
  };
}

// ---------------------------------------------------------------- addresses

/** Documentation ranges (RFC 5737): global addresses from one, regional ones from the other two. */
const POOLS: Record<Scope, string[]> = { global: ['203.0.113.'], region: ['198.51.100.', '192.0.2.'] };

function projectIps(state: ComputeState, project: string): Set<string> {
  const used = new Set<string>();
  for (const [path, r] of Object.entries(state.resources)) {
    if (!path.startsWith(`projects/${project}/`)) continue;
    if (r.kind === 'compute#address' && typeof r.address === 'string') used.add(r.address);
    if (r.kind === 'compute#forwardingRule' && typeof r.IPAddress === 'string') used.add(r.IPAddress);
  }
  return used;
}

function allocateIp(kc: KindContext, scope: Scope): string {
  const used = projectIps(kc.state, kc.project);
  for (const prefix of POOLS[scope]) {
    for (let host = 1; host < 255; host++) {
      if (!used.has(prefix + host)) return prefix + host;
    }
  }
  throw new ApiError(403, "Quota 'STATIC_ADDRESSES' exceeded.", { reason: 'quotaExceeded' });
}

/** Canonical prefix of the addresses a resource at `path` can use (same scope). */
const addressPrefix = (path: string): string => `${path.split('/').slice(0, -2).join('/')}/addresses/`;

/** The reserved address (in the forwarding rule's scope) that holds `ip`, if any. */
function addressByIp(state: ComputeState, rulePath: string, ip: unknown): ComputeResource | undefined {
  if (typeof ip !== 'string') return undefined;
  const prefix = addressPrefix(rulePath);
  return Object.entries(state.resources).find(
    ([p, r]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/') && r.address === ip,
  )?.[1];
}

/** Recomputes `status` (RESERVED / IN_USE) and `users` of every address of a project. */
function refreshAddresses(state: ComputeState, project: string): void {
  const rules = Object.entries(state.resources).filter(
    ([p, r]) => p.startsWith(`projects/${project}/`) && r.kind === 'compute#forwardingRule',
  );
  for (const [path, address] of Object.entries(state.resources)) {
    if (!path.startsWith(`projects/${project}/`) || address.kind !== 'compute#address') continue;
    const users = rules
      .filter(([rp, r]) => addressPrefix(rp) === addressPrefix(path) && r.IPAddress === address.address)
      .map(([, r]) => r.selfLink);
    if (users.length > 0) address.users = users;
    else delete address.users;
    address.status = users.length > 0 ? 'IN_USE' : 'RESERVED';
  }
}

function addressSpec(scope: Scope): KindSpec {
  return {
    collection: 'addresses',
    scope,
    kind: 'compute#address',
    serverFields: ['status', 'users'],
    prepare(address, kc) {
      dropEmptyMaps(address, ['labels']);
      address.addressType ??= 'EXTERNAL';
      if (address.addressType === 'EXTERNAL') address.networkTier ??= 'PREMIUM';
      if (scope === 'global') address.ipVersion ??= 'IPV4';
      address.status = 'RESERVED';
      if (address.address === undefined) address.address = allocateIp(kc, scope);
    },
    validate(address, kc) {
      if (!isIPv4(address.address as string)) {
        throw badField('resource.address', address.address, 'Must be a valid IPv4 address.');
      }
      const taken = kc
        .list(`projects/${kc.project}/`)
        .some((r) => r.kind === 'compute#address' && r.address === address.address && r.selfLink !== address.selfLink);
      if (taken) {
        throw badField('resource.address', address.address, 'The IP address is already reserved by another address.');
      }
    },
    afterWrite(_address, kc) {
      refreshAddresses(kc.state, kc.project);
    },
  };
}

// ---------------------------------------------------------------- forwarding rules

const FR_SCHEMES: Record<Scope, string[]> = {
  global: ['EXTERNAL', 'EXTERNAL_MANAGED', 'INTERNAL_SELF_MANAGED'],
  region: ['EXTERNAL', 'EXTERNAL_MANAGED', 'INTERNAL', 'INTERNAL_MANAGED'],
};

/** A forwarding rule uses its target or backend service, and the reserved address holding its IP. */
function forwardingRuleRefs(state: () => ComputeState) {
  return (rule: ComputeResource): Reference[] => {
    const refs: Reference[] = [];
    if (typeof rule.target === 'string') refs.push({ field: 'resource.target', link: rule.target });
    if (typeof rule.backendService === 'string') {
      refs.push({ field: 'resource.backendService', link: rule.backendService });
    }
    const address = addressByIp(state(), pathOf(rule), rule.IPAddress);
    if (address) refs.push({ field: 'resource.IPAddress', link: address.selfLink });
    return refs;
  };
}

/** `IPAddress`: an address URL becomes its IP; a literal must be a reserved address; none → ephemeral. */
function resolveIp(rule: ComputeResource, kc: KindContext, scope: Scope, previous?: ComputeResource): void {
  const ip = rule.IPAddress as string | null | undefined; // a string: the body parsed as ForwardingRule
  if (!ip) {
    rule.IPAddress = allocateIp(kc, scope);
    return;
  }
  if (isIPv4(ip)) {
    if (ip === previous?.IPAddress || addressByIp(kc.state, pathOf(rule), ip)) return;
    throw badField('resource.IPAddress', ip, 'The IP address is not reserved in this project and scope.');
  }
  const path = kc.resolve(ip, 'resource.IPAddress');
  if (collectionOf(path) !== 'addresses' || addressPrefix(path) !== addressPrefix(pathOf(rule))) {
    throw badField('resource.IPAddress', ip, `Must be an address in the scope of the forwarding rule.`);
  }
  const address = kc.get(path);
  if (!address) throw notFound(path);
  rule.IPAddress = address.address;
}

function normalisePortRange(rule: ComputeResource): void {
  if (rule.portRange === undefined) return;
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(rule.portRange));
  const lo = m ? Number(m[1]) : 0;
  const hi = m?.[2] ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    throw badField('resource.portRange', rule.portRange, 'Must be a port or a port range (1-65535).');
  }
  rule.portRange = `${lo}-${hi}`;
}

function forwardingRuleSpec(scope: Scope, state: () => ComputeState): KindSpec {
  return {
    collection: 'forwardingRules',
    scope,
    kind: 'compute#forwardingRule',
    fingerprint: true,
    prepare(rule, kc, previous) {
      dropEmptyMaps(rule, ['labels']);
      rule.IPProtocol ??= 'TCP';
      rule.loadBalancingScheme ??= 'EXTERNAL';
      if (rule.loadBalancingScheme === 'EXTERNAL') rule.networkTier ??= 'PREMIUM';
      if (rule.portRange === undefined && typeof rule.target === 'string') {
        const target = collectionOf(kc.resolve(rule.target, 'resource.target'));
        if (target === 'targetHttpProxies') rule.portRange = '80';
        if (target === 'targetHttpsProxies') rule.portRange = '443';
      }
      normalisePortRange(rule);
      resolveIp(rule, kc, scope, previous);
    },
    validate(rule, kc) {
      oneOf(rule.loadBalancingScheme, FR_SCHEMES[scope], 'resource.loadBalancingScheme');
      const hasTarget = typeof rule.target === 'string' && rule.target !== '';
      const hasBackend = typeof rule.backendService === 'string' && rule.backendService !== '';
      if (hasTarget && hasBackend) {
        throw badField(
          'resource.backendService',
          rule.backendService,
          'Only one of target or backendService may be set.',
        );
      }
      if (scope === 'global') {
        if (hasBackend)
          throw badField('resource.backendService', rule.backendService, 'Not supported for global forwarding rules.');
        if (!hasTarget) throw requiredField('resource.target');
      } else if (!hasTarget && !hasBackend) {
        throw requiredField('resource.target');
      }
      const own = scopeOf(pathOf(rule));
      if (hasTarget && scopeOf(kc.resolve(rule.target as string, 'resource.target')) !== own) {
        throw badField('resource.target', rule.target, 'The target must be in the scope of the forwarding rule.');
      }
      if (hasBackend) {
        const path = kc.resolve(rule.backendService as string, 'resource.backendService');
        if (collectionOf(path) !== 'backendServices' || scopeOf(path) !== own) {
          throw badField(
            'resource.backendService',
            rule.backendService,
            'Must be a backend service in the same region.',
          );
        }
        const bs = kc.get(path);
        if (bs && bs.loadBalancingScheme !== rule.loadBalancingScheme) {
          throw badField(
            'resource.loadBalancingScheme',
            rule.loadBalancingScheme,
            `The backend service has load balancing scheme ${String(bs.loadBalancingScheme)}; they must match.`,
          );
        }
      }
    },
    refs: forwardingRuleRefs(state),
    afterWrite(_rule, kc) {
      refreshAddresses(kc.state, kc.project);
    },
    afterDelete(_rule, kc) {
      refreshAddresses(kc.state, kc.project);
    },
  };
}

// ---------------------------------------------------------------- registration

export function registerFrontends(compute: ComputeService, router: Router): void {
  const state = () => compute.state;
  compute.collections.define(router, urlMapSpec);

  for (const collection of ['targetHttpProxies', 'targetHttpsProxies'] as const) {
    const spec = proxySpec(collection);
    compute.collections.define(router, spec);
    // Note the path: `projects/{p}/targetHttpProxies/{x}/setUrlMap`, without `global/`.
    router.add('POST', `${V1}/${collection}/:name/setUrlMap`, { api: 'compute', write: true }, (req) =>
      customMutation(compute, spec, req, 'setUrlMap', (next, body) => {
        next.urlMap = body.urlMap;
      }),
    );
    if (collection === 'targetHttpsProxies') {
      router.add('POST', `${V1}/${collection}/:name/setSslCertificates`, { api: 'compute', write: true }, (req) =>
        customMutation(compute, spec, req, 'setSslCertificates', (next, body) => {
          next.sslCertificates = body.sslCertificates;
        }),
      );
    }
  }

  for (const scope of ['global', 'region'] as const) {
    const segment = scope === 'global' ? 'global' : 'regions/:region';
    compute.collections.define(router, addressSpec(scope));
    const spec = forwardingRuleSpec(scope, state);
    compute.collections.define(router, spec);
    router.add('POST', `${V1}/${segment}/forwardingRules/:name/setTarget`, { api: 'compute', write: true }, (req) =>
      customMutation(compute, spec, req, 'setTarget', (next, body) => {
        next.target = body.target;
      }),
    );
  }
}
