/**
 * The VPC tier of the base stack. The GPU VMs get no external IP: they reach Google APIs through
 * Private Google Access and the internet (driver, image and model downloads) through Cloud NAT.
 * The load balancers reach them through two firewall rules: Google's health-check / front-end ranges
 * and the regional Application Load Balancers' proxy-only subnets. Nothing else is open.
 */
import type { GeorouteConfig } from '../shared/config';
import { computeLink, res } from './resource';
import type { Resource } from './types';

/** Network tag of the serving VMs: the firewall rules target it. */
export const SERVING_TAG = 'georoute-serving';

/**
 * Sources of health checks and of the global external Application Load Balancer's front ends.
 * https://cloud.google.com/load-balancing/docs/firewall-rules
 */
export const GOOGLE_LB_RANGES = ['35.191.0.0/16', '130.211.0.0/22'];

export const subnetName = (region: string) => `georoute-${region}`;
export const proxyOnlySubnetName = (region: string) => `georoute-proxy-only-${region}`;
export const networkLink = (config: GeorouteConfig) =>
  computeLink(config.project, `global/networks/${config.network.name}`);
export const subnetLink = (config: GeorouteConfig, region: string) =>
  computeLink(config.project, `regions/${region}/subnetworks/${subnetName(region)}`);

export interface NetworkIds {
  network: string;
  /** Region → its VM subnet's resource id. */
  subnets: Record<string, string>;
  /** Region → its proxy-only subnet's resource id (regional load balancers need it first). */
  proxyOnly: Record<string, string>;
  firewalls: string[];
}

export function networkResources(config: GeorouteConfig): { resources: Resource[]; ids: NetworkIds } {
  const out: Resource[] = [];
  const port = String(config.instance.port);
  const net = res('network', config.network.name, {
    // Custom mode, regional routing: georoute makes exactly the subnets it needs.
    body: { autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' }, description: 'georoute' },
    external: !config.network.create,
  });
  out.push(net);
  const ids: NetworkIds = { network: net.id, subnets: {}, proxyOnly: {}, firewalls: [] };
  const network = networkLink(config);
  for (const r of config.regions) {
    const subnetOwned = { ipCidrRange: r.subnet.cidr, privateIpGoogleAccess: true };
    const subnet = res('subnetwork', subnetName(r.name), {
      body: { network, ...subnetOwned },
      owned: subnetOwned,
      dependsOn: [net.id],
      region: r.name,
      immutable: ['ipCidrRange'],
    });
    // https://cloud.google.com/load-balancing/docs/proxy-only-subnets: one ACTIVE per region and VPC,
    // before any regional Application Load Balancer's forwarding rule.
    const proxyOwned = { ipCidrRange: r.subnet.proxyOnlyCidr, purpose: 'REGIONAL_MANAGED_PROXY', role: 'ACTIVE' };
    const proxyOnly = res('subnetwork', proxyOnlySubnetName(r.name), {
      body: { network, ...proxyOwned },
      owned: proxyOwned,
      dependsOn: [net.id],
      region: r.name,
      immutable: ['ipCidrRange', 'purpose'],
    });
    // Cloud NAT on a Cloud Router, for the VM subnet only: https://cloud.google.com/nat/docs/overview
    const natOwned = {
      nats: [
        {
          name: 'georoute-nat',
          natIpAllocateOption: 'AUTO_ONLY',
          sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
          subnetworks: [{ name: subnetLink(config, r.name), sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
        },
      ],
    };
    const router = res('router', `georoute-nat-${r.name}`, {
      body: { network, ...natOwned },
      owned: natOwned,
      dependsOn: [subnet.id],
      region: r.name,
    });
    out.push(subnet, proxyOnly, router);
    ids.subnets[r.name] = subnet.id;
    ids.proxyOnly[r.name] = proxyOnly.id;
  }
  const rule = (name: string, sourceRanges: string[], description: string) => {
    const owned = {
      direction: 'INGRESS',
      sourceRanges,
      allowed: [{ IPProtocol: 'tcp', ports: [port] }],
      targetTags: [SERVING_TAG],
    };
    return res('firewall', name, {
      body: { network, description, priority: 1000, ...owned },
      owned,
      dependsOn: [net.id],
    });
  };
  const health = rule(
    'georoute-allow-lb',
    GOOGLE_LB_RANGES,
    'georoute: health checks and global load balancer front ends',
  );
  const proxies = rule(
    'georoute-allow-proxy-only',
    config.regions.map((r) => r.subnet.proxyOnlyCidr),
    'georoute: regional Application Load Balancers (proxy-only subnets)',
  );
  out.push(health, proxies);
  ids.firewalls.push(health.id, proxies.id);
  return { resources: out, ids };
}
