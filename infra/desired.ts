import type { GeorouteConfig } from '../shared/config';
import { bundledAccelerators } from '../shared/config/gpu-catalog';
import { serviceAccounts, vmServiceAccountEmail } from './desired-iam';
import { globalLbResources, NAMED_PORT, regionalLbResources } from './desired-lb';
import { alertPolicies, notificationChannel } from './desired-monitoring';
import { networkLink, networkResources, SERVING_TAG, subnetLink } from './desired-network';
import { nativeGeoPolicy, type Profile } from './native';
import { computeLink, res } from './resource';
import type { Resource } from './types';

export { NAMED_PORT } from './desired-lb';
export { computeLink } from './resource';

/** The managed zone's DNS name: configured, else the parent domain of the record. */
export function zoneDnsName(config: GeorouteConfig): string {
  return config.dns.zoneDnsName ?? config.dns.recordName.split('.').slice(1).join('.');
}

/**
 * Every resource of the base stack, computed from the config only (pure); the engine orders them by
 * their dependencies. VPC (subnets, proxy-only subnets, NAT, firewall) → health check → per region a GPU
 * template, MIG and autoscaler → the global Application Load Balancer and, per region, the regional
 * one DNS answers → Cloud DNS zone and geo record → Pub/Sub topics → Monitoring channel and alert
 * policies → service accounts and their roles.
 */
export function desiredResources(config: GeorouteConfig, profile: Profile = 'georoute'): Resource[] {
  const out: Resource[] = [];
  const iam = serviceAccounts(config);
  const vmAccount = iam.find((r) => r.kind === 'serviceAccount' && r.name === config.serviceAccounts.vm) as Resource;
  const net = networkResources(config);
  out.push(...net.resources);

  const lb = config.loadBalancer;
  const inst = config.instance;
  const hcOwned = {
    type: 'HTTP',
    httpHealthCheck: { port: inst.port, requestPath: inst.healthCheckPath },
    checkIntervalSec: 10,
    timeoutSec: 5,
  };
  const hc = res('healthCheck', lb.healthCheck, { body: hcOwned, owned: hcOwned });
  out.push(hc);
  // Only the native baseline's record is health-checked (docs/ARCHITECTURE.md): no unused probe otherwise.
  const dnsHc = profile === 'native' ? dnsHealthCheck(config) : undefined;
  if (dnsHc) out.push(dnsHc);

  const migIds: string[] = [];
  for (const r of config.regions) {
    const tpl = template(config, r, net.ids.subnets[r.name] as string, vmAccount.id);
    out.push(tpl);
    const mig = managedInstanceGroup(config, r, tpl.id, hc.id);
    out.push(mig);
    migIds.push(mig.id);
    out.push(autoscaler(config, r, mig.id));
  }
  out.push(...globalLbResources(config, hc.id, migIds));
  const regional = regionalLbResources(config, net.ids, migIds);
  out.push(...regional.resources);

  const zone = res('dnsManagedZone', config.dns.managedZone, {
    body: { dnsName: zoneDnsName(config), description: 'georoute: geo-routed entry points' },
    owned: { dnsName: zoneDnsName(config) },
    immutable: ['dnsName'],
  });
  out.push(zone);
  // georoute: the geo items belong to the runtime (DNS actuator): created once, never compared; TTL is
  // ours. native: nothing else writes the record, so its health check and fencing are owned too (the
  // items follow the entry IPs, read when it is written: infra/adapters/dns.ts).
  const healthCheck = dnsHc ? computeLink(config.project, `global/healthChecks/${dnsHc.name}`) : undefined;
  const native = profile === 'native' && healthCheck;
  out.push(
    res('dnsRecordSet', config.dns.recordName, {
      body: { type: 'A', ttl: config.dns.ttlSec, ...(native ? { profile, healthCheck } : {}) },
      owned: {
        ttl: config.dns.ttlSec,
        ...(native
          ? {
              routingPolicy: {
                healthCheck,
                geo: { enableFencing: nativeGeoPolicy(config, {}, healthCheck).geo.enableFencing },
              },
            }
          : {}),
      },
      dependsOn: [
        zone.id,
        ...regional.ruleIds,
        ...out.filter((x) => x.kind === 'globalForwardingRule').map((x) => x.id),
        ...(dnsHc ? [dnsHc.id] : []),
      ],
    }),
  );

  const t = config.pubsub;
  for (const topic of [...new Set([t.capacityRequests, t.capacityResults, t.healthAlerts, t.reconcile, t.deadLetter])])
    out.push(res('pubsubTopic', topic, { body: {} }));
  if (config.alerts.enabled) {
    const channel = notificationChannel(config);
    out.push(channel, ...alertPolicies(config, channel.id));
  }
  out.push(...iam);
  return out;
}

/**
 * A GPU VM Compute Engine boots: a disk type the machine series takes (an unset one means pd-standard,
 * which G2 refuses), no live migration (https://cloud.google.com/compute/docs/gpus/create-gpu-vm-accelerator-optimized),
 * no external IP (NAT for egress), the serving tag the firewall opens, and its own service account.
 */
