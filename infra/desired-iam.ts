import type { GeorouteConfig } from '../shared/config';
import { type Resource, resourceId } from './types';

/**
 * Least privilege with predefined roles, per function, derived from the calls each one makes (the
 * security suite maps the emulator's request log through infra/iam-permissions.ts and checks these
 * against it). Every function ends in a reconcile, so all three read the world (compute.viewer,
 * monitoring.viewer) and may change it: backend services (compute.loadBalancerAdmin: drains, and the
 * capacity ledger in the backend service's description), autoscalers (compute.instanceAdmin.v1, the
 * narrowest predefined role with compute.autoscalers.update) and the geo record (dns.admin, the
 * only one with dns.changes.create). Publishing is granted per topic (topicPublishers), not here.
 * Project-level bindings: zone-level dns.admin would be narrower (see docs/DEPLOY.md).
 */
export function functionRoles(): Record<'capacityRequest' | 'healthAlert' | 'reconcile', string[]> {
  const roles = [
    'roles/compute.viewer',
    'roles/monitoring.viewer',
    'roles/logging.logWriter',
    'roles/compute.instanceAdmin.v1',
    'roles/compute.loadBalancerAdmin',
    'roles/dns.admin',
  ];
  return { capacityRequest: [...roles], healthAlert: [...roles], reconcile: [...roles] };
}

/**
 * The GPU VMs' identity: they write their metrics (the autoscaling signal, shared/config/infra-schema.ts
 * `autoscaling`) and logs, nothing else. Roles: https://cloud.google.com/monitoring/access-control,
 * https://cloud.google.com/logging/docs/access-control
 */
export const VM_ROLES = ['roles/monitoring.metricWriter', 'roles/logging.logWriter'];

export const vmServiceAccountEmail = (config: GeorouteConfig): string =>
  `${config.serviceAccounts.vm}@${config.project}.iam.gserviceaccount.com`;

export function serviceAccounts(config: GeorouteConfig): Resource[] {
  const out: Resource[] = [];
  const bindings: Array<{ role: string; member: string }> = [];
  const roles = functionRoles();
  out.push({
    kind: 'serviceAccount',
    name: config.serviceAccounts.vm,
    id: resourceId('serviceAccount', config.serviceAccounts.vm),
    body: { accountId: config.serviceAccounts.vm, displayName: 'georoute GPU VMs' },
    owned: {},
    dependsOn: [],
  });
  for (const role of VM_ROLES) bindings.push({ role, member: `serviceAccount:${vmServiceAccountEmail(config)}` });
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
  out.push(
    ...topicPublishers(
      config,
      out.filter((r) => r.name !== config.serviceAccounts.vm).map((r) => r.id),
    ),
  );
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

/**
 * Per topic, who may publish (`roles/pubsub.publisher` on the topic, nothing project-wide): the
 * principals in `pubsub.publishers`, plus the functions' accounts on the topics they publish to —
 * capacity results (capacityRequest) and dead letters (all three).
 */
export function topicPublishers(config: GeorouteConfig, accountIds: string[]): Resource[] {
  const t = config.pubsub;
  const sa = (fn: keyof GeorouteConfig['serviceAccounts']) =>
    `serviceAccount:${config.serviceAccounts[fn]}@${config.project}.iam.gserviceaccount.com`;
  const members = new Map<string, Set<string>>();
  const grant = (topic: string, list: string[]) => {
    const set = members.get(topic) ?? new Set<string>();
    for (const m of list) set.add(m);
    members.set(topic, set);
  };
  grant(t.capacityRequests, t.publishers.capacityRequests);
  grant(t.healthAlerts, t.publishers.healthAlerts);
  grant(t.reconcile, t.publishers.reconcile);
  grant(t.capacityResults, [...t.publishers.capacityResults, sa('capacityRequest')]);
  grant(t.deadLetter, [...t.publishers.deadLetter, sa('capacityRequest'), sa('healthAlert'), sa('reconcile')]);
  // A topic nobody is configured to publish to gets no binding from georoute (publish then needs a
  // project-level grant, which bootstrap never makes).
  return [...members]
    .filter(([, set]) => set.size > 0)
    .map(([topic, set]) => {
      const publishers = [...set].sort();
      return {
        kind: 'pubsubTopicIam' as const,
        name: topic,
        id: resourceId('pubsubTopicIam', topic),
        body: { publishers },
        owned: { publishers },
        dependsOn: [resourceId('pubsubTopic', topic), ...accountIds],
      };
    });
}
