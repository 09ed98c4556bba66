import { startTwin, type Twin } from '../../helpers/twin';
import { addInstanceGroup, backendService, P, R } from './lb-helpers';

let w: Twin;
beforeAll(async () => {
  w = await startTwin({ timings: 'lb' });
});
afterAll(() => w.close());

const G = `https://www.googleapis.com/compute/v1/projects/${P}/global`;

async function urlMap(service: string, name = w.uniq('um')): Promise<string> {
  await w.done(await w.gcp.compute.urlMaps.insert({ project: P, urlMapResource: { name, defaultService: service } }));
  return `${G}/urlMaps/${name}`;
}

async function httpProxy(map: string, name = w.uniq('thp')): Promise<string> {
  await w.done(
    await w.gcp.compute.targetHttpProxies.insert({ project: P, targetHttpProxyResource: { name, urlMap: map } }),
  );
  return `${G}/targetHttpProxies/${name}`;
}

test('urlMap → targetHttpProxy → address → global forwarding rule, read back', async () => {
  const bs = await backendService(w);
  const map = await urlMap(bs.link);
  const proxy = await httpProxy(map);
  const addressName = w.uniq('addr');
  await w.done(await w.gcp.compute.globalAddresses.insert({ project: P, addressResource: { name: addressName } }));
  let [address] = await w.gcp.compute.globalAddresses.get({ project: P, address: addressName });
  expect(address.address).toMatch(/^203\.0\.113\.\d+$/);
  expect(address.status).toBe('RESERVED');

  const frName = w.uniq('fr');
  await w.done(
    await w.gcp.compute.globalForwardingRules.insert({
      project: P,
      forwardingRuleResource: { name: frName, target: proxy, IPAddress: address.selfLink, portRange: '80' },
    }),
  );
  const [fr] = await w.gcp.compute.globalForwardingRules.get({ project: P, forwardingRule: frName });
  expect(fr.IPAddress).toBe(address.address);
  expect(fr.portRange).toBe('80-80');
  expect(fr.loadBalancingScheme).toBe('EXTERNAL');
  expect(fr.target).toBe(proxy);
  [address] = await w.gcp.compute.globalAddresses.get({ project: P, address: addressName });
  expect(address.status).toBe('IN_USE');
  expect(address.users).toEqual([fr.selfLink]);

  // Everything in the chain is in use: deletes are refused.
  for (const del of [
    () => w.gcp.compute.globalAddresses.delete({ project: P, address: addressName }),
    () => w.gcp.compute.targetHttpProxies.delete({ project: P, targetHttpProxy: proxy.split('/').pop() as string }),
    () => w.gcp.compute.urlMaps.delete({ project: P, urlMap: map.split('/').pop() as string }),
    () => w.gcp.compute.backendServices.delete({ project: P, backendService: bs.name }),
  ]) {
    const err = await w.failure(del());
    expect(err.code).toBe(400);
    expect(err.message).toContain('resourceInUseByAnotherResource');
  }

  await w.done(await w.gcp.compute.globalForwardingRules.delete({ project: P, forwardingRule: frName }));
  [address] = await w.gcp.compute.globalAddresses.get({ project: P, address: addressName });
  expect(address.status).toBe('RESERVED');
  expect(address.users ?? []).toEqual([]);
  await w.done(await w.gcp.compute.globalAddresses.delete({ project: P, address: addressName }));
});

