import { ApiError } from '../../core/api-error';
import { isPlainObject } from '../../core/merge-patch';
import type { KindContext, KindSpec } from '../collection';
import { selfLink } from '../links';
import type { ComputeResource } from '../state';
import { addressAt, type Ipv4Range, overlaps, parseIpv4Cidr, rangeSize } from './cidr';
import { badField, collectionOf, pathOf, requiredField } from './lb-helpers';
import { networkMode, refreshNetworkSubnets } from './networks';

/**
 * Proxy-only purposes (https://cloud.google.com/load-balancing/docs/proxy-only-subnets). "You can't have
 * both an INTERNAL_HTTPS_LOAD_BALANCER and a REGIONAL_MANAGED_PROXY subnet in the same network and
 * region" (same page): the legacy purpose shares REGIONAL_MANAGED_PROXY's ACTIVE / BACKUP slots.
 */
const PROXY_FAMILY: Record<string, string> = {
  REGIONAL_MANAGED_PROXY: 'REGIONAL_MANAGED_PROXY',
  INTERNAL_HTTPS_LOAD_BALANCER: 'REGIONAL_MANAGED_PROXY',
  GLOBAL_MANAGED_PROXY: 'GLOBAL_MANAGED_PROXY',
};
/** "A proxy-only subnet must provide 64 or more IP addresses" (/26 or shorter), same page. */
const PROXY_MIN_ADDRESSES = 64;
/** Auto mode subnets' block: "Extended subnetworks in auto subnet mode networks cannot overlap with 10.128.0.0/9". */
const AUTO_MODE_BLOCK = parseIpv4Cidr('10.128.0.0/9') as Ipv4Range;

export const isProxyOnly = (subnet: Record<string, unknown>): boolean =>
  typeof subnet.purpose === 'string' && subnet.purpose in PROXY_FAMILY;

const regionOfPath = (path: string): string => path.split('/')[3] as string;

/** Subnets of the same network (all regions) but `self`. */
function siblings(kc: KindContext, subnet: ComputeResource): ComputeResource[] {
  return Object.values(kc.state.resources).filter(
    (r) => r.kind === 'compute#subnetwork' && r.network === subnet.network && r.selfLink !== subnet.selfLink,
  );
}

/** Ranges a subnet holds: its primary range and its secondary ranges. */
function rangesOf(subnet: ComputeResource): Ipv4Range[] {
  const secondary = Array.isArray(subnet.secondaryIpRanges) ? subnet.secondaryIpRanges : [];
  return [subnet.ipCidrRange, ...secondary.map((s) => (isPlainObject(s) ? s.ipCidrRange : undefined))]
    .map(parseIpv4Cidr)
    .filter((r): r is Ipv4Range => r !== undefined);
}

/** https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks (fingerprint required on patch). */
export function subnetworkSpec(): KindSpec {
  return {
    collection: 'subnetworks',
    scope: 'region',
    kind: 'compute#subnetwork',
    fingerprint: true,
    serverFields: ['gatewayAddress', 'state'],
    prepare(subnet, kc) {
      if (typeof subnet.network === 'string' && subnet.network !== '') {
        subnet.network = selfLink(kc.resolve(subnet.network, 'resource.network'));
      }
      subnet.purpose ??= 'PRIVATE';
      subnet.stackType ??= 'IPV4_ONLY';
      if (!isProxyOnly(subnet)) {
        subnet.privateIpGoogleAccess ??= false;
        const range = parseIpv4Cidr(subnet.ipCidrRange);
        if (range) subnet.gatewayAddress = addressAt(range, 1);
      }
    },
    validate(subnet, kc, previous) {
      if (typeof subnet.network !== 'string' || subnet.network === '') throw requiredField('resource.network');
      const networkPath = kc.resolve(subnet.network, 'resource.network');
      if (collectionOf(networkPath) !== 'networks') {
        throw badField('resource.network', subnet.network, 'Must be a network.');
      }
      if (previous) checkUnchanged(subnet, previous);
      const network = kc.get(networkPath);
      if (network && networkMode(network) === 'legacy') {
        // "Legacy networks don't have subnets" (https://cloud.google.com/vpc/docs/legacy); wording ours.
        throw badField('resource.network', subnet.network, 'Subnetworks cannot be created in a legacy network.');
      }
      if (subnet.ipCidrRange === undefined || subnet.ipCidrRange === '') throw requiredField('resource.ipCidrRange');
      const range = parseIpv4Cidr(subnet.ipCidrRange);
      const cidr = String(subnet.ipCidrRange);
      if (!range) {
        throw badField('resource.ipCidrRange', cidr, `Invalid IPCidrRange: ${cidr}.`); // wording ours past the colon
      }
      if (network && networkMode(network) === 'auto' && overlaps(range, AUTO_MODE_BLOCK)) {
        // https://github.com/cloudfoundry/bosh-google-cpi-release/issues/238
        throw badField(
          'resource.ipCidrRange',
          cidr,
          'Extended subnetworks in auto subnet mode networks cannot overlap with 10.128.0.0/9.',
        );
      }
      for (const other of siblings(kc, subnet)) {
        if (rangesOf(other).some((r) => overlaps(r, range))) {
          // https://github.com/terraform-google-modules/terraform-google-network/issues/20
          throw badField(
            'resource.ipCidrRange',
            cidr,
            `Invalid IPCidrRange: ${cidr} conflicts with existing subnetwork '${other.name}' in region '${regionOfPath(pathOf(other))}'.`,
          );
        }
      }
      if (isProxyOnly(subnet)) validateProxyOnly(subnet, range, kc, previous?.role === 'BACKUP');
    },
    refs: (subnet) => (typeof subnet.network === 'string' ? [{ field: 'resource.network', link: subnet.network }] : []),
    afterWrite(subnet, kc, previous) {
      // Promoting the BACKUP subnet demotes the ACTIVE one: "the previously ACTIVE subnet becomes BACKUP"
      // (https://cloud.google.com/load-balancing/docs/proxy-only-subnets, changing the active subnet).
      if (previous?.role === 'BACKUP' && subnet.role === 'ACTIVE') {
        for (const other of sameProxySlot(kc, subnet)) if (other.role === 'ACTIVE') other.role = 'BACKUP';
      }
      refreshNetworkSubnets(kc, kc.resolve(String(subnet.network), 'resource.network'));
    },
    beforeDelete: refuseActiveDeleteWithBackup,
    afterDelete(subnet, kc) {
      refreshNetworkSubnets(kc, kc.resolve(String(subnet.network), 'resource.network'));
    },
  };
}

