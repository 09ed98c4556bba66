import path from 'node:path';
import { GOOGLE_LB_RANGES } from '../../infra/desired-network';
import { type GeorouteConfig, loadConfig, regionalLb } from '../../shared/config';
import { waitForOperation } from '../../shared/gcp/operations';
import { type InfraWorld, startInfraWorld } from './fixture';

/**
 * examples/georoute.yaml bootstrapped on the twin, every rule of the production design read back through
 * the official clients (docs/ARCHITECTURE.md "One traffic path"; infra/desired*.ts). The twin refuses what
 * Google refuses, so a green run here means Google's rules held for the whole stack.
 */
let w: InfraWorld;
let config: GeorouteConfig;
let project: string;
const link = (p: string) => `https://www.googleapis.com/compute/v1/projects/${project}/${p}`;
const tail = (l: string | null | undefined) => String(l ?? '').slice(String(l ?? '').lastIndexOf('/') + 1);

beforeAll(async () => {
  const loaded = await loadConfig(path.resolve(__dirname, '../../examples/georoute.yaml'));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  config = loaded.config;
  project = config.project;
  w = await startInfraWorld(project);
  const result = await w.run(config);
  if (result.exitCode !== 0) throw new Error(`bootstrap failed: ${result.failure?.id}: ${result.failure?.message}`);
});
afterAll(() => w.close());

const c = () => w.gcp.compute;

test('GPU templates: pd-balanced, no live migration, no external IP, the region subnet, the serving tag and VM account', async () => {
  for (const r of config.regions) {
    const [t] = await c().instanceTemplates.get({ project, instanceTemplate: r.instanceTemplate });
    const p = t.properties;
    expect(p?.machineType).toBe(r.machineType);
    expect(p?.disks?.map((d) => [d.boot, d.initializeParams?.diskType])).toEqual([[true, 'pd-balanced']]);
    expect(p?.disks?.[0]?.initializeParams?.sourceImage).not.toMatch(/deeplearning-platform-release/);
    expect(p?.scheduling?.onHostMaintenance).toBe('TERMINATE');
    expect(p?.networkInterfaces).toHaveLength(1);
    const nic = p?.networkInterfaces?.[0];
    expect(nic?.accessConfigs ?? []).toEqual([]);
    expect(nic?.network).toBe(link(`global/networks/${config.network.name}`));
    expect(nic?.subnetwork).toBe(link(`regions/${r.name}/subnetworks/georoute-${r.name}`));
    expect(p?.tags?.items).toEqual(['georoute-serving']);
    expect(p?.serviceAccounts?.[0]?.email).toBe(`${config.serviceAccounts.vm}@${project}.iam.gserviceaccount.com`);
  }
});

test('MIGs: BALANCED with proactive redistribution off; autoscalers on the per-VM metric only', async () => {
  for (const r of config.regions) {
    const [mig] = await c().regionInstanceGroupManagers.get({ project, region: r.name, instanceGroupManager: r.mig });
    expect(mig.distributionPolicy?.targetShape).toBe('BALANCED');
    expect(mig.updatePolicy?.instanceRedistributionType).toBe('NONE');
    expect(mig.distributionPolicy?.zones?.map((z) => tail(z.zone))).toEqual(r.zones);
    const [as] = await c().regionAutoscalers.get({ project, region: r.name, autoscaler: r.autoscaler });
    const policy = as.autoscalingPolicy;
    expect(policy?.customMetricUtilizations).toEqual([
      expect.objectContaining({
        metric: config.autoscaling.metric,
        utilizationTarget: config.autoscaling.targetPerReplica,
        utilizationTargetType: 'GAUGE',
      }),
    ]);
    expect(policy?.loadBalancingUtilization ?? null).toBeNull();
    expect(policy?.maxNumReplicas).toBe(r.maxReplicas);
  }
});

test("each region's regional external ALB chain, in the VPC of its ACTIVE proxy-only subnet", async () => {
  const network = link(`global/networks/${config.network.name}`);
  for (const r of config.regions) {
    const n = regionalLb(r);
    const region = r.name;
    const [rule] = await c().forwardingRules.get({ project, region, forwardingRule: n.forwardingRule });
    expect([rule.loadBalancingScheme, rule.network, rule.networkTier, rule.portRange]).toEqual([
      'EXTERNAL_MANAGED',
      network,
      'PREMIUM',
      '80-80',
    ]);
    const [address] = await c().addresses.get({ project, region, address: r.entry.addressName as string });
    expect([rule.IPAddress, address.networkTier, address.status]).toEqual([address.address, 'PREMIUM', 'IN_USE']);
    expect(rule.target).toBe(link(`regions/${region}/targetHttpProxies/${n.proxy}`));
    const [proxy] = await c().regionTargetHttpProxies.get({ project, region, targetHttpProxy: n.proxy });
    expect(proxy.urlMap).toBe(link(`regions/${region}/urlMaps/${n.urlMap}`));
    const [map] = await c().regionUrlMaps.get({ project, region, urlMap: n.urlMap });
    expect(map.defaultService).toBe(link(`regions/${region}/backendServices/${n.backendService}`));
    const [bs] = await c().regionBackendServices.get({ project, region, backendService: n.backendService });
    expect([bs.loadBalancingScheme, bs.protocol, bs.healthChecks]).toEqual([
      'EXTERNAL_MANAGED',
      'HTTP',
      [link(`regions/${region}/healthChecks/${n.healthCheck}`)],
    ]);
    expect(bs.backends?.map((b) => [b.group, b.balancingMode, b.maxRatePerInstance])).toEqual([
      [link(`regions/${region}/instanceGroups/${r.mig}`), 'RATE', r.replicaThroughputRps],
    ]);
    const [subnets] = await c().subnetworks.list({ project, region });
    const proxyOnly = subnets.filter((s) => s.purpose === 'REGIONAL_MANAGED_PROXY');
    expect(proxyOnly.map((s) => [s.role, s.network, s.ipCidrRange])).toEqual([
      ['ACTIVE', network, r.subnet.proxyOnlyCidr],
    ]);
    const vm = subnets.find((s) => s.name === `georoute-${region}`);
    expect([vm?.ipCidrRange, vm?.privateIpGoogleAccess]).toEqual([r.subnet.cidr, true]);
  }
  // The global tier uses the same balancing mode on the same groups.
  const [global] = await c().backendServices.get({ project, backendService: config.loadBalancer.backendService });
  expect(new Set(global.backends?.map((b) => b.balancingMode))).toEqual(new Set(['RATE']));
});

