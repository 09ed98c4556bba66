import { ApiError, invalid } from '../core/api-error';
import { clone, isPlainObject } from '../core/merge-patch';
import { isGcpRegion } from './regions';
import { ipFitsType, RECORD_TYPES, validRrdata } from './rrdata';
import type { GeoPolicy, HealthCheckTargets, RoutingPolicy, RRSet } from './types';

const RRSET_FIELDS = ['kind', 'name', 'type', 'ttl', 'rrdatas', 'signatureRrdatas', 'routingPolicy'];
const POLICY_FIELDS = ['kind', 'geo', 'wrr', 'primaryBackup', 'healthCheck'];
const GEO_FIELDS = ['kind', 'items', 'enableFencing'];
const GEO_ITEM_FIELDS = ['kind', 'location', 'rrdatas', 'signatureRrdatas', 'healthCheckedTargets'];
const WRR_ITEM_FIELDS = ['kind', 'weight', 'rrdatas', 'signatureRrdatas', 'healthCheckedTargets'];
const PB_FIELDS = ['kind', 'primaryTargets', 'backupGeoTargets', 'trickleTraffic'];
const HC_FIELDS = ['internalLoadBalancers', 'externalEndpoints'];

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
 * Checks one record set from a request (`where` is its location in the request, e.g.
 * `entity.change.additions[0]`) and returns the stored form. Throws 400 as Google does.
 */
export function validateRRSet(body: unknown, where: string, dnsName: string): RRSet {
  if (!isPlainObject(body)) throw bad(where, body);
  unknownFields(body, RRSET_FIELDS, where);
  const { name, type, ttl } = body;
  if (typeof name !== 'string' || name === '') throw required(`${where}.name`);
  if (!name.endsWith('.') || !inZone(name, dnsName)) throw bad(`${where}.name`, name);
  if (typeof type !== 'string' || type === '') throw required(`${where}.type`);
  if (!RECORD_TYPES.has(type)) throw bad(`${where}.type`, type);
  if (ttl === undefined) throw required(`${where}.ttl`);
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 2_147_483_647) {
    throw bad(`${where}.ttl`, ttl);
  }

  const rrdatas = body.rrdatas === undefined ? undefined : stringList(body.rrdatas, `${where}.rrdata`);
  const sigs =
    body.signatureRrdatas === undefined ? undefined : stringList(body.signatureRrdatas, `${where}.signatureRrdata`);
  const hasData = (rrdatas?.length ?? 0) > 0 || (sigs?.length ?? 0) > 0;
  const policy = body.routingPolicy;

  if (hasData && policy !== undefined) {
    throw invalid(
      `The resource record set '${where}' is invalid because it has both rrdatas and a routing policy; ` +
        'specify either rrdata (static resolution) or routingPolicy (dynamic resolution)',
    );
  }
  const out: RRSet = { kind: 'dns#resourceRecordSet', name, type, ttl };
  if (policy !== undefined) {
    out.routingPolicy = validatePolicy(policy, `${where}.routingPolicy`, type);
    return out;
  }
  if (!rrdatas || rrdatas.length === 0) throw bad(`${where}.rrdata`, '<empty>');
  rrdatas.forEach((d, i) => {
    if (!validRrdata(type, d)) throw bad(`${where}.rrdata[${i}]`, d);
  });
  if (type === 'CNAME' && rrdatas.length > 1) {
    throw invalid(
      `The resource record set '${where}' is invalid because a CNAME resource record set can contain only one rrdata`,
    );
  }
  if (new Set(rrdatas).size !== rrdatas.length) throw bad(`${where}.rrdata`, rrdatas);
  out.rrdatas = rrdatas;
  if (sigs && sigs.length > 0) out.signatureRrdatas = sigs;
  return out;
}

