import type { Emulator } from '../../emulator';
import { computeBodies } from '../../emulator/compute/schema';
import { templateRegex } from '../../emulator/core/proto-load';
import { monitoringDefinition } from '../../emulator/monitoring/schema';

/**
 * The method table of docs/EMULATOR.md, derived from what the twin serves (its router and its gRPC
 * services): each REST route is named by the Google RPC whose google.api.http binding it matches
 * (Compute, Monitoring: from the clients' protos), Cloud DNS and IAM by their REST reference names.
 */
export interface MethodRow {
  api: string;
  method: string;
  source: string;
  differences: string;
}

/** What the twin does differently from Google, per method (docs; keep it short). */
const DIFFERENCES: Record<string, string> = {
  'compute regionInstanceGroupManagers.listManagedInstances': 'PAGELESS by default; VMs simulated (no real instances)',
  'compute regionInstanceGroupManagers.resize': 'refused (412) while an autoscaler is not OFF',
  'compute backendServices.getHealth': "the health check's probes over the VM simulation (boot, driver, warm-up)",
  'compute regionBackendServices.getHealth': "the health check's probes over the VM simulation (boot, driver, warm-up)",
  'compute regionAutoscalers.patch': 'without ?autoscaler the body names it (Google undocumented)',
  'compute regionAutoscalers.update': 'without ?autoscaler the body names it (Google undocumented)',
  'compute targetHttpsProxies.setSslCertificates':
    'certificates are not existence-checked (sslCertificates not emulated)',
  'compute backendServices.insert': 'CUSTOM_METRICS / IN_FLIGHT balancing accepted without their own rules',
  'compute targetHttpsProxies.insert': 'certificates are not existence-checked (sslCertificates not emulated)',
  'compute regionTargetHttpsProxies.insert': 'certificates are not existence-checked (sslCertificates not emulated)',
  'compute regionTargetHttpsProxies.setSslCertificates':
    'certificates are not existence-checked (sslCertificates not emulated)',
  'compute networks.insert': 'auto mode creates no subnets (10.128.0.0/9 is kept free)',
  'compute firewalls.insert': 'stored and checked, not enforced on traffic',
  'compute routers.insert': 'NAT configuration stored and checked, not simulated',
  'compute subnetworks.insert': 'secondary ranges only checked for overlap',
  'compute healthChecks.insert': 'types GRPC / GRPC_WITH_TLS refused (not emulated)',
  'compute regionHealthChecks.insert': 'types GRPC / GRPC_WITH_TLS refused (not emulated)',
  'compute instanceTemplates.insert': 'only the properties the VM simulation reads are checked',
  'dns managedZones.create': 'dnssecConfig echoed, no keys generated; private-zone configs refused',
  'dns changes.create':
    'done after timings.dnsChangeMs, served dnsServeLagMs later; health checks of external endpoints only',
  'monitoring MetricService.ListTimeSeries': 'pageSize counts series, not points; a new series is as quick as a point',
  'monitoring MetricService.CreateTimeSeries': 'user-defined metrics only; 5 s spacing, 25 h past / 5 min future',
  'monitoring AlertPolicyService.CreateAlertPolicy': 'threshold and absence conditions evaluated; others stored only',
  'pubsub Publisher.ListTopicSnapshots': 'always empty (snapshots not emulated)',
  'pubsub Subscriber.ListSnapshots': 'always empty (snapshots not emulated)',
  'pubsub Subscriber.GetSnapshot': 'UNIMPLEMENTED',
  'pubsub Subscriber.CreateSnapshot': 'UNIMPLEMENTED',
  'pubsub Subscriber.UpdateSnapshot': 'UNIMPLEMENTED',
  'pubsub Subscriber.DeleteSnapshot': 'UNIMPLEMENTED',
  'pubsub Subscriber.Seek': 'UNIMPLEMENTED',
  'pubsub Subscriber.CreateSubscription':
    'push endpoints may be http://; BigQuery/GCS/Bigtable and filters UNIMPLEMENTED',
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
/** `/compute/v1/projects/:project/…/:name::verb` → a concrete path the route would serve. */
const samplePath = (pattern: string) => pattern.replace(/:(\w+)::(\w+)/g, 'x1:$2').replace(/:\w+/g, 'x1');

const DNS_NAMES: Array<[RegExp, string]> = [
  [/^(POST|GET) \/dns\/v1\/projects\/:project\/managedZones$/, 'managedZones'],
  [/^(GET|DELETE) \/dns\/v1\/projects\/:project\/managedZones\/:zone$/, 'managedZones'],
  [/\/rrsets(\/:name\/:type)?$/, 'resourceRecordSets'],
  [/\/changes(\/:changeId)?$/, 'changes'],
];

function restName(api: string, method: string, pattern: string): [string, string] | undefined {
  const path = samplePath(pattern);
  if (api === 'compute' || api === 'monitoring') {
    const def = api === 'compute' ? computeBodies.load() : monitoringDefinition();
    const rule = def.rules.find((r) => r.verb === method && templateRegex(r.template).test(path));
    if (!rule) return undefined;
    const [service, rpc] = rule.rpc.split('.').slice(-2) as [string, string];
    if (api === 'compute') {
      const name = `${lowerFirst(service)}.${lowerFirst(rpc)}`;
      return [
        name,
        `https://cloud.google.com/compute/docs/reference/rest/v1/${lowerFirst(service)}/${lowerFirst(rpc)}`,
      ];
    }
    const collection = rule.template
      .split(/[/{}=]/)
      .filter((s) => /^[a-zA-Z]+$/.test(s) && s !== 'projects' && s !== 'name')
      .pop();
    return [`${service}.${rpc}`, `https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.${collection}`];
  }
  if (api === 'dns') {
    const key = `${method} ${pattern}`;
    const resource = DNS_NAMES.find(([re]) => re.test(key))?.[1];
    if (!resource) return undefined;
    const item = /\/:(zone|type|changeId)$/.test(pattern);
    const verb = { GET: item ? 'get' : 'list', POST: 'create', PATCH: 'patch', DELETE: 'delete' }[method] ?? method;
    return [`${resource}.${verb}`, `https://cloud.google.com/dns/docs/reference/rest/v1/${resource}/${verb}`];
  }
  if (api === 'iam') {
    const custom = /::(\w+)$/.exec(pattern)?.[1];
    if (custom)
      return [`projects.${custom}`, `https://cloud.google.com/resource-manager/reference/rest/v1/projects/${custom}`];
    const verb = { POST: 'create', DELETE: 'delete', GET: pattern.endsWith(':account') ? 'get' : 'list' }[method];
    return [
      `projects.serviceAccounts.${verb}`,
      `https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/${verb}`,
    ];
  }
  return undefined;
}

/** Every method the twin serves, once, with its reference page and known differences. */
export function methodRows(emu: Emulator): { rows: MethodRow[]; unnamed: string[] } {
  const { rest, grpc } = emu.methods();
  const rows = new Map<string, MethodRow>();
  const unnamed: string[] = [];
  const add = (api: string, method: string, source: string) => {
    const differences = DIFFERENCES[`${api} ${method}`] ?? '';
    rows.set(`${api} ${method}`, { api, method, source, differences });
  };
  for (const r of rest) {
    if (r.api === 'control') continue;
    const named = restName(r.api, r.method, r.pattern);
    if (named) add(r.api, named[0], named[1]);
    else unnamed.push(`${r.method} ${r.pattern}`);
  }
  for (const m of grpc) {
    const [service, rpc] = m.split('/') as [string, string];
    const pkg = service.slice(0, service.lastIndexOf('.'));
    add(
      'pubsub',
      `${service.slice(pkg.length + 1)}.${rpc}`,
      `https://cloud.google.com/pubsub/docs/reference/rpc/${pkg}`,
    );
  }
  const sorted = [...rows.values()].sort((a, b) => `${a.api} ${a.method}`.localeCompare(`${b.api} ${b.method}`));
  return { rows: sorted, unnamed };
}

export function renderTable(rows: MethodRow[]): string {
  const lines = ['| api | method | covered | source | known differences |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const covered = r.differences === 'UNIMPLEMENTED' ? 'no' : r.differences ? 'partly' : 'yes';
    lines.push(`| ${r.api} | \`${r.method}\` | ${covered} | ${r.source} | ${r.differences || '—'} |`);
  }
  return lines.join('\n');
}
