import type { Twin } from '../../helpers/twin';
import { BASE, gpuTemplate } from '../compute/mig-helpers';

/**
 * Test fixture: one region's serving stack through the official Compute client — a one-VM regional MIG
 * behind an HTTP load balancer on port 80 (health check → backend service → URL map → target proxy →
 * forwarding rule on a reserved address). Global resources are used for the front end so the fixture
 * needs no VPC; a Cloud DNS probe follows the same chain as through a regional Application LB.
 */
export interface RegionLb {
  region: string;
  mig: string;
  ip: string;
}

const P = 'p1';
const link = (path: string) => `${BASE}projects/${P}/${path}`;

export async function regionLb(w: Twin, region: string): Promise<RegionLb> {
  const c = w.gcp.compute;
  const name = w.uniq(`lb-${region}`);
  const template = await gpuTemplate(w);
  await w.done(
    await c.regionInstanceGroupManagers.insert({
      project: P,
      region,
      instanceGroupManagerResource: {
        name,
        baseInstanceName: name.slice(0, 40),
        instanceTemplate: template,
        targetSize: 1,
        namedPorts: [{ name: 'http', port: 8080 }],
      },
    }),
  );
  await w.done(
    await c.healthChecks.insert({
      project: P,
      healthCheckResource: { name, type: 'HTTP', httpHealthCheck: { port: 8080, requestPath: '/health' } },
    }),
  );
  await w.done(
    await c.backendServices.insert({
      project: P,
      backendServiceResource: {
        name,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTP',
        healthChecks: [link(`global/healthChecks/${name}`)],
        backends: [
          {
            group: link(`regions/${region}/instanceGroups/${name}`),
            balancingMode: 'RATE',
            maxRatePerInstance: 4,
          },
        ],
      },
    }),
  );
  await w.done(
    await c.urlMaps.insert({
      project: P,
      urlMapResource: { name, defaultService: link(`global/backendServices/${name}`) },
    }),
  );
  await w.done(
    await c.targetHttpProxies.insert({
      project: P,
      targetHttpProxyResource: { name, urlMap: link(`global/urlMaps/${name}`) },
    }),
  );
  await w.done(await c.globalAddresses.insert({ project: P, addressResource: { name } }));
  await w.done(
    await c.globalForwardingRules.insert({
      project: P,
      forwardingRuleResource: {
        name,
        target: link(`global/targetHttpProxies/${name}`),
        IPAddress: link(`global/addresses/${name}`),
        portRange: '80',
        loadBalancingScheme: 'EXTERNAL_MANAGED',
      },
    }),
  );
  const [address] = await c.globalAddresses.get({ project: P, address: name });
  return { region, mig: name, ip: String(address.address) };
}

/** The health check Cloud DNS probes external endpoints with: global, 3 source regions, 30 s, HTTP :80. */
export async function dnsHealthCheck(w: Twin, overrides: Record<string, unknown> = {}): Promise<string> {
  const name = w.uniq('dns-hc');
  await w.done(
    await w.gcp.compute.healthChecks.insert({
      project: P,
      healthCheckResource: {
        name,
        type: 'HTTP',
        httpHealthCheck: { port: 80, requestPath: '/health' },
        checkIntervalSec: 30,
        timeoutSec: 5,
        sourceRegions: ['us-central1', 'europe-west1', 'asia-southeast1'],
        ...overrides,
      },
    }),
  );
  return link(`global/healthChecks/${name}`);
}
