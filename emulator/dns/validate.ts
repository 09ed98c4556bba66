import { ApiError, invalid } from '../core/api-error';
import { clone } from '../core/merge-patch';
import { isGcpRegion } from './regions';
import { ipFitsType, RECORD_TYPES, validRrdata } from './rrdata';
import type { GeoPolicy, HealthCheckTargets, RoutingPolicy, RRSet } from './types';

/**
 * Cloud DNS's semantic rules for a record set. Field names and JSON types are already checked:
 * bodies are parsed against ResourceRecordSet (dns/schema.ts) before they get here. Rules from
 * https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets and
 * https://cloud.google.com/dns/docs/routing-policies-overview.
 */
type Json = Record<string, unknown>;

/** The `kind` values Cloud DNS puts on routing-policy objects it returns. */
const KIND = {
  policy: 'dns#rRSetRoutingPolicy',
  geo: 'dns#rRSetRoutingPolicyGeoPolicy',
  geoItem: 'dns#rRSetRoutingPolicyGeoPolicyGeoPolicyItem',
  wrr: 'dns#rRSetRoutingPolicyWrrPolicy',
  wrrItem: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem',
  primaryBackup: 'dns#rRSetRoutingPolicyPrimaryBackupPolicy',
} as const;

const bad = (where: string, value: unknown): ApiError =>
  invalid(`Invalid value for '${where}': '${typeof value === 'string' ? value : JSON.stringify(value)}'`);

/** DNS names compare case-insensitively (RFC 4343); the trailing dot is significant in the API. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether `name` is the zone apex or below it. */
export function inZone(name: string, dnsName: string): boolean {
  const n = name.toLowerCase();
  const z = dnsName.toLowerCase();
  return n === z || n.endsWith(`.${z}`);
}

/**
 * Checks one parsed record set (`where` is its location in the request, e.g.
 * `entity.change.additions[0]`) and returns the stored form. Throws 400 as Google does.
 */
export function validateRRSet(body: Json, where: string, dnsName: string): RRSet {
  const { name, type, ttl } = body as { name?: string; type?: string; ttl?: number };
  if (!name) throw required(`${where}.name`);
  if (!name.endsWith('.') || !inZone(name, dnsName)) throw bad(`${where}.name`, name);
  if (!type) throw required(`${where}.type`);
  if (!RECORD_TYPES.has(type)) throw bad(`${where}.type`, type);
  if (ttl === undefined || ttl === null) throw required(`${where}.ttl`);
  if (ttl < 0) throw bad(`${where}.ttl`, ttl);

  const rrdatas = (body.rrdatas as string[] | undefined) ?? [];
  const sigs = (body.signatureRrdatas as string[] | undefined) ?? [];
  const policy = body.routingPolicy as Json | undefined;
  if ((rrdatas.length > 0 || sigs.length > 0) && policy) {
    throw invalid(
      `The resource record set '${where}' is invalid because it has both rrdatas and a routing policy; ` +
        'specify either rrdata (static resolution) or routingPolicy (dynamic resolution)',
    );
  }
  const out: RRSet = { kind: 'dns#resourceRecordSet', name, type, ttl };
  if (policy) {
    out.routingPolicy = validatePolicy(policy, `${where}.routingPolicy`, type);
    return out;
  }
  if (rrdatas.length === 0) throw bad(`${where}.rrdata`, '<empty>');
  rrdatas.forEach((d, i) => {
    if (!validRrdata(type, d)) throw bad(`${where}.rrdata[${i}]`, d);
  });
  if (type === 'CNAME' && rrdatas.length > 1) {
    throw invalid(
      `The resource record set '${where}' is invalid because a CNAME resource record set can contain only one rrdata`,
    );
  }
  if (new Set(rrdatas).size !== rrdatas.length) throw bad(`${where}.rrdata`, rrdatas);
  out.rrdatas = [...rrdatas];
  if (sigs.length > 0) out.signatureRrdatas = [...sigs];
  return out;
}

interface PolicyCtx {
  type: string;
  healthCheck: string | undefined;
}

