import { httpStatusOf } from '../../shared/core/errors';
import { dnsRequest, type RrsetJson } from '../../shared/gcp/dns-rest';
import { initialGeoItems } from '../geo-items';
import { nativeGeoPolicy } from '../native';
import type { Adapter, AdapterContext, Json } from '../types';

const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

export const dnsZoneAdapter: Adapter = {
  async read(ctx, r) {
    try {
      const [meta] = await ctx.gcp.dns.zone(r.name).getMetadata();
      return plain(meta);
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  },
  async create(ctx, r) {
    ctx.progress(`  ${r.id}: creating managed zone ${String(r.body.dnsName)}`);
    await ctx.gcp.dns.createZone(r.name, { dnsName: String(r.body.dnsName), description: String(r.body.description) });
  },
  async update(_ctx, r) {
    throw new Error(`${r.id}: the DNS name of a managed zone cannot change`);
  },
  async remove(ctx, r) {
    await ctx.gcp.dns.zone(r.name).delete();
  },
};

async function entryIps(ctx: AdapterContext): Promise<{ ips: Record<string, string>; anycast?: string }> {
  const ips: Record<string, string> = {};
  for (const region of ctx.config.regions) {
    if (region.entry.ip) ips[region.name] = region.entry.ip;
    else {
      const [a] = await ctx.gcp.compute.addresses.get({
        project: ctx.project,
        region: region.name,
        address: region.entry.addressName,
      });
      if (a.address) ips[region.name] = a.address;
    }
  }
  const [g] = await ctx.gcp.compute.globalAddresses.get({
    project: ctx.project,
    address: ctx.config.loadBalancer.globalAddress,
  });
  return { ips, anycast: g.address ?? undefined };
}

/** The routing policy the native profile writes (infra/native.ts): the regions' entry IPs, health-checked. */
async function nativePolicy(ctx: AdapterContext, healthCheck: string): Promise<Json> {
  const { ips } = await entryIps(ctx);
  return nativeGeoPolicy(ctx.config, ips, healthCheck) as unknown as Json;
}

const isNative = (r: { body: Json }): r is { body: Json & { healthCheck: string } } =>
  r.body.profile === 'native' && typeof r.body.healthCheck === 'string';

/**
 * The geo record. georoute's profile: created with items once; afterwards only its TTL is the
 * bootstrap's. native: the whole health-checked policy is the bootstrap's (nothing else writes it).
 */
export const dnsRecordAdapter: Adapter = {
  async read(ctx, r) {
    let body: { rrsets?: RrsetJson[] };
    try {
      body = await dnsRequest<{ rrsets?: RrsetJson[] }>(ctx.gcp.dns, ctx.config.dns.managedZone, {
        method: 'GET',
        uri: '/rrsets',
        qs: { name: r.name, type: String(r.body.type) },
      });
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined; // no zone yet
      throw err;
    }
    const found = body.rrsets?.find((s) => s.name === r.name && s.type === r.body.type);
    return found ? plain(found) : undefined;
  },
  async create(ctx, r) {
    if (isNative(r)) {
      const routingPolicy = await nativePolicy(ctx, r.body.healthCheck);
      ctx.progress(`  ${r.id}: health-checked geo items (native) → ${JSON.stringify(routingPolicy)}`);
      await dnsRequest(ctx.gcp.dns, ctx.config.dns.managedZone, {
        method: 'POST',
        uri: '/rrsets',
        json: { name: r.name, type: r.body.type, ttl: r.body.ttl, routingPolicy },
      });
      return;
    }
    const { ips, anycast } = await entryIps(ctx);
    const items = initialGeoItems(ctx.config, ips, anycast);
    ctx.progress(`  ${r.id}: ${items.length} geo items → ${[...new Set(items.flatMap((i) => i.rrdatas))].join(', ')}`);
    await dnsRequest(ctx.gcp.dns, ctx.config.dns.managedZone, {
      method: 'POST',
      uri: '/rrsets',
      json: { name: r.name, type: r.body.type, ttl: r.body.ttl, routingPolicy: { geo: { items } } },
    });
  },
  async update(ctx, r, live) {
    // An atomic change whose deletion must match the live record exactly: never overwrites the runtime's items.
    const next = isNative(r)
      ? {
          name: live.name,
          type: live.type,
          ttl: r.owned.ttl,
          routingPolicy: await nativePolicy(ctx, r.body.healthCheck),
        }
      : { ...live, ttl: r.owned.ttl };
    const change = await dnsRequest<{ id: string }>(ctx.gcp.dns, ctx.config.dns.managedZone, {
      method: 'POST',
      uri: '/changes',
      json: { deletions: [live], additions: [next] },
    });
    ctx.progress(`  ${r.id}: ${isNative(r) ? 'policy and ttl written' : 'ttl changed'} (change ${change.id})`);
  },
  async remove(ctx, r) {
    await dnsRequest(ctx.gcp.dns, ctx.config.dns.managedZone, {
      method: 'DELETE',
      uri: `/rrsets/${encodeURIComponent(r.name)}/${String(r.body.type)}`,
    });
  },
};
