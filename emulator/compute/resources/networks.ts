import { isPlainObject } from '../../core/merge-patch';
import type { KindContext, KindSpec } from '../collection';
import { selfLink } from '../links';
import { badField, intField } from './lb-helpers';

/**
 * VPC networks (https://cloud.google.com/compute/docs/reference/rest/v1/networks). No fingerprint
 * (Network has none). `autoCreateSubnetworks`: "Must be set to create a VPC network. If not set, a
 * legacy network is created. When set to true, the VPC network is created in auto mode. When set to
 * false, the VPC network is created in custom mode." The twin does not create an auto mode network's
 * per-region subnets (docs/emulator/compute-lb.md), but keeps their 10.128.0.0/9 out of custom subnets.
 */
export const networkSpec: KindSpec = {
  collection: 'networks',
  scope: 'global',
  kind: 'compute#network',
  serverFields: ['subnetworks', 'gatewayIPv4', 'peerings', 'firewallPolicy'],
  prepare(network) {
    // "If unspecified, the value defaults to 1460."
    network.mtu ??= 1460;
    if (isPlainObject(network.routingConfig)) network.routingConfig.routingMode ??= 'REGIONAL';
    else network.routingConfig = { routingMode: 'REGIONAL' };
  },
  validate(network) {
    intField(network, 'mtu', 'resource.mtu', { min: 1300, max: 8896 });
    if (network.autoCreateSubnetworks !== undefined && network.IPv4Range !== undefined) {
      // Wording ours: a legacy range on a VPC network (Google's answer not found).
      throw badField('resource.IPv4Range', network.IPv4Range, 'IPv4Range is only for legacy networks.');
    }
  },
};

/** Which kind of network: `custom`, `auto` or `legacy` (autoCreateSubnetworks unset). */
export function networkMode(network: Record<string, unknown>): 'custom' | 'auto' | 'legacy' {
  if (network.autoCreateSubnetworks === true) return 'auto';
  return network.autoCreateSubnetworks === false ? 'custom' : 'legacy';
}

/** The network's `subnetworks` (output only): URLs of its subnets, kept in step with them. */
export function refreshNetworkSubnets(kc: KindContext, networkPath: string): void {
  const network = kc.state.resources[networkPath];
  if (!network) return;
  const link = selfLink(networkPath);
  const subnets = Object.values(kc.state.resources)
    .filter((r) => r.kind === 'compute#subnetwork' && r.network === link)
    .map((r) => r.selfLink)
    .sort();
  if (subnets.length > 0) network.subnetworks = subnets;
  else delete network.subnetworks;
}
