import type { GeorouteConfig } from '../shared/config';
import { type Resource, resourceId } from './types';

/**
 * Least privilege with predefined roles, per function. Every function ends in a reconcile, so all
 * three read the world (compute / monitoring viewer); what they may change differs:
 * - capacityRequest: autoscalers (compute.instanceAdmin.v1 is the narrowest predefined role with
 *   compute.autoscalers.update), publish results and dead letters;
 * - healthAlert and reconcile: also backend services (compute.loadBalancerAdmin) and the geo record (dns.admin).
 * Project-level bindings: topic- and zone-level bindings would be narrower (see docs/DEPLOY.md).
 */
export function functionRoles(): Record<'capacityRequest' | 'healthAlert' | 'reconcile', string[]> {
  const common = [
    'roles/compute.viewer',
    'roles/monitoring.viewer',
    'roles/pubsub.publisher',
    'roles/logging.logWriter',
  ];
  const scale = 'roles/compute.instanceAdmin.v1';
  const steer = ['roles/compute.loadBalancerAdmin', 'roles/dns.admin'];
  return {
    capacityRequest: [...common, scale, 'roles/dns.reader'],
    healthAlert: [...common, scale, ...steer],
    reconcile: [...common, scale, ...steer],
  };
}

export function serviceAccounts(config: GeorouteConfig): Resource[] {
  const out: Resource[] = [];
  const bindings: Array<{ role: string; member: string }> = [];
  const roles = functionRoles();
  for (const fn of ['capacityRequest', 'healthAlert', 'reconcile'] as const) {
    const accountId = config.serviceAccounts[fn];
    out.push({
      kind: 'serviceAccount',
      name: accountId,
      id: resourceId('serviceAccount', accountId),
      body: { accountId, displayName: `georoute ${fn} function` },
      owned: {},
      dependsOn: [],
    });
    const member = `serviceAccount:${accountId}@${config.project}.iam.gserviceaccount.com`;
    for (const role of roles[fn]) bindings.push({ role, member });
  }
  out.push({
    kind: 'projectIamBindings',
    name: 'functions',
    id: resourceId('projectIamBindings', 'functions'),
    body: { bindings },
    owned: { bindings },
    dependsOn: out.map((r) => r.id),
  });
  return out;
}