test('references must exist: urlMap default service, proxy urlMap, forwarding rule target → 404', async () => {
  const missingBs = await w.failure(
    w.gcp.compute.urlMaps.insert({
      project: P,
      urlMapResource: { name: w.uniq('um'), defaultService: `${G}/backendServices/nope` },
    }),
  );
  expect(missingBs.code).toBe(404);
  const missingMap = await w.failure(
    w.gcp.compute.targetHttpProxies.insert({
      project: P,
      targetHttpProxyResource: { name: w.uniq('thp'), urlMap: `${G}/urlMaps/nope` },
    }),
  );
  expect(missingMap.code).toBe(404);
  const noMap = await w.failure(
    w.gcp.compute.targetHttpProxies.insert({ project: P, targetHttpProxyResource: { name: w.uniq('thp') } }),
  );
  expect(noMap.code).toBe(400);
  const missingTarget = await w.failure(
    w.gcp.compute.globalForwardingRules.insert({
      project: P,
      forwardingRuleResource: { name: w.uniq('fr'), target: `${G}/targetHttpProxies/nope`, portRange: '80' },
    }),
  );
  expect(missingTarget.code).toBe(404);
  const noUrlMapDefault = await w.failure(
    w.gcp.compute.urlMaps.insert({ project: P, urlMapResource: { name: w.uniq('um') } }),
  );
  expect(noUrlMapDefault.code).toBe(400);
});

test('targetHttpsProxies need sslCertificates (not existence-checked)', async () => {
  const bs = await backendService(w);
  const map = await urlMap(bs.link);
  const none = await w.failure(
    w.gcp.compute.targetHttpsProxies.insert({
      project: P,
      targetHttpsProxyResource: { name: w.uniq('ths'), urlMap: map },
    }),
  );
  expect(none.code).toBe(400);
  expect(none.message).toContain('sslCertificates');
  const name = w.uniq('ths');
  await w.done(
    await w.gcp.compute.targetHttpsProxies.insert({
      project: P,
      targetHttpsProxyResource: { name, urlMap: map, sslCertificates: [`${G}/sslCertificates/cert`] },
    }),
  );
  const [proxy] = await w.gcp.compute.targetHttpsProxies.get({ project: P, targetHttpsProxy: name });
  expect(proxy.sslCertificates).toEqual([`${G}/sslCertificates/cert`]);
  // An ephemeral IP is assigned when IPAddress is omitted; the HTTPS port defaults to 443.
  const frName = w.uniq('fr');
  await w.done(
    await w.gcp.compute.globalForwardingRules.insert({
      project: P,
      forwardingRuleResource: { name: frName, target: proxy.selfLink },
    }),
  );
  const [fr] = await w.gcp.compute.globalForwardingRules.get({ project: P, forwardingRule: frName });
  expect(fr.IPAddress).toMatch(/^203\.0\.113\.\d+$/);
  expect(fr.portRange).toBe('443-443');
});

test('setUrlMap and setTarget; urlMap and forwarding rule patches need the current fingerprint', async () => {
  const a = await backendService(w);
  const b = await backendService(w);
  const mapA = await urlMap(a.link);
  const mapB = await urlMap(b.link);
  const proxyName = w.uniq('thp');
  const proxy = await httpProxy(mapA, proxyName);
  await w.done(
    await w.gcp.compute.targetHttpProxies.setUrlMap({
      project: P,
      targetHttpProxy: proxyName,
      urlMapReferenceResource: { urlMap: mapB },
    }),
  );
  expect((await w.gcp.compute.targetHttpProxies.get({ project: P, targetHttpProxy: proxyName }))[0].urlMap).toBe(mapB);
  // mapA is free now, mapB is not.
  await w.done(await w.gcp.compute.urlMaps.delete({ project: P, urlMap: mapA.split('/').pop() as string }));
  expect(
    (await w.failure(w.gcp.compute.urlMaps.delete({ project: P, urlMap: mapB.split('/').pop() as string }))).code,
  ).toBe(400);

  const mapName = mapB.split('/').pop() as string;
  const [um] = await w.gcp.compute.urlMaps.get({ project: P, urlMap: mapName });
  await w.done(
    await w.gcp.compute.urlMaps.patch({
      project: P,
      urlMap: mapName,
      urlMapResource: { fingerprint: um.fingerprint, defaultService: a.link },
    }),
  );
  const stale = await w.failure(
    w.gcp.compute.urlMaps.patch({
      project: P,
      urlMap: mapName,
      urlMapResource: { fingerprint: um.fingerprint, defaultService: b.link },
    }),
  );
  expect(stale.code).toBe(412);
  expect(stale.message).toContain('conditionNotMet');

  const frName = w.uniq('fr');
  await w.done(
    await w.gcp.compute.globalForwardingRules.insert({
      project: P,
      forwardingRuleResource: { name: frName, target: proxy, portRange: '8080' },
    }),
  );
  const proxy2 = await httpProxy(mapB);
  await w.done(
    await w.gcp.compute.globalForwardingRules.setTarget({
      project: P,
      forwardingRule: frName,
      targetReferenceResource: { target: proxy2 },
    }),
  );
  const [fr] = await w.gcp.compute.globalForwardingRules.get({ project: P, forwardingRule: frName });
  expect(fr.target).toBe(proxy2);
  const noFingerprint = await w.failure(
    w.gcp.compute.globalForwardingRules.patch({
      project: P,
      forwardingRule: frName,
      forwardingRuleResource: { description: 'x' },
    }),
  );
  expect(noFingerprint.code).toBe(412);
});

