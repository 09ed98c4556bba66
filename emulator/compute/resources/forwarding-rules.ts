import { isIPv4 } from 'node:net';
import { notFound } from '../../core/api-error';
import type { Router } from '../../core/router';
import type { KindContext, KindSpec, Reference } from '../collection';
import type { ComputeService } from '../index';
import { selfLink } from '../links';
import type { ComputeResource, ComputeState } from '../state';
import { addressByIp, addressPrefix, addressSpec, allocateIp, refreshAddresses, type Scope } from './addresses';
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
import { isProxyOnly } from './subnetworks';

const V1 = '/compute/v1/projects/:project';

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
    if (typeof rule.network === 'string') refs.push({ field: 'resource.network', link: rule.network });
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

/** "For regional ForwardingRule, the valid values are PREMIUM and STANDARD. For GlobalForwardingRule, the valid value is PREMIUM." */
const TIERS: Record<Scope, string[]> = { global: ['PREMIUM'], region: ['PREMIUM', 'STANDARD'] };
const EXTERNAL_SCHEMES = ['EXTERNAL', 'EXTERNAL_MANAGED'];

/**
 * The regional external Application Load Balancer's rule (scheme EXTERNAL_MANAGED, a regional target
 * proxy): "The forwarding rule's VPC network is the network where the proxy-only subnet has been
 * created", and the subnet must exist first (https://cloud.google.com/load-balancing/docs/https,
 * https://cloud.google.com/load-balancing/docs/proxy-only-subnets). Google's answer otherwise, as
 * publicly reported (a GKE Gateway status quoting the Compute insert error; the pages quote none):
 * "Invalid value for field 'resource.target': '<target>'. An active proxy-only subnetwork is required in
 * the same region and VPC as the forwarding rule." Without `network` no VPC can hold the subnet: the twin
 * answers the same (Google's answer for that case not found).
 */
function checkProxyOnlySubnet(rule: ComputeResource, kc: KindContext): void {
  const region = scopeOf(pathOf(rule));
  const active = Object.values(kc.state.resources).some(
    (s) =>
      s.kind === 'compute#subnetwork' &&
      s.purpose === 'REGIONAL_MANAGED_PROXY' &&
      isProxyOnly(s) &&
      s.role === 'ACTIVE' &&
      s.network === rule.network &&
      scopeOf(pathOf(s)) === region,
  );
  if (!active) {
    throw badField(
      'resource.target',
      rule.target,
      'An active proxy-only subnetwork is required in the same region and VPC as the forwarding rule.',
    );
  }
}

/** Rules on the tier and the VPC: the address's tier, and the regional ALB's proxy-only subnet. */
function validateNetworking(rule: ComputeResource, kc: KindContext, scope: Scope): void {
  if (EXTERNAL_SCHEMES.includes(rule.loadBalancingScheme as string)) {
    oneOf(rule.networkTier, TIERS[scope], 'resource.networkTier');
    // "If IPAddress is specified, this value must be equal to the networkTier of the Address." Wording ours.
    const address = addressByIp(kc.state, pathOf(rule), rule.IPAddress);
    if (address && address.networkTier !== undefined && address.networkTier !== rule.networkTier) {
      throw badField(
        'resource.networkTier',
        rule.networkTier,
        `The networkTier must be equal to the networkTier of the address (${String(address.networkTier)}).`,
      );
    }
  }
  if (typeof rule.network === 'string') {
    const path = kc.resolve(rule.network, 'resource.network');
    if (collectionOf(path) !== 'networks') throw badField('resource.network', rule.network, 'Must be a network.');
  }
  if (scope === 'region' && rule.loadBalancingScheme === 'EXTERNAL_MANAGED' && typeof rule.target === 'string') {
    const target = collectionOf(kc.resolve(rule.target, 'resource.target'));
    if (target !== 'targetHttpProxies' && target !== 'targetHttpsProxies') {
      throw badField('resource.target', rule.target, 'Must be a regional target HTTP or HTTPS proxy.');
    }
    checkProxyOnlySubnet(rule, kc);
  }
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
      // "If this field is not specified, it is assumed to be PREMIUM."
      if (EXTERNAL_SCHEMES.includes(rule.loadBalancingScheme as string)) rule.networkTier ??= 'PREMIUM';
      if (typeof rule.network === 'string' && rule.network !== '') {
        rule.network = selfLink(kc.resolve(rule.network, 'resource.network'));
      }
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
      validateNetworking(rule, kc, scope);
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

/** Addresses and forwarding rules of both scopes, with `setTarget`. */
export function registerAddressesAndRules(compute: ComputeService, router: Router): void {
  const state = () => compute.state;
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