function validatePolicy(policy: Json, where: string, type: string): RoutingPolicy {
  const kinds = (['geo', 'wrr', 'primaryBackup'] as const).filter((k) => policy[k] !== undefined);
  if (kinds.length === 0) throw required(`${where}.routingData`);
  if (kinds.length > 1) {
    throw invalid(
      `Invalid value for '${where}': only one of geo, wrr or primaryBackup may be set, got ${kinds.join(', ')}`,
    );
  }
  const ctx: PolicyCtx = { type, healthCheck: policy.healthCheck as string | undefined };
  const out: RoutingPolicy = { kind: KIND.policy };
  if (ctx.healthCheck !== undefined) out.healthCheck = ctx.healthCheck;
  if (policy.geo) out.geo = validateGeo(policy.geo as Json, `${where}.geo`, ctx);
  if (policy.wrr) {
    const items = nonEmpty((policy.wrr as Json).items, `${where}.wrr.items`);
    const weights: number[] = [];
    out.wrr = {
      kind: KIND.wrr,
      items: items.map((item, i) => {
        const at = `${where}.wrr.items[${i}]`;
        const w = (item.weight as number | undefined) ?? 0;
        if (w < 0) throw bad(`${at}.weight`, w);
        weights.push(w);
        return { kind: KIND.wrrItem, weight: w, ...targets(item, at, ctx) };
      }),
    };
    if (weights.every((w) => w === 0)) throw invalid(`Invalid value for '${where}.wrr.items': all weights are 0`);
  }
  if (policy.primaryBackup) {
    const pb = policy.primaryBackup as Json;
    const at = `${where}.primaryBackup`;
    if (!pb.primaryTargets) throw required(`${at}.primaryTargets`);
    if (!pb.backupGeoTargets) throw required(`${at}.backupGeoTargets`);
    requireAddressType(type, `${at}.primaryTargets`);
    const primaryTargets = validateTargets(pb.primaryTargets as Json, `${at}.primaryTargets`, ctx);
    const backupGeoTargets = validateGeo(pb.backupGeoTargets as Json, `${at}.backupGeoTargets`, ctx);
    const trickle = pb.trickleTraffic as number | undefined;
    if (trickle !== undefined && !(trickle >= 0 && trickle <= 1)) throw bad(`${at}.trickleTraffic`, trickle);
    out.primaryBackup = { kind: KIND.primaryBackup, primaryTargets, backupGeoTargets };
    if (trickle !== undefined) out.primaryBackup.trickleTraffic = trickle;
  }
  return out;
}

function validateGeo(geo: Json, where: string, ctx: PolicyCtx): GeoPolicy {
  const seen = new Map<string, number>();
  const out: GeoPolicy = {
    kind: KIND.geo,
    items: nonEmpty(geo.items, `${where}.items`).map((item, i) => {
      const at = `${where}.items[${i}]`;
      const loc = item.location as string | undefined;
      if (!loc) throw required(`${at}.location`);
      if (!isGcpRegion(loc)) throw bad(`${at}.location`, loc);
      const first = seen.get(loc);
      if (first !== undefined) {
        throw invalid(`Invalid value for '${at}.location': '${loc}' is already used by '${where}.items[${first}]'`);
      }
      seen.set(loc, i);
      return { kind: KIND.geoItem, location: loc, ...targets(item, at, ctx) };
    }),
  };
  if (geo.enableFencing !== undefined) out.enableFencing = geo.enableFencing as boolean;
  return out;
}

/** An item's answer: rrdatas and/or health-checked targets (A/AAAA only). */
function targets(item: Json, at: string, ctx: PolicyCtx) {
  const out: { rrdatas?: string[]; signatureRrdatas?: string[]; healthCheckedTargets?: HealthCheckTargets } = {};
  const rrdatas = (item.rrdatas as string[] | undefined) ?? [];
  rrdatas.forEach((d, i) => {
    if (!validRrdata(ctx.type, d)) throw bad(`${at}.rrdatas[${i}]`, d);
  });
  if (rrdatas.length > 0) out.rrdatas = [...rrdatas];
  const sigs = (item.signatureRrdatas as string[] | undefined) ?? [];
  if (sigs.length > 0) out.signatureRrdatas = [...sigs];
  if (item.healthCheckedTargets) {
    requireAddressType(ctx.type, `${at}.healthCheckedTargets`);
    out.healthCheckedTargets = validateTargets(item.healthCheckedTargets as Json, `${at}.healthCheckedTargets`, ctx);
  }
  if (!out.rrdatas && !out.healthCheckedTargets) throw bad(`${at}.rrdatas`, '<empty>');
  return out;
}

function requireAddressType(type: string, at: string): void {
  if (type !== 'A' && type !== 'AAAA') {
    throw invalid(
      `Invalid value for '${at}': health-checked targets are supported only for A and AAAA records, not ${type}`,
    );
  }
}

function validateTargets(value: Json, at: string, ctx: PolicyCtx): HealthCheckTargets {
  const ilbs = (value.internalLoadBalancers as Json[] | undefined) ?? [];
  const ext = (value.externalEndpoints as string[] | undefined) ?? [];
  if (ilbs.length > 0 && ext.length > 0) {
    throw invalid(`Invalid value for '${at}': set either internalLoadBalancers or externalEndpoints, not both`);
  }
  if (ilbs.length === 0 && ext.length === 0) throw bad(at, '<empty>');
  if (ext.length > 0) {
    ext.forEach((ip, i) => {
      if (!ipFitsType(ctx.type, ip)) throw bad(`${at}.externalEndpoints[${i}]`, ip);
    });
    // External endpoints are probed by the policy's health check, which must therefore be named.
    if (!ctx.healthCheck) {
      throw invalid(`Invalid value for '${at}.externalEndpoints': routingPolicy.healthCheck is required`);
    }
    return { externalEndpoints: [...ext] };
  }
  return {
    internalLoadBalancers: ilbs.map((lb, i) => {
      if (!ipFitsType(ctx.type, String(lb.ipAddress ?? ''))) {
        throw bad(`${at}.internalLoadBalancers[${i}].ipAddress`, lb.ipAddress);
      }
      return clone(lb);
    }),
  };
}

function nonEmpty(value: unknown, where: string): Json[] {
  const list = (value as Json[] | undefined) ?? [];
  if (list.length === 0) throw required(where);
  return list;
}

export function required(where: string): ApiError {
  return new ApiError(400, `The '${where}' parameter is required but was missing.`, { reason: 'required' });
}
