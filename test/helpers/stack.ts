import type { GeorouteConfig } from '../../shared/config';
import { parseConfig } from '../../shared/config';
import type { GcpClients } from '../../shared/gcp/clients';
import { dnsRequest } from '../../shared/gcp/dns-rest';
import { waitForOperation } from '../../shared/gcp/operations';

/** A small 3-region config for integration tests (the shipped example has 5). */
export function testConfig(overrides: Record<string, unknown> = {}): GeorouteConfig {
  const region = (name: string, zones: string[], residency: string) => ({
    name,
    zones,
    minReplicas: 1,
    maxReplicas: 6,
    replicaThroughputRps: 4,
    residency,
  });
  const result = parseConfig({
    project: 'georoute-test',
    regions: [
      region('us-central1', ['us-central1-a', 'us-central1-b'], 'us'),
      region('us-east4', ['us-east4-a', 'us-east4-c'], 'us'),
      region('europe-west4', ['europe-west4-a', 'europe-west4-b'], 'eu'),
    ],
    clientLocations: [
      { location: 'us-central1' },
      { location: 'us-east4' },
      { location: 'us-west1' },
      { location: 'europe-west4', residency: 'eu' },
      { location: 'europe-west1' },
    ],
    dns: { managedZone: 'georoute-test', recordName: 'infer.example.com.' },
    gpuBudget: { maxTotalAccelerators: 20 },
    guardrails: { minHealthyWindowSec: 60, recoveryStepSec: 60, scaleOutCooldownSec: 0, scaleInCooldownSec: 600 },
    ...overrides,
  });
  if (!result.ok) throw new Error(`test config invalid:\n${result.errors.join('\n')}`);
  return result.config;
}

const link = (project: string, path: string) => `https://www.googleapis.com/compute/v1/projects/${project}/${path}`;

/**
 * Creates, through the official clients, the resources reconcile works on: health check, per
 * region a GPU template, MIG, autoscaler and entry address, the global backend service with one
 * backend per MIG, the anycast address, and the Cloud DNS zone with a geo record pointing every
 * location at the anycast address. (The real bootstrap lives in infra/; this is the minimum.)
 */
export async function buildStack(gcp: GcpClients, config: GeorouteConfig): Promise<void> {
  const project = config.project;
  const c = gcp.compute;
  const wait = (op: unknown, what: string) => waitForOperation(gcp, op as never, { what });
  await wait(
    await c.healthChecks.insert({
      project,
      healthCheckResource: {
        name: config.loadBalancer.healthCheck,
        type: 'HTTP',
        httpHealthCheck: { port: 8080, requestPath: '/health' },
        checkIntervalSec: 5,
        timeoutSec: 5,
      },
    }),
    'health check',
  );
  await wait(
    await c.globalAddresses.insert({ project, addressResource: { name: config.loadBalancer.globalAddress } }),
    'anycast',
  );
  await Promise.all(
    config.regions.map(async (r) => {
      await wait(
        await c.instanceTemplates.insert({
          project,
          instanceTemplateResource: {
            name: r.instanceTemplate,
            properties: {
              machineType: r.machineType,
              guestAccelerators: [{ acceleratorType: r.accelerator.type, acceleratorCount: r.accelerator.count }],
              scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true },
              disks: [
                {
                  boot: true,
                  autoDelete: true,
                  initializeParams: { sourceImage: 'projects/cos-cloud/global/images/family/cos-stable' },
                },
              ],
              networkInterfaces: [{ network: 'global/networks/default' }],
            },
          },
        }),
        'template',
      );
      await wait(
        await c.regionInstanceGroupManagers.insert({
          project,
          region: r.name,
          instanceGroupManagerResource: {
            name: r.mig,
            baseInstanceName: r.mig,
            instanceTemplate: link(project, `global/instanceTemplates/${r.instanceTemplate}`),
            targetSize: r.minReplicas,
            distributionPolicy: {
              zones: r.zones.map((z) => ({ zone: link(project, `zones/${z}`) })),
              targetShape: 'BALANCED',
            },
            namedPorts: [{ name: 'http', port: 8080 }],
          },
        }),
        'mig',
      );
      await wait(
        await c.regionAutoscalers.insert({
          project,
          region: r.name,
          autoscalerResource: {
            name: r.autoscaler,
            target: link(project, `regions/${r.name}/instanceGroupManagers/${r.mig}`),
            autoscalingPolicy: { minNumReplicas: r.minReplicas, maxNumReplicas: r.maxReplicas, coolDownPeriodSec: 60 },
          },
        }),
        'autoscaler',
      );
      await wait(
        await c.addresses.insert({ project, region: r.name, addressResource: { name: r.entry.addressName } }),
        'entry address',
      );
    }),
  );
  await wait(
    await c.backendServices.insert({
      project,
      backendServiceResource: {
        name: config.loadBalancer.backendService,
        protocol: 'HTTP',
        portName: 'http',
        timeoutSec: 600,
        healthChecks: [link(project, `global/healthChecks/${config.loadBalancer.healthCheck}`)],
        backends: config.regions.map((r) => ({
          group: link(project, `regions/${r.name}/instanceGroups/${r.mig}`),
          balancingMode: 'UTILIZATION',
          capacityScaler: 1,
        })),
      },
    }),
    'backend service',
  );
  const [anycast] = await c.globalAddresses.get({ project, address: config.loadBalancer.globalAddress });
  const zoneDns = `${config.dns.recordName.split('.').slice(1).join('.')}`;
  await gcp.dns.createZone(config.dns.managedZone, { dnsName: zoneDns, description: 'georoute test zone' });
  await dnsRequest(gcp.dns, config.dns.managedZone, {
    method: 'POST',
    uri: '/rrsets',
    json: {
      name: config.dns.recordName,
      type: 'A',
      ttl: config.dns.ttlSec,
      routingPolicy: {
        geo: { items: config.clientLocations.map((l) => ({ location: l.location, rrdatas: [anycast.address] })) },
      },
    },
  });
}
