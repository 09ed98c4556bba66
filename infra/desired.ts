import type { GeorouteConfig } from '../shared/config';
import { serviceAccounts } from './desired-iam';
import { alertPolicies, notificationChannel } from './desired-monitoring';
import { type Json, type Kind, type Resource, resourceId } from './types';

const COMPUTE = 'https://www.googleapis.com/compute/v1';

export const computeLink = (project: string, path: string): string => `${COMPUTE}/projects/${project}/${path}`;

/** The named port of the model server on every MIG, used by the global backend service. */
export const NAMED_PORT = 'http';

function res(
  kind: Kind,
  name: string,
  body: Json,
  owned: Json,
  deps: string[],
  region?: string,
  immutable?: string[],
): Resource {
  return {
    kind,
    name,
    region,
    id: resourceId(kind, name, region),
    body: { name, ...body },
    owned,
    dependsOn: deps,
    immutable,
  };
}

/** The managed zone's DNS name: configured, else the parent domain of the record. */
export function zoneDnsName(config: GeorouteConfig): string {
  return config.dns.zoneDnsName ?? config.dns.recordName.split('.').slice(1).join('.');
}

/**
 * Every resource of the base stack, in dependency order, computed from the config only (pure).
 * Global LB tier: health check → templates → MIGs → autoscalers → backend service → URL map → proxy →
 * address → forwarding rule. DNS tier: per region address → regional health check → regional backend
 * service → regional forwarding rule; managed zone → geo record. Then Pub/Sub, Monitoring, IAM.
 */