function validatePolicy(policy: unknown, where: string, type: string): RoutingPolicy {
  if (!isPlainObject(policy)) throw bad(where, policy);
  unknownFields(policy, POLICY_FIELDS, where);
  const kinds = (['geo', 'wrr', 'primaryBackup'] as const).filter((k) => policy[k] !== undefined);
  if (kinds.length === 0) throw required(`${where}.routingData`);
  if (kinds.length > 1) {
    throw invalid(
      `Invalid value for '${where}': only one of geo, wrr or primaryBackup may be set, got ${kinds.join(', ')}`,
    );
  }
  if (policy.healthCheck !== undefined && typeof policy.healthCheck !== 'string') {
    throw bad(`${where}.healthCheck`, policy.healthCheck);
  }
  const ctx: PolicyCtx = { type, healthCheck: policy.healthCheck as string | undefined };
  const out: RoutingPolicy = { kind: KIND.policy };
  if (ctx.healthCheck !== undefined) out.healthCheck = ctx.healthCheck;
  if (policy.geo !== undefined) out.geo = validateGeo(policy.geo, `${where}.geo`, ctx);
  if (policy.wrr !== undefined) {
    const wrr = policy.wrr;
    if (!isPlainObject(wrr)) throw bad(`${where}.wrr`, wrr);
    unknownFields(wrr, ['kind', 'items'], `${where}.wrr`);
    const items = nonEmptyList(wrr.items, `${where}.wrr.items`);
    const weights: number[] = [];
    out.wrr = {
      kind: KIND.wrr,
      items: items.map((item, i) => {
        const at = `${where}.wrr.items[${i}]`;
        if (!isPlainObject(item)) throw bad(at, item);
        unknownFields(item, WRR_ITEM_FIELDS, at);
        const w = item.weight;
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw bad(`${at}.weight`, w);
        weights.push(w);
        return { kind: KIND.wrrItem, weight: w, ...targets(item, at, ctx) };
      }),
    };
    if (weights.every((w) => w === 0)) throw invalid(`Invalid value for '${where}.wrr.items': all weights are 0`);
  }
  if (policy.primaryBackup !== undefined) {
    const pb = policy.primaryBackup;
    const at = `${where}.primaryBackup`;
    if (!isPlainObject(pb)) throw bad(at, pb);
    unknownFields(pb, PB_FIELDS, at);
    if (pb.primaryTargets === undefined) throw required(`${at}.primaryTargets`);
    if (pb.backupGeoTargets === undefined) throw required(`${at}.backupGeoTargets`);
    requireAddressType(type, `${at}.primaryTargets`);
    const primaryTargets = validateTargets(pb.primaryTargets, `${at}.primaryTargets`, ctx);
    const backupGeoTargets = validateGeo(pb.backupGeoTargets, `${at}.backupGeoTargets`, ctx);
    const trickle = pb.trickleTraffic;
    if (trickle !== undefined && (typeof trickle !== 'number' || !(trickle >= 0 && trickle <= 1))) {
      throw bad(`${at}.trickleTraffic`, trickle);
    }
    out.primaryBackup = { kind: KIND.primaryBackup, primaryTargets, backupGeoTargets };
    if (trickle !== undefined) out.primaryBackup.trickleTraffic = trickle as number;
  }
  return out;
}

interface PolicyCtx {
  type: string;
  healthCheck: string | undefined;
}

function validateGeo(geo: unknown, where: string, ctx: PolicyCtx): GeoPolicy {
  if (!isPlainObject(geo)) throw bad(where, geo);
  unknownFields(geo, GEO_FIELDS, where);
  const items = nonEmptyList(geo.items, `${where}.items`);
  const seen = new Map<string, number>();
  const out: GeoPolicy = {
    kind: KIND.geo,
    items: items.map((item, i) => {
      const at = `${where}.items[${i}]`;
      if (!isPlainObject(item)) throw bad(at, item);
      unknownFields(item, GEO_ITEM_FIELDS, at);
      const loc = item.location;
      if (typeof loc !== 'string' || loc === '') throw required(`${at}.location`);
      if (!isGcpRegion(loc)) throw bad(`${at}.location`, loc);
      const first = seen.get(loc);
      if (first !== undefined) {
        throw invalid(`Invalid value for '${at}.location': '${loc}' is already used by '${where}.items[${first}]'`);
      }
      seen.set(loc, i);
      return { kind: KIND.geoItem, location: loc, ...targets(item, at, ctx) };
    }),
  };
  if (geo.enableFencing !== undefined) {
    if (typeof geo.enableFencing !== 'boolean') throw bad(`${where}.enableFencing`, geo.enableFencing);
    out.enableFencing = geo.enableFencing;
  }
  return out;
}