test('firewall rules open the serving port only to Google health checks and the proxy-only ranges', async () => {
  const [rules] = await c().firewalls.list({ project });
  const allowed = new Set([...GOOGLE_LB_RANGES, ...config.regions.map((r) => r.subnet.proxyOnlyCidr as string)]);
  expect(GOOGLE_LB_RANGES).toEqual(['35.191.0.0/16', '130.211.0.0/22']);
  expect(rules.map((r) => r.name).sort()).toEqual(['georoute-allow-lb', 'georoute-allow-proxy-only']);
  for (const rule of rules) {
    expect(rule.direction).toBe('INGRESS');
    expect(rule.sourceRanges?.length).toBeGreaterThan(0);
    for (const range of rule.sourceRanges ?? []) {
      expect(range).not.toBe('0.0.0.0/0');
      expect(allowed.has(range)).toBe(true);
    }
    expect(rule.allowed).toEqual([
      expect.objectContaining({ IPProtocol: 'tcp', ports: [String(config.instance.port)] }),
    ]);
    expect(rule.targetTags).toEqual(['georoute-serving']);
  }
});

test('a Cloud Router with NAT for the VM subnet in every region', async () => {
  for (const r of config.regions) {
    const [router] = await c().routers.get({ project, region: r.name, router: `georoute-nat-${r.name}` });
    expect(router.network).toBe(link(`global/networks/${config.network.name}`));
    expect(router.nats?.map((n) => [n.natIpAllocateOption, n.subnetworks?.map((s) => s.name)])).toEqual([
      ['AUTO_ONLY', [link(`regions/${r.name}/subnetworks/georoute-${r.name}`)]],
    ]);
  }
});

test('alert policies watch each regional LB rule and carry georoute-region / georoute-alert labels', async () => {
  const [policies] = await w.gcp.monitoring.alertPolicies.listAlertPolicies({ name: `projects/${project}` });
  for (const r of config.regions) {
    const mine = policies.filter((p) => p.userLabels?.['georoute-region'] === r.name);
    const regional = mine.filter((p) => p.userLabels?.['georoute-alert'] !== 'global-error-ratio');
    expect(regional.map((p) => p.userLabels?.['georoute-alert']).sort()).toEqual([
      'backend-unhealthy',
      'error-ratio',
      'latency',
    ]);
    for (const p of regional) {
      const filter = String(p.conditions?.[0]?.conditionThreshold?.filter);
      expect(filter).toContain('resource.type = "http_external_regional_lb_rule"');
      expect(filter).toContain(`resource.label.forwarding_rule_name = "${regionalLb(r).forwardingRule}"`);
    }
  }
});

test('a second run plans nothing; drift of an owned subnet field goes back through setPrivateIpGoogleAccess', async () => {
  const mark = await w.mark();
  expect((await w.run(config, 'plan')).exitCode).toBe(0);
  expect(await w.writesSince(mark)).toBe(0);
  const region = config.regions[0]?.name as string;
  const subnetwork = `georoute-${region}`;
  await waitForOperation(
    w.gcp,
    await c().subnetworks.setPrivateIpGoogleAccess({
      project,
      region,
      subnetwork,
      subnetworksSetPrivateIpGoogleAccessRequestResource: { privateIpGoogleAccess: false },
    }),
  );
  const before = await w.mark();
  const applied = await w.run(config);
  expect(applied.summary).toMatch(/^Apply complete: 0 created, 1 updated, /);
  const writes = (await w.control.requests({ since: before })).requests.filter((q) => q.write);
  expect(writes.map((q) => `${q.method} ${q.path.replace(/^.*\/regions\//, '')}`)).toEqual([
    `POST ${region}/subnetworks/${subnetwork}/setPrivateIpGoogleAccess`,
  ]);
  const [s] = await c().subnetworks.get({ project, region, subnetwork });
  expect(s.privateIpGoogleAccess).toBe(true);
  expect((await w.run(config, 'plan')).exitCode).toBe(0);
});

test('--destroy removes everything, users before what they use', async () => {
  w.lines.length = 0;
  const result = await w.run(config, 'destroy');
  expect(result.exitCode).toBe(0);
  expect(w.lines.filter((l) => l.startsWith('- delete ')).at(-1)).toBe(
    `- delete network/global/${config.network.name}`,
  );
  expect((await c().networks.list({ project }))[0]).toEqual([]);
  for (const r of config.regions) {
    const region = r.name;
    expect((await c().subnetworks.list({ project, region }))[0]).toEqual([]);
    expect((await c().forwardingRules.list({ project, region }))[0]).toEqual([]);
    expect((await c().regionInstanceGroupManagers.list({ project, region }))[0]).toEqual([]);
  }
  expect((await c().instanceTemplates.list({ project }))[0]).toEqual([]);
  expect((await w.run(config, 'plan')).exitCode).toBe(2);
});