export function desiredResources(config: GeorouteConfig): Resource[] {
  const p = config.project;
  const lb = config.loadBalancer;
  const inst = config.instance;
  const link = (path: string) => computeLink(p, path);
  const out: Resource[] = [];

  const httpCheck = { port: inst.port, requestPath: inst.healthCheckPath };
  const hcOwned = { type: 'HTTP', httpHealthCheck: httpCheck, checkIntervalSec: 10, timeoutSec: 5 };
  const hc = res('healthCheck', lb.healthCheck, hcOwned, hcOwned, []);
  out.push(hc);
  if (config.dnsHealthCheck.enabled) {
    const d = config.dnsHealthCheck;
    const owned = {
      type: 'HTTP',
      httpHealthCheck: httpCheck,
      checkIntervalSec: d.checkIntervalSec,
      timeoutSec: 5,
      sourceRegions: d.sourceRegions,
    };
    out.push(res('healthCheck', d.name, owned, owned, []));
  }

  const migIds: string[] = [];
  for (const r of config.regions) {
    const tplProps = {
      machineType: r.machineType,
      guestAccelerators: [{ acceleratorType: r.accelerator.type, acceleratorCount: r.accelerator.count }],
      scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true },
      disks: [
        {
          boot: true,
          autoDelete: true,
          initializeParams: { sourceImage: inst.bootImage, diskSizeGb: String(inst.bootDiskSizeGb) },
        },
      ],
      networkInterfaces: [
        {
          network: inst.network.startsWith('global/') ? `projects/${p}/${inst.network}` : inst.network,
          accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
        },
      ],
      ...(inst.startupScript ? { metadata: { items: [{ key: 'startup-script', value: inst.startupScript }] } } : {}),
      labels: { 'georoute-region': r.name },
    };
    const tpl = res(
      'instanceTemplate',
      r.instanceTemplate,
      { properties: tplProps },
      { properties: tplProps },
      [],
      undefined,
      ['properties'],
    );
    out.push(tpl);

    const migOwned = {
      instanceTemplate: link(`global/instanceTemplates/${r.instanceTemplate}`),
      namedPorts: [{ name: NAMED_PORT, port: inst.port }],
      autoHealingPolicies: [
        {
          healthCheck: link(`global/healthChecks/${lb.healthCheck}`),
          initialDelaySec: inst.autohealingInitialDelaySec,
        },
      ],
      distributionPolicy: {
        zones: r.zones.map((z) => ({ zone: link(`zones/${z}`) })),
        targetShape: inst.targetShape,
      },
    };
    const mig = res(
      'regionInstanceGroupManager',
      r.mig,
      { baseInstanceName: r.mig, targetSize: r.minReplicas, ...migOwned },
      migOwned,
      [tpl.id, hc.id],
      r.name,
    );
    out.push(mig);
    migIds.push(mig.id);

    // minNumReplicas and scalingSchedules belong to the runtime (capacity floors): set at creation only.
    const policyOwned = {
      maxNumReplicas: r.maxReplicas,
      mode: 'ON',
      coolDownPeriodSec: inst.coolDownPeriodSec,
      loadBalancingUtilization: { utilizationTarget: config.guardrails.targetUtilization },
    };
    out.push(
      res(
        'regionAutoscaler',
        r.autoscaler,
        {
          target: link(`regions/${r.name}/instanceGroupManagers/${r.mig}`),
          autoscalingPolicy: { minNumReplicas: r.minReplicas, ...policyOwned },
        },
        { target: link(`regions/${r.name}/instanceGroupManagers/${r.mig}`), autoscalingPolicy: policyOwned },
        [mig.id],
        r.name,
        ['target'],
      ),
    );
  }

  // Global tier. capacityScaler is the runtime's (drains): set to 1 at creation, never compared.
  const rate = config.serving.balancingMode === 'RATE';
  const backends = config.regions.map((r) => ({
    group: link(`regions/${r.name}/instanceGroups/${r.mig}`),
    balancingMode: config.serving.balancingMode,
    ...(rate
      ? { maxRatePerInstance: r.replicaThroughputRps }
      : { maxUtilization: config.guardrails.targetUtilization }),
  }));
  const bsOwned = {
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    protocol: 'HTTP',
    portName: NAMED_PORT,
    timeoutSec: config.serving.timeoutSec,
    connectionDraining: { drainingTimeoutSec: config.serving.drainingTimeoutSec },
    healthChecks: [link(`global/healthChecks/${lb.healthCheck}`)],
    backends,
  };
  const bs = res(
    'backendService',
    lb.backendService,
    { ...bsOwned, backends: backends.map((b) => ({ ...b, capacityScaler: 1 })) },
    bsOwned,
    [hc.id, ...migIds],
    undefined,
    ['loadBalancingScheme'],
  );
  out.push(bs);
  const um = res(
    'urlMap',
    lb.urlMap,
    { defaultService: link(`global/backendServices/${lb.backendService}`) },
    { defaultService: link(`global/backendServices/${lb.backendService}`) },
    [bs.id],
  );
  out.push(um);
  const https = config.serving.sslCertificates.length > 0;
  const certs = config.serving.sslCertificates.map((c) => (c.includes('/') ? c : link(`global/sslCertificates/${c}`)));
  const proxyOwned: Json = {
    urlMap: link(`global/urlMaps/${lb.urlMap}`),
    ...(https ? { sslCertificates: certs } : {}),
  };
  const proxy = res(https ? 'targetHttpsProxy' : 'targetHttpProxy', lb.targetProxy, proxyOwned, proxyOwned, [um.id]);
  out.push(proxy);
  const ga = res('globalAddress', lb.globalAddress, { ipVersion: 'IPV4' }, {}, []);
  out.push(ga);
  const port = https ? '443-443' : '80-80';
  out.push(
    res(
      'globalForwardingRule',
      lb.forwardingRule,
      {
        target: link(`global/${https ? 'targetHttpsProxies' : 'targetHttpProxies'}/${lb.targetProxy}`),
        IPAddress: link(`global/addresses/${lb.globalAddress}`),
        IPProtocol: 'TCP',
        portRange: port,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
      },
      {
        target: link(`global/${https ? 'targetHttpsProxies' : 'targetHttpProxies'}/${lb.targetProxy}`),
        portRange: port,
      },
      [proxy.id, ga.id],
      undefined,
      ['portRange'],
    ),
  );

  // DNS tier: a regional external passthrough NLB per region, in front of the same MIG.
  const entryRuleIds: string[] = [];
  for (const r of config.regions) {
    const deps: string[] = [];
    if (!r.entry.ip) {
      const addr = res('address', r.entry.addressName, { addressType: 'EXTERNAL' }, {}, [], r.name);
      out.push(addr);
      deps.push(addr.id);
    }
    const rhcName = `${r.backend}-hc`;
    const rhcOwned = { type: 'HTTP', httpHealthCheck: httpCheck, checkIntervalSec: 10, timeoutSec: 5 };
    const rhc = res('regionHealthCheck', rhcName, rhcOwned, rhcOwned, [], r.name);
    out.push(rhc);
    const rbsOwned = {
      loadBalancingScheme: 'EXTERNAL',
      protocol: 'TCP',
      connectionDraining: { drainingTimeoutSec: config.serving.drainingTimeoutSec },
      healthChecks: [link(`regions/${r.name}/healthChecks/${rhcName}`)],
      backends: [{ group: link(`regions/${r.name}/instanceGroups/${r.mig}`), balancingMode: 'CONNECTION' }],
    };
    const rbs = res('regionBackendService', r.backend, rbsOwned, rbsOwned, [rhc.id, ...migIds], r.name, [
      'loadBalancingScheme',
    ]);
    out.push(rbs);
    const ruleName = `${r.backend}-fr`;
    const ruleBody = {
      backendService: link(`regions/${r.name}/backendServices/${r.backend}`),
      IPAddress: r.entry.ip ?? link(`regions/${r.name}/addresses/${r.entry.addressName}`),
      IPProtocol: 'TCP',
      portRange: `${inst.port}-${inst.port}`,
      loadBalancingScheme: 'EXTERNAL',
    };
    const rule = res(
      'forwardingRule',
      ruleName,
      ruleBody,
      { backendService: ruleBody.backendService, portRange: ruleBody.portRange },
      [rbs.id, ...deps],
      r.name,
      ['backendService', 'portRange'],
    );
    out.push(rule);
    entryRuleIds.push(rule.id);
  }

  const zone = res(
    'dnsManagedZone',
    config.dns.managedZone,
    { dnsName: zoneDnsName(config), description: 'georoute: geo-routed entry points' },
    { dnsName: zoneDnsName(config) },
    [],
    undefined,
    ['dnsName'],
  );
  out.push(zone);
  // The geo items belong to the runtime (DNS actuator): created once, never compared. TTL is ours.
  out.push(
    res('dnsRecordSet', config.dns.recordName, { type: 'A', ttl: config.dns.ttlSec }, { ttl: config.dns.ttlSec }, [
      zone.id,
      ga.id,
      ...entryRuleIds,
    ]),
  );

  const t = config.pubsub;
  const topicIds: string[] = [];
  for (const topic of [
    ...new Set([t.capacityRequests, t.capacityResults, t.healthAlerts, t.reconcile, t.deadLetter]),
  ]) {
    const r = res('pubsubTopic', topic, {}, {}, []);
    out.push(r);
    topicIds.push(r.id);
  }

  if (config.alerts.enabled) {
    const channel = notificationChannel(config);
    out.push(channel);
    out.push(...alertPolicies(config, channel.id));
  }
  out.push(...serviceAccounts(config));
  return out;
}