test('proxies and forwarding rules have no update (PUT → 405), addresses no patch', async () => {
  for (const path of ['targetHttpProxies/x', 'targetHttpsProxies/x', 'forwardingRules/x', 'addresses/x']) {
    const res = await fetch(`${w.emu.restUrl}/compute/v1/projects/${P}/global/${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(405);
  }
  const patch = await fetch(`${w.emu.restUrl}/compute/v1/projects/${P}/regions/${R}/addresses/x`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(patch.status).toBe(405);
});

test('regional: address from its own range, forwarding rule to a regional backend service', async () => {
  const hcName = w.uniq('rhc');
  await w.done(
    await w.gcp.compute.regionHealthChecks.insert({
      project: P,
      region: R,
      healthCheckResource: { name: hcName, type: 'TCP' },
    }),
  );
  const bsName = w.uniq('rbs');
  await w.done(
    await w.gcp.compute.regionBackendServices.insert({
      project: P,
      region: R,
      backendServiceResource: {
        name: bsName,
        loadBalancingScheme: 'EXTERNAL',
        protocol: 'TCP',
        healthChecks: [`projects/${P}/regions/${R}/healthChecks/${hcName}`],
        backends: [{ group: addInstanceGroup(w, w.uniq('ig')), balancingMode: 'CONNECTION' }],
      },
    }),
  );
  const addrs = [w.uniq('raddr'), w.uniq('raddr')];
  for (const name of addrs) {
    await w.done(await w.gcp.compute.addresses.insert({ project: P, region: R, addressResource: { name } }));
  }
  const ips = await Promise.all(
    addrs.map(async (address) => (await w.gcp.compute.addresses.get({ project: P, region: R, address }))[0].address),
  );
  for (const ip of ips) expect(ip).toMatch(/^(198\.51\.100|192\.0\.2)\.\d+$/);
  expect(new Set(ips).size).toBe(2);

  const frName = w.uniq('rfr');
  await w.done(
    await w.gcp.compute.forwardingRules.insert({
      project: P,
      region: R,
      forwardingRuleResource: {
        name: frName,
        IPAddress: ips[0],
        backendService: `regions/${R}/backendServices/${bsName}`,
        portRange: '80',
      },
    }),
  );
  const [address] = await w.gcp.compute.addresses.get({ project: P, region: R, address: addrs[0] as string });
  expect(address.status).toBe('IN_USE');
  expect(address.users?.[0]).toContain(`/regions/${R}/forwardingRules/${frName}`);
  expect(
    (await w.failure(w.gcp.compute.addresses.delete({ project: P, region: R, address: addrs[0] as string }))).code,
  ).toBe(400);
  expect(
    (await w.failure(w.gcp.compute.regionBackendServices.delete({ project: P, region: R, backendService: bsName })))
      .code,
  ).toBe(400);

  // A literal IP that is not a reserved address of the project → 400.
  const stranger = await w.failure(
    w.gcp.compute.forwardingRules.insert({
      project: P,
      region: R,
      forwardingRuleResource: {
        name: w.uniq('rfr'),
        IPAddress: '192.0.2.250',
        backendService: `regions/${R}/backendServices/${bsName}`,
      },
    }),
  );
  expect(stranger.code).toBe(400);
});
