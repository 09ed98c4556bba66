import type { Router } from '../../core/router';
import type { ComputeService } from '../index';
import { firewallSpec } from './firewalls';
import { customMutation, requiredField } from './lb-helpers';
import { networkSpec } from './networks';
import { routerSpec } from './routers';
import { subnetworkSpec } from './subnetworks';

const V1 = '/compute/v1/projects/:project';

/** The VPC tier: networks, subnetworks (with setPrivateIpGoogleAccess), firewall rules, Cloud Routers. */
export function registerVpc(compute: ComputeService, router: Router): void {
  compute.collections.define(router, networkSpec);
  const subnets = subnetworkSpec();
  compute.collections.define(router, subnets);
  // https://cloud.google.com/compute/docs/reference/rest/v1/subnetworks/setPrivateIpGoogleAccess
  router.add(
    'POST',
    `${V1}/regions/:region/subnetworks/:name/setPrivateIpGoogleAccess`,
    { api: 'compute', write: true },
    (req) =>
      customMutation(compute, subnets, req, 'setPrivateIpGoogleAccess', (next, body) => {
        if (typeof body.privateIpGoogleAccess !== 'boolean') throw requiredField('resource.privateIpGoogleAccess');
        next.privateIpGoogleAccess = body.privateIpGoogleAccess;
      }),
  );
  compute.collections.define(router, firewallSpec);
  compute.collections.define(router, routerSpec);
}
