import { startTwin, type Twin } from '../../helpers/twin';
import { addInstanceGroup, backendService, P } from './lb-helpers';

/**
 * The regional external Application Load Balancer through the official clients
 * (https://cloud.google.com/load-balancing/docs/https): regionHealthCheck → regionBackendService →
 * regionUrlMap → regionTargetHttp(s)Proxy → regional forwarding rule in the VPC of an ACTIVE proxy-only subnet.
 */
const R = 'europe-west4';
const BASE = `https://www.googleapis.com/compute/v1/projects/${P}`;
const RB = `${BASE}/regions/${R}`;
const PROXY_ONLY_MISSING =
  'An active proxy-only subnetwork is required in the same region and VPC as the forwarding rule.';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());
const c = () => w.gcp.compute;

async function vpc(proxyOnlyRegion: string | null = R): Promise<string> {
  const name = w.uniq('net');
  await w.done(await c().networks.insert({ project: P, networkResource: { name, autoCreateSubnetworks: false } }));
  const link = `${BASE}/global/networks/${name}`;
  if (proxyOnlyRegion) {
    await w.done(
      await c().subnetworks.insert({
        project: P,
        region: proxyOnlyRegion,
        subnetworkResource: {
          name: w.uniq('proxy-only'),
          network: link,
          ipCidrRange: '10.129.0.0/23',
          purpose: 'REGIONAL_MANAGED_PROXY',
          role: 'ACTIVE',
        },
      }),
    );
  }
  return link;
}

/** regionHealthCheck → regionBackendService → regionUrlMap → regionTargetHttpProxy; returns the proxy link. */
async function chain(region = R): Promise<{ proxy: string; proxyName: string; map: string; bs: string }> {
  const hc = w.uniq('hc');
  await w.done(
    await c().regionHealthChecks.insert({
      project: P,
      region,
      healthCheckResource: { name: hc, type: 'HTTP', httpHealthCheck: { port: 8080 } },
    }),
  );
  const bs = w.uniq('bs');
  await w.done(
    await c().regionBackendServices.insert({
      project: P,
      region,
      backendServiceResource: {
        name: bs,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTP',
        healthChecks: [`${BASE}/regions/${region}/healthChecks/${hc}`],
        backends: [{ group: addInstanceGroup(w, w.uniq('ig'), region), balancingMode: 'RATE', maxRatePerInstance: 4 }],
      },
    }),
  );
  const map = w.uniq('um');
  await w.done(
    await c().regionUrlMaps.insert({
      project: P,
      region,
      urlMapResource: { name: map, defaultService: `${BASE}/regions/${region}/backendServices/${bs}` },
    }),
  );
  const proxyName = w.uniq('thp');
  await w.done(
    await c().regionTargetHttpProxies.insert({
      project: P,
      region,
      targetHttpProxyResource: { name: proxyName, urlMap: `${BASE}/regions/${region}/urlMaps/${map}` },
    }),
  );
  return { proxy: `${BASE}/regions/${region}/targetHttpProxies/${proxyName}`, proxyName, map, bs };
}

async function address(networkTier = 'PREMIUM'): Promise<string> {
  const name = w.uniq('addr');
  await w.done(await c().addresses.insert({ project: P, region: R, addressResource: { name, networkTier } }));
  return `${RB}/addresses/${name}`;
}

const insertRule = (rule: Record<string, unknown>) =>
  c().forwardingRules.insert({
    project: P,
    region: R,
    forwardingRuleResource: { name: w.uniq('fr'), loadBalancingScheme: 'EXTERNAL_MANAGED', portRange: '80', ...rule },
  });

test('the whole chain is created and read back; every link is in use while the next one uses it', async () => {
  const network = await vpc();
  const { proxy, proxyName, map } = await chain();
  const addr = await address();
  const name = w.uniq('fr');
  await w.done(
    await c().forwardingRules.insert({
      project: P,
      region: R,
      forwardingRuleResource: {
        name,
        target: proxy,
        IPAddress: addr,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        network,
        networkTier: 'PREMIUM',
        portRange: '80',
      },
    }),
  );
  const [rule] = await c().forwardingRules.get({ project: P, region: R, forwardingRule: name });
  expect([rule.loadBalancingScheme, rule.network, rule.networkTier, rule.target, rule.portRange]).toEqual([
    'EXTERNAL_MANAGED',
    network,
    'PREMIUM',
    proxy,
    '80-80',
  ]);
  const [p] = await c().regionTargetHttpProxies.get({ project: P, region: R, targetHttpProxy: proxyName });
  expect(p.urlMap).toBe(`${RB}/urlMaps/${map}`);
  for (const del of [
    () => c().regionTargetHttpProxies.delete({ project: P, region: R, targetHttpProxy: proxyName }),
    () => c().regionUrlMaps.delete({ project: P, region: R, urlMap: map }),
    () => c().networks.delete({ project: P, network: network.split('/').pop() as string }),
  ]) {
    const err = await w.failure(del());
    expect(err.code).toBe(400);
    expect(err.message).toContain('resourceInUseByAnotherResource');
  }
  await w.done(await c().forwardingRules.delete({ project: P, region: R, forwardingRule: name }));
  await w.done(await c().regionTargetHttpProxies.delete({ project: P, region: R, targetHttpProxy: proxyName }));
});

