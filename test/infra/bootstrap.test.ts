import type { GeorouteConfig } from '../../shared/config';
import { dnsRequest, type RrsetJson } from '../../shared/gcp/dns-rest';
import { IamClient } from '../../shared/gcp/iam-rest';
import { waitForOperation } from '../../shared/gcp/operations';
import { testConfig } from '../helpers/stack';
import { type InfraWorld, startInfraWorld } from './fixture';

const PROJECT = 'georoute-test';

/** Names in every collection bootstrap writes to, read through the official clients. */
async function inventory(w: InfraWorld, config: GeorouteConfig): Promise<Record<string, string[]>> {
  const c = w.gcp.compute;
  const project = config.project;
  const names = (list: Array<{ name?: string | null; displayName?: string | null }>) =>
    list.map((x) => String(x.name ?? x.displayName)).sort();
  const perRegion = async (fn: (region: string) => Promise<Array<{ name?: string | null }>>) =>
    names((await Promise.all(config.regions.map((r) => fn(r.name)))).flat());
  const iam = new IamClient({ projectId: project, emulator: w.emu.restUrl });
  const policy = await iam.getProjectPolicy();
  const [zones] = await w.gcp.dns.getZones();
  const [topics] = await w.gcp.pubsub.getTopics();
  const [channels] = await w.gcp.monitoring.notificationChannels.listNotificationChannels({
    name: `projects/${project}`,
  });
  const [policies] = await w.gcp.monitoring.alertPolicies.listAlertPolicies({ name: `projects/${project}` });
  return {
    networks: names((await c.networks.list({ project }))[0]),
    subnetworks: await perRegion(async (region) => (await c.subnetworks.list({ project, region }))[0]),
    firewalls: names((await c.firewalls.list({ project }))[0]),
    routers: await perRegion(async (region) => (await c.routers.list({ project, region }))[0]),
    healthChecks: names((await c.healthChecks.list({ project }))[0]),
    regionHealthChecks: await perRegion(async (region) => (await c.regionHealthChecks.list({ project, region }))[0]),
    instanceTemplates: names((await c.instanceTemplates.list({ project }))[0]),
    migs: await perRegion(async (region) => (await c.regionInstanceGroupManagers.list({ project, region }))[0]),
    autoscalers: await perRegion(async (region) => (await c.regionAutoscalers.list({ project, region }))[0]),
    backendServices: names((await c.backendServices.list({ project }))[0]),
    regionBackendServices: await perRegion(
      async (region) => (await c.regionBackendServices.list({ project, region }))[0],
    ),
    urlMaps: names((await c.urlMaps.list({ project }))[0]),
    regionUrlMaps: await perRegion(async (region) => (await c.regionUrlMaps.list({ project, region }))[0]),
    targetHttpProxies: names((await c.targetHttpProxies.list({ project }))[0]),
    regionTargetHttpProxies: await perRegion(
      async (region) => (await c.regionTargetHttpProxies.list({ project, region }))[0],
    ),
    globalAddresses: names((await c.globalAddresses.list({ project }))[0]),
    addresses: await perRegion(async (region) => (await c.addresses.list({ project, region }))[0]),
    globalForwardingRules: names((await c.globalForwardingRules.list({ project }))[0]),
    forwardingRules: await perRegion(async (region) => (await c.forwardingRules.list({ project, region }))[0]),
    dnsZones: zones.map((z) => z.name).sort(),
    topics: topics.map((t) => t.name.split('/').pop() as string).sort(),
    channels: names(channels),
    alertPolicies: names(policies),
    serviceAccounts: ((await iam.listServiceAccounts()).accounts ?? []).map((a) => a.email).sort(),
    iamMembers: (policy.bindings ?? []).flatMap((b) => b.members.map((m) => `${b.role}=${m}`)).sort(),
  };
}

