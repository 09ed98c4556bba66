import { reasonOf } from '../../../shared/core/errors';
import { startTwin, type Twin } from '../../helpers/twin';

/**
 * The VPC tier through the official clients: networks, subnetworks (proxy-only rules of
 * https://cloud.google.com/load-balancing/docs/proxy-only-subnets), firewall rules, Cloud Routers with NAT.
 */
const P = 'p1';
const R = 'us-central1';
const BASE = `https://www.googleapis.com/compute/v1/projects/${P}`;
let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const c = () => w.gcp.compute;

async function network(mode: { autoCreateSubnetworks?: boolean } = { autoCreateSubnetworks: false }) {
  const name = w.uniq('net');
  await w.done(await c().networks.insert({ project: P, networkResource: { name, ...mode } }));
  return { name, link: `${BASE}/global/networks/${name}` };
}

async function subnet(net: string, ipCidrRange: string, extra: Record<string, unknown> = {}, region = R) {
  const name = w.uniq('sub');
  await w.done(
    await c().subnetworks.insert({
      project: P,
      region,
      subnetworkResource: { name, network: net, ipCidrRange, ...extra },
    }),
  );
  return { name, link: `${BASE}/regions/${region}/subnetworks/${name}` };
}

const insertSubnet = (net: string, ipCidrRange: string, extra: Record<string, unknown> = {}) =>
  c().subnetworks.insert({
    project: P,
    region: R,
    subnetworkResource: { name: w.uniq('sub'), network: net, ipCidrRange, ...extra },
  });

const PROXY = { purpose: 'REGIONAL_MANAGED_PROXY', role: 'ACTIVE' };

test('a custom mode network and its subnet, read back; the network lists its subnets and cannot go first', async () => {
  const net = await network();
  const sub = await subnet(net.link, '10.10.0.0/20', { privateIpGoogleAccess: true });
  const [n] = await c().networks.get({ project: P, network: net.name });
  expect(n.autoCreateSubnetworks).toBe(false);
  expect(n.mtu).toBe(1460);
  expect(n.subnetworks).toEqual([sub.link]);
  const [s] = await c().subnetworks.get({ project: P, region: R, subnetwork: sub.name });
  expect([s.network, s.ipCidrRange, s.purpose, s.privateIpGoogleAccess, s.gatewayAddress]).toEqual([
    net.link,
    '10.10.0.0/20',
    'PRIVATE',
    true,
    '10.10.0.1',
  ]);
  expect(s.fingerprint).toBeTruthy();
  const inUse = await w.failure(c().networks.delete({ project: P, network: net.name }));
  expect(inUse.code).toBe(400);
  expect(inUse.message).toContain(
    `The network resource 'projects/${P}/global/networks/${net.name}' is already being used by`,
  );
  await w.done(await c().subnetworks.delete({ project: P, region: R, subnetwork: sub.name }));
  await w.done(await c().networks.delete({ project: P, network: net.name }));
});

test('a subnet needs an existing network and a range that overlaps no other subnet of it', async () => {
  const missing = await w.failure(insertSubnet(`${BASE}/global/networks/nope`, '10.0.0.0/24'));
  expect(missing.code).toBe(404);
  const net = await network();
  await subnet(net.link, '10.20.0.0/16');
  // Google's wording: https://github.com/terraform-google-modules/terraform-google-network/issues/20
  const overlap = await w.failure(insertSubnet(net.link, '10.20.128.0/24'));
  expect(overlap.code).toBe(400);
  expect(overlap.message).toMatch(
    /Invalid value for field 'resource\.ipCidrRange': '10\.20\.128\.0\/24'\. Invalid IPCidrRange: 10\.20\.128\.0\/24 conflicts with existing subnetwork 'sub-[^']+' in region 'us-central1'\./,
  );
  const bad = await w.failure(insertSubnet(net.link, '10.20.0.1/33'));
  expect(bad.code).toBe(400);
  // Another network may use the same range.
  await subnet((await network()).link, '10.20.0.0/16');
});