test('no network, or a VPC without an ACTIVE proxy-only subnet in the region → 400 as publicly reported', async () => {
  const { proxy } = await chain();
  const withoutNetwork = await w.failure(insertRule({ target: proxy }));
  expect(withoutNetwork.code).toBe(400);
  expect(withoutNetwork.message).toContain(
    `Invalid value for field 'resource.target': '${proxy}'. ${PROXY_ONLY_MISSING}`,
  );
  const bare = await vpc(null);
  expect((await w.failure(insertRule({ target: proxy, network: bare }))).message).toContain(PROXY_ONLY_MISSING);
  const elsewhere = await vpc('us-central1');
  expect((await w.failure(insertRule({ target: proxy, network: elsewhere }))).message).toContain(PROXY_ONLY_MISSING);
  await w.done(await insertRule({ target: proxy, network: await vpc() }));
});

test("the target is a regional proxy of the rule's region; the tier is the address's", async () => {
  const network = await vpc();
  const other = await chain('us-central1');
  const wrongRegion = await w.failure(insertRule({ target: other.proxy, network }));
  expect(wrongRegion.code).toBe(400);
  const global = await backendService(w);
  const gm = w.uniq('um');
  await w.done(await c().urlMaps.insert({ project: P, urlMapResource: { name: gm, defaultService: global.link } }));
  const gp = w.uniq('thp');
  await w.done(
    await c().targetHttpProxies.insert({
      project: P,
      targetHttpProxyResource: { name: gp, urlMap: `${BASE}/global/urlMaps/${gm}` },
    }),
  );
  expect((await w.failure(insertRule({ target: `${BASE}/global/targetHttpProxies/${gp}`, network }))).code).toBe(400);
  // "If IPAddress is specified, this value must be equal to the networkTier of the Address."
  const { proxy } = await chain();
  const tier = await w.failure(
    insertRule({ target: proxy, network, IPAddress: await address('PREMIUM'), networkTier: 'STANDARD' }),
  );
  expect(tier.code).toBe(400);
  expect(tier.message).toContain("'resource.networkTier'");
  await w.done(
    await insertRule({ target: proxy, network, IPAddress: await address('STANDARD'), networkTier: 'STANDARD' }),
  );
});

test('a regional URL map routes to its region only; a regional proxy takes a URL map of its region', async () => {
  const global = await backendService(w);
  const err = await w.failure(
    c().regionUrlMaps.insert({
      project: P,
      region: R,
      urlMapResource: { name: w.uniq('um'), defaultService: global.link },
    }),
  );
  expect(err.code).toBe(400);
  const gm = w.uniq('um');
  await w.done(await c().urlMaps.insert({ project: P, urlMapResource: { name: gm, defaultService: global.link } }));
  const proxyErr = await w.failure(
    c().regionTargetHttpProxies.insert({
      project: P,
      region: R,
      targetHttpProxyResource: { name: w.uniq('thp'), urlMap: `${BASE}/global/urlMaps/${gm}` },
    }),
  );
  expect(proxyErr.code).toBe(400);
});

test('regional proxies: setUrlMap (HTTP and HTTPS) and setSslCertificates, as the clients call them', async () => {
  const first = await chain();
  const second = await chain();
  await w.done(
    await c().regionTargetHttpProxies.setUrlMap({
      project: P,
      region: R,
      targetHttpProxy: first.proxyName,
      urlMapReferenceResource: { urlMap: `${RB}/urlMaps/${second.map}` },
    }),
  );
  const [p] = await c().regionTargetHttpProxies.get({ project: P, region: R, targetHttpProxy: first.proxyName });
  expect(p.urlMap).toBe(`${RB}/urlMaps/${second.map}`);

  const name = w.uniq('thps');
  await w.done(
    await c().regionTargetHttpsProxies.insert({
      project: P,
      region: R,
      targetHttpsProxyResource: {
        name,
        urlMap: `${RB}/urlMaps/${first.map}`,
        sslCertificates: [`${RB}/sslCertificates/a`],
      },
    }),
  );
  await w.done(
    await c().regionTargetHttpsProxies.setSslCertificates({
      project: P,
      region: R,
      targetHttpsProxy: name,
      regionTargetHttpsProxiesSetSslCertificatesRequestResource: { sslCertificates: [`${RB}/sslCertificates/b`] },
    }),
  );
  await w.done(
    await c().regionTargetHttpsProxies.setUrlMap({
      project: P,
      region: R,
      targetHttpsProxy: name,
      urlMapReferenceResource: { urlMap: `${RB}/urlMaps/${second.map}` },
    }),
  );
  const [hp] = await c().regionTargetHttpsProxies.get({ project: P, region: R, targetHttpsProxy: name });
  expect([hp.sslCertificates, hp.urlMap]).toEqual([[`${RB}/sslCertificates/b`], `${RB}/urlMaps/${second.map}`]);
});