describe('georoute bootstrap against the emulator', () => {
  let w: InfraWorld;
  const config = testConfig();
  const project = PROJECT;

  beforeAll(async () => {
    w = await startInfraWorld(PROJECT);
  });
  afterAll(async () => {
    await w.close();
  });
  beforeEach(() => {
    w.lines.length = 0;
  });

  test('on an empty project it creates every resource of both tiers, Pub/Sub, Monitoring and IAM', async () => {
    const result = await w.run(config);
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatch(/^Apply complete: \d+ created, 0 updated, 0 unchanged\.$/);
    const inv = await inventory(w, config);
    const regions = config.regions.map((r) => r.name);
    expect(inv.networks).toEqual(['georoute-vpc']);
    expect(inv.subnetworks).toEqual(regions.flatMap((r) => [`georoute-${r}`, `georoute-proxy-only-${r}`]).sort());
    expect(inv.firewalls).toEqual(['georoute-allow-lb', 'georoute-allow-proxy-only']);
    expect(inv.routers).toEqual(regions.map((r) => `georoute-nat-${r}`).sort());
    expect(inv.regionUrlMaps).toEqual(regions.map((r) => `georoute-be-${r}-um`).sort());
    expect(inv.regionTargetHttpProxies).toEqual(regions.map((r) => `georoute-be-${r}-proxy`).sort());
    expect(inv.healthChecks).toEqual(['georoute-health']);
    expect(inv.instanceTemplates).toEqual(regions.map((r) => `georoute-tpl-${r}`).sort());
    expect(inv.migs).toEqual(regions.map((r) => `georoute-mig-${r}`).sort());
    expect(inv.autoscalers).toEqual(regions.map((r) => `georoute-as-${r}`).sort());
    expect(inv.backendServices).toEqual(['georoute-backend']);
    expect(inv.regionBackendServices).toEqual(regions.map((r) => `georoute-be-${r}`).sort());
    expect(inv.regionHealthChecks).toEqual(regions.map((r) => `georoute-be-${r}-hc`).sort());
    expect(inv.urlMaps).toEqual(['georoute-url-map']);
    expect(inv.targetHttpProxies).toEqual(['georoute-proxy']);
    expect(inv.globalAddresses).toEqual(['georoute-anycast']);
    expect(inv.globalForwardingRules).toEqual(['georoute-forwarding-rule']);
    expect(inv.addresses).toEqual(regions.map((r) => `georoute-entry-${r}`).sort());
    expect(inv.forwardingRules).toEqual(regions.map((r) => `georoute-be-${r}-fr`).sort());
    expect(inv.dnsZones).toEqual(['georoute-test']);
    expect(inv.topics).toEqual([
      'georoute-capacity-requests',
      'georoute-capacity-results',
      'georoute-dead-letter',
      'georoute-health-alerts',
      'georoute-reconcile',
    ]);
    expect(inv.channels).toHaveLength(1);
    expect(inv.alertPolicies).toHaveLength(4 * regions.length);
    expect(inv.serviceAccounts).toEqual(
      ['georoute-fn-capacity', 'georoute-fn-health', 'georoute-fn-reconcile', 'georoute-vm'].map(
        (a) => `${a}@${project}.iam.gserviceaccount.com`,
      ),
    );
    expect(inv.iamMembers).toContain(
      `roles/dns.admin=serviceAccount:georoute-fn-health@${project}.iam.gserviceaccount.com`,
    );
    // capacityRequest rewrites the geo record too (its reconcile after placing): test/chaos/security.
    expect(inv.iamMembers).toContain(
      `roles/dns.admin=serviceAccount:georoute-fn-capacity@${project}.iam.gserviceaccount.com`,
    );
    // Publishing is granted per topic only, never project-wide.
    expect((inv.iamMembers ?? []).filter((m: string) => m.startsWith('roles/pubsub.'))).toEqual([]);

    // The fields that matter, read back through the official clients.
    const c = w.gcp.compute;
    const [bs] = await c.backendServices.get({ project, backendService: 'georoute-backend' });
    expect(bs.timeoutSec).toBe(600);
    expect(bs.connectionDraining?.drainingTimeoutSec).toBe(300);
    expect(
      bs.backends?.map((b) => [b.group?.split('/').pop(), b.balancingMode, b.maxRatePerInstance, b.capacityScaler]),
    ).toEqual(config.regions.map((r) => [r.mig, 'RATE', 4, 1]));
    const [tpl] = await c.instanceTemplates.get({ project, instanceTemplate: 'georoute-tpl-us-central1' });
    expect(tpl.properties?.scheduling?.onHostMaintenance).toBe('TERMINATE');
    // g2-standard-8 comes with its L4: no guestAccelerators (shared/config/gpu-catalog.ts).
    expect(tpl.properties?.machineType).toBe('g2-standard-8');
    expect(tpl.properties?.guestAccelerators ?? []).toEqual([]);
    expect(tpl.properties?.disks?.[0]?.initializeParams?.diskType).toBe('pd-balanced');
    const [mig] = await c.regionInstanceGroupManagers.get({
      project,
      region: 'us-east4',
      instanceGroupManager: 'georoute-mig-us-east4',
    });
    expect(mig.distributionPolicy?.targetShape).toBe('BALANCED');
    expect(mig.namedPorts).toEqual([expect.objectContaining({ name: 'http', port: 8080 })]);
    expect(mig.autoHealingPolicies?.[0]?.healthCheck).toMatch(/healthChecks\/georoute-health$/);
    const [as] = await c.regionAutoscalers.get({ project, region: 'us-east4', autoscaler: 'georoute-as-us-east4' });
    expect([as.autoscalingPolicy?.minNumReplicas, as.autoscalingPolicy?.maxNumReplicas]).toEqual([1, 6]);
    expect(as.autoscalingPolicy?.customMetricUtilizations?.[0]?.metric).toBe(config.autoscaling.metric);
    expect(as.autoscalingPolicy?.loadBalancingUtilization ?? null).toBeNull();
    const [rbs] = await c.regionBackendServices.get({
      project,
      region: 'europe-west4',
      backendService: 'georoute-be-europe-west4',
    });
    expect([rbs.loadBalancingScheme, rbs.protocol]).toEqual(['EXTERNAL_MANAGED', 'HTTP']);
    expect(rbs.backends?.[0]?.group).toMatch(/regions\/europe-west4\/instanceGroups\/georoute-mig-europe-west4$/);
    const [entry] = await c.addresses.get({ project, region: 'europe-west4', address: 'georoute-entry-europe-west4' });
    const [rule] = await c.forwardingRules.get({
      project,
      region: 'europe-west4',
      forwardingRule: 'georoute-be-europe-west4-fr',
    });
    expect(rule.IPAddress).toBe(entry.address);
    expect(rule.target).toMatch(/regions\/europe-west4\/targetHttpProxies\/georoute-be-europe-west4-proxy$/);
    expect(rule.network).toMatch(/global\/networks\/georoute-vpc$/);

    // The geo record: each location → the entry IP of its nearest region (EU stays in the EU).
    const record = await dnsRequest<RrsetJson>(w.gcp.dns, 'georoute-test', {
      method: 'GET',
      uri: '/rrsets/infer.example.com./A',
    });
    expect(record.ttl).toBe(30);
    const items = Object.fromEntries((record.routingPolicy?.geo?.items ?? []).map((i) => [i.location, i.rrdatas]));
    expect(items['europe-west4']).toEqual([entry.address]);
    expect(items['europe-west1']).toEqual([entry.address]);
    const [east] = await c.addresses.get({ project, region: 'us-east4', address: 'georoute-entry-us-east4' });
    expect(items['us-east4']).toEqual([east.address]);

    const [policies] = await w.gcp.monitoring.alertPolicies.listAlertPolicies({ name: `projects/${project}` });
    const [channel] = (
      await w.gcp.monitoring.notificationChannels.listNotificationChannels({ name: `projects/${project}` })
    )[0];
    expect(channel?.type).toBe('pubsub');
    expect(channel?.labels?.topic).toBe(`projects/${project}/topics/georoute-health-alerts`);
    const eu = policies.filter((p) => p.userLabels?.['georoute-region'] === 'europe-west4');
    expect(eu.map((p) => p.userLabels?.['georoute-alert']).sort()).toEqual([
      'backend-unhealthy',
      'error-ratio',
      'global-error-ratio',
      'latency',
    ]);
    expect(eu.every((p) => p.notificationChannels?.[0] === channel?.name)).toBe(true);

    expect(w.lines.some((l) => /waiting on operation operation-/.test(l))).toBe(true);
  });

  test('a second run makes zero writes on any API', async () => {
    const mark = await w.mark();
    const result = await w.run(config);
    expect(result.summary).toMatch(/^Apply complete: 0 created, 0 updated, \d+ unchanged\.$/);
    const { requests } = await w.control.requests({ since: mark });
    expect(new Set(requests.map((r) => r.api))).toEqual(new Set(['compute', 'dns', 'pubsub', 'monitoring', 'iam']));
    expect(requests.filter((r) => r.write)).toEqual([]);
  });

  test('--plan on a drifted project shows exactly the owned drift, writes nothing; apply puts it back', async () => {
    const c = w.gcp.compute;
    const wait = async (p: Promise<unknown>) => {
      await waitForOperation(w.gcp, (await p) as never);
    };
    const [bs] = await c.backendServices.get({ project, backendService: 'georoute-backend' });
    const backends = (bs.backends ?? []).map((b, i) => ({ ...b, capacityScaler: i === 0 ? 0.5 : b.capacityScaler }));
    // Owned drift (timeoutSec, health check interval) and runtime-owned changes (capacityScaler, floor).
    await wait(
      c.backendServices.patch({
        project,
        backendService: 'georoute-backend',
        backendServiceResource: { timeoutSec: 30, backends, fingerprint: bs.fingerprint },
      }),
    );
    await wait(
      c.healthChecks.patch({ project, healthCheck: 'georoute-health', healthCheckResource: { checkIntervalSec: 30 } }),
    );
    await wait(
      c.regionAutoscalers.patch({
        project,
        region: 'us-central1',
        autoscaler: 'georoute-as-us-central1',
        autoscalerResource: { autoscalingPolicy: { minNumReplicas: 3 } },
      }),
    );

    const mark = await w.mark();
    const plan = await w.run(config, 'plan');
    expect(await w.writesSince(mark)).toBe(0);
    expect(plan.exitCode).toBe(2);
    const updates = w.lines.filter((l) => l.startsWith('~ '));
    expect(updates).toEqual([
      '~ update healthCheck/global/georoute-health (checkIntervalSec: 30 → 10)',
      '~ update backendService/global/georoute-backend (timeoutSec: 30 → 600)',
    ]);
    expect(w.lines.filter((l) => l.startsWith('+ ') || l.startsWith('! '))).toEqual([]);
    expect(plan.summary).toMatch(/^Plan: 0 to create, 2 to update, \d+ unchanged\.$/);

    w.lines.length = 0;
    const applied = await w.run(config);
    expect(applied.summary).toMatch(/^Apply complete: 0 created, 2 updated, /);
    const [after] = await c.backendServices.get({ project, backendService: 'georoute-backend' });
    expect(after.timeoutSec).toBe(600);
    expect(after.backends?.map((b) => b.capacityScaler)).toEqual([0.5, 1, 1]); // the runtime's drain survives
    const [hc] = await c.healthChecks.get({ project, healthCheck: 'georoute-health' });
    expect(hc.checkIntervalSec).toBe(10);
    const [as] = await c.regionAutoscalers.get({
      project,
      region: 'us-central1',
      autoscaler: 'georoute-as-us-central1',
    });
    expect(as.autoscalingPolicy?.minNumReplicas).toBe(3); // the runtime's floor survives

    w.lines.length = 0;
    expect((await w.run(config, 'plan')).exitCode).toBe(0);
  });

  test('the geo record items belong to the runtime: only the TTL is put back', async () => {
    const record = await dnsRequest<RrsetJson>(w.gcp.dns, 'georoute-test', {
      method: 'GET',
      uri: '/rrsets/infer.example.com./A',
    });
    const items = [{ location: 'us-central1', rrdatas: ['203.0.113.250'] }];
    const changed = { name: record.name, type: 'A', ttl: 60, routingPolicy: { geo: { items } } };
    await dnsRequest(w.gcp.dns, 'georoute-test', {
      method: 'POST',
      uri: '/changes',
      json: { deletions: [record], additions: [changed] },
    });
    const result = await w.run(config);
    expect(w.lines).toContain('~ update dnsRecordSet/global/infer.example.com. (ttl: 60 → 30)');
    expect(result.exitCode).toBe(0);
    const after = await dnsRequest<RrsetJson>(w.gcp.dns, 'georoute-test', {
      method: 'GET',
      uri: '/rrsets/infer.example.com./A',
    });
    expect(after.ttl).toBe(30);
    expect(after.routingPolicy?.geo?.items.map((i) => [i.location, i.rrdatas])).toEqual([
      ['us-central1', ['203.0.113.250']],
    ]);
  });

  test('--destroy deletes what it created, in reverse order, and leaves the project empty', async () => {
    const iam = new IamClient({ projectId: project, emulator: w.emu.restUrl });
    // Someone else's binding must survive.
    const policy = await iam.getProjectPolicy();
    await iam.setProjectPolicy({
      ...policy,
      bindings: [...(policy.bindings ?? []), { role: 'roles/viewer', members: ['user:ops@example.com'] }],
    });
    const result = await w.run(config, 'destroy');
    expect(result.exitCode).toBe(0);
    const deletes = w.lines.filter((l) => l.startsWith('- delete '));
    expect(deletes[0]).toBe('- delete projectIamBindings/global/functions');
    // Reverse dependency order: users before what they use, the network last.
    expect(deletes.at(-1)).toBe('- delete network/global/georoute-vpc');
    const at = (id: string) => deletes.indexOf(`- delete ${id}`);
    for (const r of config.regions.map((x) => x.name)) {
      expect(at(`forwardingRule/${r}/georoute-be-${r}-fr`)).toBeLessThan(
        at(`regionTargetHttpProxy/${r}/georoute-be-${r}-proxy`),
      );
      expect(at(`forwardingRule/${r}/georoute-be-${r}-fr`)).toBeLessThan(
        at(`subnetwork/${r}/georoute-proxy-only-${r}`),
      );
      expect(at(`router/${r}/georoute-nat-${r}`)).toBeLessThan(at(`subnetwork/${r}/georoute-${r}`));
    }
    const inv = await inventory(w, config);
    expect(inv.iamMembers).toEqual(['roles/viewer=user:ops@example.com']);
    for (const [collection, names] of Object.entries(inv)) {
      if (collection !== 'iamMembers') expect({ collection, names }).toEqual({ collection, names: [] });
    }
    // Idempotent too.
    w.lines.length = 0;
    expect((await w.run(config, 'destroy')).summary).toMatch(/^Destroy complete: 0 deleted, \d+ already absent\.$/);
  });

  test('a run interrupted by a 503 names the resource and the error; a re-run completes', async () => {
    const other = testConfig({ project: 'georoute-resume' });
    await w.control.addFault({
      api: 'compute',
      method: 'POST',
      pathPattern: '/global/backendServices$',
      statuses: [503],
      count: 1,
    });
    const first = await w.run(other);
    expect(first.exitCode).toBe(1);
    expect(first.failure?.id).toBe('backendService/global/georoute-backend');
    expect(first.failure?.message).toMatch(/503/);
    expect(w.lines.join('\n')).toMatch(
      /Stopped at backendService\/global\/georoute-backend\. .*re-run the same command to resume/,
    );
    w.lines.length = 0;
    const second = await w.run(other);
    expect(second.exitCode).toBe(0);
    expect(w.lines.filter((l) => l.startsWith('+ create'))[0]).toBe('+ create backendService/global/georoute-backend');
    expect(w.lines).toContain('= unchanged healthCheck/global/georoute-health');
    const mark = await w.mark();
    await w.run(other);
    expect(await w.writesSince(mark)).toBe(0);
  });
});
