import { isPlainObject } from '../../core/merge-patch';
import type { KindContext, KindSpec, Reference } from '../collection';
import { NAME_RE, selfLink } from '../links';
import type { ComputeResource } from '../state';
import { badField, collectionOf, oneOf, pathOf, requiredField, scopeOf } from './lb-helpers';

type Nat = Record<string, unknown>;
const natsOf = (router: ComputeResource): Nat[] =>
  Array.isArray(router.nats) ? router.nats.filter(isPlainObject) : [];
const natSubnets = (nat: Nat): Nat[] => (Array.isArray(nat.subnetworks) ? nat.subnetworks.filter(isPlainObject) : []);

const ALLOCATE = ['AUTO_ONLY', 'MANUAL_ONLY'];
const SOURCES = ['ALL_SUBNETWORKS_ALL_IP_RANGES', 'ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES', 'LIST_OF_SUBNETWORKS'];

/** The router's network and every subnetwork its NAT gateways name: they must exist and stay while used. */
function routerRefs(router: ComputeResource): Reference[] {
  const refs: Reference[] = [];
  if (typeof router.network === 'string') refs.push({ field: 'resource.network', link: router.network });
  natsOf(router).forEach((nat, i) => {
    natSubnets(nat).forEach((s, j) => {
      if (typeof s.name === 'string') refs.push({ field: `resource.nats[${i}].subnetworks[${j}].name`, link: s.name });
    });
  });
  return refs;
}

/**
 * Cloud Routers with Cloud NAT gateways (https://cloud.google.com/compute/docs/reference/rest/v1/routers,
 * https://cloud.google.com/nat/docs/overview). No fingerprint. Documented rules: AUTO_ONLY takes no
 * `natIps` ("When choosing AUTO_ONLY, then nat_ip should be empty"); LIST_OF_SUBNETWORKS names the
 * subnetworks, which must exist in the router's region and network; with ALL_SUBNETWORKS_ALL_IP_RANGES
 * "there should not be any other Router.Nat section in any Router for this network in this region".
 * Messages are ours in Google's invalid-field shape.
 */
export const routerSpec: KindSpec = {
  collection: 'routers',
  scope: 'region',
  kind: 'compute#router',
  prepare(router, kc) {
    if (typeof router.network === 'string' && router.network !== '') {
      router.network = selfLink(kc.resolve(router.network, 'resource.network'));
    }
    for (const nat of natsOf(router)) {
      for (const s of natSubnets(nat)) {
        if (typeof s.name === 'string' && s.name !== '') s.name = selfLink(kc.resolve(s.name, 'subnetworks.name'));
      }
    }
  },
  validate(router, kc) {
    if (typeof router.network !== 'string' || router.network === '') throw requiredField('resource.network');
    const region = kc.scope.kind === 'region' ? kc.scope.region : '';
    const names = new Set<string>();
    natsOf(router).forEach((nat, i) => {
      const at = `resource.nats[${i}]`;
      if (typeof nat.name !== 'string' || !NAME_RE.test(nat.name))
        throw badField(`${at}.name`, nat.name, 'Must be a valid name.');
      if (names.has(nat.name)) throw badField(`${at}.name`, nat.name, 'NAT names must be unique in a router.');
      names.add(nat.name);
      oneOf(nat.natIpAllocateOption, ALLOCATE, `${at}.natIpAllocateOption`);
      if (nat.natIpAllocateOption === 'AUTO_ONLY' && Array.isArray(nat.natIps) && nat.natIps.length > 0) {
        throw badField(`${at}.natIps`, '', 'natIps must be empty when natIpAllocateOption is AUTO_ONLY.');
      }
      oneOf(nat.sourceSubnetworkIpRangesToNat, SOURCES, `${at}.sourceSubnetworkIpRangesToNat`);
      const subnets = natSubnets(nat);
      if (nat.sourceSubnetworkIpRangesToNat === 'LIST_OF_SUBNETWORKS' && subnets.length === 0) {
        throw requiredField(`${at}.subnetworks`);
      }
      subnets.forEach((s, j) => {
        const field = `${at}.subnetworks[${j}].name`;
        if (typeof s.name !== 'string' || s.name === '') throw requiredField(field);
        const path = kc.resolve(s.name, field);
        if (collectionOf(path) !== 'subnetworks' || scopeOf(path) !== region) {
          throw badField(field, s.name, `Must be a subnetwork in region ${region}.`);
        }
        const subnet = kc.get(path);
        if (subnet && subnet.network !== router.network) {
          throw badField(field, s.name, "The subnetwork is not in the router's network.");
        }
      });
      if (nat.sourceSubnetworkIpRangesToNat === 'ALL_SUBNETWORKS_ALL_IP_RANGES') checkSoleNat(router, nat, kc, at);
    });
  },
  refs: routerRefs,
};

/** No other NAT of any router for this network and region may sit beside an ALL_SUBNETWORKS_ALL_IP_RANGES one. */
function checkSoleNat(router: ComputeResource, nat: Nat, kc: KindContext, at: string): void {
  const region = scopeOf(pathOf(router));
  const others = Object.values(kc.state.resources).filter(
    (r) =>
      r.kind === 'compute#router' &&
      r.network === router.network &&
      scopeOf(pathOf(r)) === region &&
      r.selfLink !== router.selfLink,
  );
  const count = natsOf(router).length - 1 + others.reduce((n, r) => n + natsOf(r).length, 0);
  if (count > 0) {
    throw badField(
      `${at}.sourceSubnetworkIpRangesToNat`,
      nat.sourceSubnetworkIpRangesToNat,
      'No other NAT may exist for this network and region alongside ALL_SUBNETWORKS_ALL_IP_RANGES.',
    );
  }
}