test('auto mode networks keep 10.128.0.0/9; legacy networks (autoCreateSubnetworks unset) take no subnets', async () => {
  const auto = await network({ autoCreateSubnetworks: true });
  const err = await w.failure(insertSubnet(auto.link, '10.200.0.0/16'));
  // https://github.com/cloudfoundry/bosh-google-cpi-release/issues/238
  expect(err.message).toContain('Extended subnetworks in auto subnet mode networks cannot overlap with 10.128.0.0/9.');
  await subnet(auto.link, '10.100.0.0/16');
  const legacy = await network({});
  expect((await w.failure(insertSubnet(legacy.link, '10.0.0.0/24'))).code).toBe(400);
});

test('proxy-only subnets: role required, /26 at least, one ACTIVE and one BACKUP per region and network', async () => {
  const net = await network();
  // https://github.com/hashicorp/terraform-provider-google/issues/13438
  const noRole = await w.failure(insertSubnet(net.link, '10.129.0.0/23', { purpose: 'REGIONAL_MANAGED_PROXY' }));
  expect(noRole.message).toContain(
    "Invalid value for field 'resource.role': 'UNSPECIFIED_ROLE'. Subnetwork role must be specified when purpose set to REGIONAL_MANAGED_PROXY.",
  );
  expect((await w.failure(insertSubnet(net.link, '10.129.0.0/27', PROXY))).code).toBe(400);
  const backupFirst = await w.failure(insertSubnet(net.link, '10.129.8.0/23', { ...PROXY, role: 'BACKUP' }));
  expect(backupFirst.code).toBe(400);
  const active = await subnet(net.link, '10.129.0.0/23', PROXY);
  expect((await w.failure(insertSubnet(net.link, '10.129.2.0/23', PROXY))).code).toBe(400);
  // The same purpose in another region, or another network, has its own ACTIVE slot.
  await subnet(net.link, '10.129.4.0/23', PROXY, 'europe-west4');
  await subnet((await network()).link, '10.129.0.0/23', PROXY);
  const backup = await subnet(net.link, '10.129.2.0/23', { ...PROXY, role: 'BACKUP' });
  expect((await w.failure(insertSubnet(net.link, '10.129.6.0/23', { ...PROXY, role: 'BACKUP' }))).code).toBe(400);
  // Documented: "Cannot delete ACTIVE subnetwork because a BACKUP subnetwork exists."
  const del = await w.failure(c().subnetworks.delete({ project: P, region: R, subnetwork: active.name }));
  expect(del.code).toBe(400);
  expect(del.message).toContain(
    'Invalid resource usage: Cannot delete ACTIVE subnetwork because a BACKUP subnetwork exists.',
  );
  // Promoting the BACKUP makes the former ACTIVE the BACKUP.
  const [b] = await c().subnetworks.get({ project: P, region: R, subnetwork: backup.name });
  await w.done(
    await c().subnetworks.patch({
      project: P,
      region: R,
      subnetwork: backup.name,
      subnetworkResource: { role: 'ACTIVE', fingerprint: b.fingerprint },
    }),
  );
  const [a] = await c().subnetworks.get({ project: P, region: R, subnetwork: active.name });
  expect(a.role).toBe('BACKUP');
  // https://github.com/terraform-google-modules/terraform-google-network/issues/371
  const logs = await w.failure(insertSubnet(net.link, '10.129.10.0/23', { ...PROXY, logConfig: { enable: false } }));
  expect(logs.message).toContain('Invalid field set in subnetwork with purpose REGIONAL_MANAGED_PROXY.');
});

test('subnet patch wants the fingerprint and cannot change purpose or range; setPrivateIpGoogleAccess', async () => {
  const net = await network();
  const sub = await subnet(net.link, '10.30.0.0/24');
  const noPrint = await w.failure(
    c().subnetworks.patch({ project: P, region: R, subnetwork: sub.name, subnetworkResource: { description: 'x' } }),
  );
  expect(noPrint.code).toBe(412);
  expect(reasonOf(noPrint)).toBe('conditionNotMet');
  const [s] = await c().subnetworks.get({ project: P, region: R, subnetwork: sub.name });
  const purpose = await w.failure(
    c().subnetworks.patch({
      project: P,
      region: R,
      subnetwork: sub.name,
      subnetworkResource: { ...PROXY, fingerprint: s.fingerprint },
    }),
  );
  expect(purpose.code).toBe(400);
  await w.done(
    await c().subnetworks.setPrivateIpGoogleAccess({
      project: P,
      region: R,
      subnetwork: sub.name,
      subnetworksSetPrivateIpGoogleAccessRequestResource: { privateIpGoogleAccess: true },
    }),
  );
  const [after] = await c().subnetworks.get({ project: P, region: R, subnetwork: sub.name });
  expect(after.privateIpGoogleAccess).toBe(true);
  expect(after.fingerprint).not.toBe(s.fingerprint);
});