/** An item's answer: rrdatas and/or health-checked targets (A/AAAA only). */
function targets(
  item: Record<string, unknown>,
  at: string,
  ctx: PolicyCtx,
): { rrdatas?: string[]; signatureRrdatas?: string[]; healthCheckedTargets?: HealthCheckTargets } {
  const out: { rrdatas?: string[]; signatureRrdatas?: string[]; healthCheckedTargets?: HealthCheckTargets } = {};
  if (item.rrdatas !== undefined) {
    const rrdatas = stringList(item.rrdatas, `${at}.rrdatas`);
    rrdatas.forEach((d, i) => {
      if (!validRrdata(ctx.type, d)) throw bad(`${at}.rrdatas[${i}]`, d);
    });
    if (rrdatas.length > 0) out.rrdatas = rrdatas;
  }
  if (item.signatureRrdatas !== undefined) {
    const sigs = stringList(item.signatureRrdatas, `${at}.signatureRrdatas`);
    if (sigs.length > 0) out.signatureRrdatas = sigs;
  }
  if (item.healthCheckedTargets !== undefined) {
    requireAddressType(ctx.type, `${at}.healthCheckedTargets`);
    out.healthCheckedTargets = validateTargets(item.healthCheckedTargets, `${at}.healthCheckedTargets`, ctx);
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

function validateTargets(value: unknown, at: string, ctx: PolicyCtx): HealthCheckTargets {
  if (!isPlainObject(value)) throw bad(at, value);
  unknownFields(value, HC_FIELDS, at);
  const ilbs = value.internalLoadBalancers;
  const ext = value.externalEndpoints;
  const hasIlb = Array.isArray(ilbs) && ilbs.length > 0;
  const hasExt = Array.isArray(ext) && ext.length > 0;
  if (hasIlb && hasExt) {
    throw invalid(`Invalid value for '${at}': set either internalLoadBalancers or externalEndpoints, not both`);
  }
  if (!hasIlb && !hasExt) throw bad(at, '<empty>');
  if (hasExt) {
    const eps = stringList(ext, `${at}.externalEndpoints`);
    eps.forEach((ip, i) => {
      if (!ipFitsType(ctx.type, ip)) throw bad(`${at}.externalEndpoints[${i}]`, ip);
    });
    // External endpoints are probed by the policy's health check, which must therefore be named.
    if (!ctx.healthCheck)
      throw invalid(`Invalid value for '${at}.externalEndpoints': routingPolicy.healthCheck is required`);
    return { externalEndpoints: eps };
  }
  const list = ilbs as unknown[];
  return {
    internalLoadBalancers: list.map((lb, i) => {
      const where = `${at}.internalLoadBalancers[${i}]`;
      if (!isPlainObject(lb)) throw bad(where, lb);
      if (typeof lb.ipAddress !== 'string' || !ipFitsType(ctx.type, lb.ipAddress)) {
        throw bad(`${where}.ipAddress`, lb.ipAddress);
      }
      return clone(lb);
    }),
  };
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw bad(where, value);
  value.forEach((v, i) => {
    if (typeof v !== 'string') throw bad(`${where}[${i}]`, v);
  });
  return [...(value as string[])];
}

function nonEmptyList(value: unknown, where: string): unknown[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw required(where);
  if (!Array.isArray(value)) throw bad(where, value);
  return value;
}

function unknownFields(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ApiError(
        400,
        `Invalid JSON payload received. Unknown name "${key}" at '${where}': Cannot find field.`,
        {
          reason: 'invalid',
        },
      );
    }
  }
}

export function required(where: string): ApiError {
  return new ApiError(400, `The '${where}' parameter is required but was missing.`, { reason: 'required' });
}