function template(
  config: GeorouteConfig,
  r: GeorouteConfig['regions'][number],
  subnetId: string,
  vmAccountId: string,
): Resource {
  const inst = config.instance;
  const bundled = bundledAccelerators(r.machineType);
  const props = {
    machineType: r.machineType,
    // Accelerator-optimized machine types come with their GPUs; others name them.
    ...(bundled
      ? {}
      : { guestAccelerators: [{ acceleratorType: r.accelerator.type, acceleratorCount: r.accelerator.count }] }),
    scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true },
    disks: [
      {
        boot: true,
        autoDelete: true,
        type: 'PERSISTENT',
        initializeParams: {
          sourceImage: inst.bootImage,
          diskSizeGb: String(inst.bootDiskSizeGb),
          diskType: inst.bootDiskType,
        },
      },
    ],
    networkInterfaces: [{ network: networkLink(config), subnetwork: subnetLink(config, r.name) }],
    serviceAccounts: [
      { email: vmServiceAccountEmail(config), scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ],
    tags: { items: [SERVING_TAG] },
    ...(inst.startupScript ? { metadata: { items: [{ key: 'startup-script', value: inst.startupScript }] } } : {}),
    labels: { 'georoute-region': r.name },
  };
  return res('instanceTemplate', r.instanceTemplate, {
    body: { properties: props },
    owned: { properties: props },
    dependsOn: [subnetId, vmAccountId],
    immutable: ['properties'],
  });
}

function managedInstanceGroup(
  config: GeorouteConfig,
  r: GeorouteConfig['regions'][number],
  tplId: string,
  hcId: string,
): Resource {
  const inst = config.instance;
  const link = (path: string) => computeLink(config.project, path);
  const owned = {
    instanceTemplate: link(`global/instanceTemplates/${r.instanceTemplate}`),
    namedPorts: [{ name: NAMED_PORT, port: inst.port }],
    autoHealingPolicies: [
      {
        healthCheck: link(`global/healthChecks/${config.loadBalancer.healthCheck}`),
        initialDelaySec: inst.autohealingInitialDelaySec,
      },
    ],
    distributionPolicy: { zones: r.zones.map((z) => ({ zone: link(`zones/${z}`) })), targetShape: inst.targetShape },
    // BALANCED / ANY_SINGLE_ZONE require proactive redistribution off; georoute turns it off for every
    // shape but EVEN: https://cloud.google.com/compute/docs/instance-groups/distributing-instances-with-regional-instance-groups
    updatePolicy: {
      type: 'OPPORTUNISTIC',
      instanceRedistributionType: inst.targetShape === 'EVEN' ? 'PROACTIVE' : 'NONE',
    },
  };
  return res('regionInstanceGroupManager', r.mig, {
    body: { baseInstanceName: r.mig, targetSize: r.minReplicas, ...owned },
    owned,
    dependsOn: [tplId, hcId],
    region: r.name,
  });
}

/**
 * minNumReplicas and scalingSchedules belong to the runtime (capacity floors): set at creation only.
 * Scaling signal: a per-VM Monitoring metric (config `autoscaling`, shared/config/infra-schema.ts), not
 * load-balancing utilization, because the MIG backs two load balancers.
 */
function autoscaler(config: GeorouteConfig, r: GeorouteConfig['regions'][number], migId: string): Resource {
  const target = computeLink(config.project, `regions/${r.name}/instanceGroupManagers/${r.mig}`);
  const a = config.autoscaling;
  const policyOwned = {
    maxNumReplicas: r.maxReplicas,
    mode: 'ON',
    coolDownPeriodSec: config.instance.coolDownPeriodSec,
    customMetricUtilizations: [
      { metric: a.metric, utilizationTarget: a.targetPerReplica, utilizationTargetType: a.utilizationTargetType },
    ],
  };
  return res('regionAutoscaler', r.autoscaler, {
    body: { target, autoscalingPolicy: { minNumReplicas: r.minReplicas, ...policyOwned } },
    owned: { target, autoscalingPolicy: policyOwned },
    dependsOn: [migId],
    region: r.name,
    immutable: ['target'],
  });
}

/**
 * The health check Cloud DNS probes the regional load balancers' IPs with: global, exactly 3
 * `sourceRegions`, interval ≥ 30 s (https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks,
 * `sourceRegions`), on the port and protocol the load balancers serve so that its request path reaches
 * the model server's health path through the load balancer (a TCP check would pass while the proxy
 * accepts connections, backends or not). Thresholds: Google's defaults (2 / 2), written out.
 */
function dnsHealthCheck(config: GeorouteConfig): Resource {
  const d = config.dnsHealthCheck;
  const https = config.serving.sslCertificates.length > 0;
  const probe = { port: https ? 443 : 80, requestPath: config.instance.healthCheckPath };
  const owned = {
    type: https ? 'HTTPS' : 'HTTP',
    [https ? 'httpsHealthCheck' : 'httpHealthCheck']: probe,
    checkIntervalSec: d.checkIntervalSec,
    timeoutSec: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    sourceRegions: d.sourceRegions,
  };
  return res('healthCheck', d.name, { body: owned, owned });
}