test('firewall rules: network defaults to default (must exist), Google defaults, ranges checked', async () => {
  const noDefault = await w.failure(
    c().firewalls.insert({
      project: P,
      firewallResource: { name: w.uniq('fw'), allowed: [{ IPProtocol: 'tcp', ports: ['80'] }] },
    }),
  );
  expect(noDefault.code).toBe(404);
  expect(noDefault.message).toContain(`projects/${P}/global/networks/default`);
  const net = await network();
  const name = w.uniq('fw');
  await w.done(
    await c().firewalls.insert({
      project: P,
      firewallResource: {
        name,
        network: net.link,
        sourceRanges: ['35.191.0.0/16', '130.211.0.0/22'],
        allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }],
        targetTags: ['serving'],
      },
    }),
  );
  const [fw] = await c().firewalls.get({ project: P, firewall: name });
  expect([fw.direction, fw.priority, fw.network]).toEqual(['INGRESS', 1000, net.link]);
  const bad = await w.failure(
    c().firewalls.insert({
      project: P,
      firewallResource: {
        name: w.uniq('fw'),
        network: net.link,
        sourceRanges: ['35.191.0.0/99'],
        allowed: [{ IPProtocol: 'tcp' }],
      },
    }),
  );
  expect(bad.code).toBe(400);
  const inUse = await w.failure(c().networks.delete({ project: P, network: net.name }));
  expect(inUse.message).toContain(`firewalls/${name}`);
});

test('a router NATs subnetworks that exist in its region and network; they stay while it does', async () => {
  const net = await network();
  const sub = await subnet(net.link, '10.40.0.0/24');
  const nat = (subnetworks: string[], name = 'nat') => ({
    name,
    natIpAllocateOption: 'AUTO_ONLY',
    sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
    subnetworks: subnetworks.map((s) => ({ name: s, sourceIpRangesToNat: ['ALL_IP_RANGES'] })),
  });
  const insertRouter = (nats: unknown[]) =>
    c().routers.insert({
      project: P,
      region: R,
      routerResource: { name: w.uniq('rt'), network: net.link, nats: nats as never },
    });
  const missing = await w.failure(insertRouter([nat([`${BASE}/regions/${R}/subnetworks/nope`])]));
  expect(missing.code).toBe(404);
  const elsewhere = await subnet(net.link, '10.41.0.0/24', {}, 'europe-west4');
  expect((await w.failure(insertRouter([nat([elsewhere.link])]))).code).toBe(400);
  const name = w.uniq('rt');
  await w.done(
    await c().routers.insert({
      project: P,
      region: R,
      routerResource: { name, network: net.link, nats: [nat([sub.link])] },
    }),
  );
  const [router] = await c().routers.get({ project: P, region: R, router: name });
  expect(router.nats?.[0]?.subnetworks?.[0]?.name).toBe(sub.link);
  const inUse = await w.failure(c().subnetworks.delete({ project: P, region: R, subnetwork: sub.name }));
  expect(inUse.code).toBe(400);
  expect(inUse.message).toContain(`routers/${name}`);
  // "there should not be any other Router.Nat section in any Router for this network in this region"
  const all = await w.failure(
    insertRouter([
      { name: 'all', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' },
    ]),
  );
  expect(all.code).toBe(400);
  await w.done(await c().routers.delete({ project: P, region: R, router: name }));
  await w.done(await c().subnetworks.delete({ project: P, region: R, subnetwork: sub.name }));
});