/** Proxy-only subnets of the same purpose family, region and network (not `subnet` itself). */
function sameProxySlot(kc: KindContext, subnet: ComputeResource): ComputeResource[] {
  const region = regionOfPath(pathOf(subnet));
  return siblings(kc, subnet).filter(
    (o) =>
      isProxyOnly(o) &&
      PROXY_FAMILY[o.purpose as string] === PROXY_FAMILY[subnet.purpose as string] &&
      regionOfPath(pathOf(o)) === region,
  );
}

function validateProxyOnly(subnet: ComputeResource, range: Ipv4Range, kc: KindContext, promoting: boolean): void {
  const purpose = String(subnet.purpose);
  if (subnet.role !== 'ACTIVE' && subnet.role !== 'BACKUP') {
    // https://github.com/hashicorp/terraform-provider-google/issues/13438
    throw badField(
      'resource.role',
      subnet.role ?? 'UNSPECIFIED_ROLE',
      `Subnetwork role must be specified when purpose set to ${purpose}.`,
    );
  }
  if (isPlainObject(subnet.logConfig) && Object.keys(subnet.logConfig).length > 0) {
    // https://github.com/terraform-google-modules/terraform-google-network/issues/371
    throw badField(
      'resource.logConfig',
      JSON.stringify(subnet.logConfig),
      `Invalid field set in subnetwork with purpose ${purpose}.`,
    );
  }
  if (rangeSize(range) < PROXY_MIN_ADDRESSES) {
    // Documented rule; wording ours.
    throw badField(
      'resource.ipCidrRange',
      subnet.ipCidrRange,
      'A proxy-only subnetwork must provide 64 or more IP addresses (/26 or shorter).',
    );
  }
  const slot = sameProxySlot(kc, subnet);
  // "only a single proxy-only subnet with purpose REGIONAL_MANAGED_PROXY can be active at any point in time";
  // "one ACTIVE and one BACKUP"; "You cannot create a backup proxy-only subnet unless you have already
  // created an active proxy-only subnet" (proxy-only-subnets page). Wording ours.
  if (subnet.role === 'BACKUP' && slot.some((o) => o.role === 'BACKUP')) {
    throw badField(
      'resource.role',
      'BACKUP',
      'A BACKUP proxy-only subnetwork already exists in this region and network.',
    );
  }
  if (subnet.role === 'BACKUP' && !slot.some((o) => o.role === 'ACTIVE')) {
    throw badField(
      'resource.role',
      'BACKUP',
      'A BACKUP proxy-only subnetwork needs an ACTIVE one in this region and network.',
    );
  }
  if (subnet.role === 'ACTIVE' && !promoting && slot.some((o) => o.role === 'ACTIVE')) {
    throw badField(
      'resource.role',
      'ACTIVE',
      'An ACTIVE proxy-only subnetwork already exists in this region and network.',
    );
  }
}

/** What a patch cannot change (wording ours; the rules are the field descriptions'). */
function checkUnchanged(subnet: ComputeResource, previous: ComputeResource): void {
  // network: "This field can be set only at resource creation time."
  if (subnet.network !== previous.network) {
    throw badField('resource.network', subnet.network, 'The network of a subnetwork cannot be changed.');
  }
  // ipCidrRange: "set at resource creation time … can be expanded after creation using expandIpCidrRange."
  if (subnet.ipCidrRange !== previous.ipCidrRange) {
    throw badField('resource.ipCidrRange', subnet.ipCidrRange, 'Use expandIpCidrRange to change the range.');
  }
  // "the subnets update command doesn't allow modifying a subnet's --purpose field" (proxy-only-subnets page).
  if ((subnet.purpose ?? 'PRIVATE') !== (previous.purpose ?? 'PRIVATE')) {
    throw badField('resource.purpose', subnet.purpose, 'The purpose of a subnetwork cannot be changed.');
  }
}

/**
 * "Invalid resource usage: Cannot delete ACTIVE subnetwork because a BACKUP subnetwork exists."
 * (https://cloud.google.com/load-balancing/docs/proxy-only-subnets). Status 400; reason ours.
 */
function refuseActiveDeleteWithBackup(subnet: ComputeResource, kc: KindContext): void {
  if (!isProxyOnly(subnet) || subnet.role !== 'ACTIVE') return;
  if (sameProxySlot(kc, subnet).some((o) => o.role === 'BACKUP')) {
    throw new ApiError(
      400,
      'Invalid resource usage: Cannot delete ACTIVE subnetwork because a BACKUP subnetwork exists.',
      {
        reason: 'invalid',
      },
    );
  }
}
