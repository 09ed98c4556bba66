import { ApiError, invalid } from '../core/api-error';
import { clone, isPlainObject } from '../core/merge-patch';
import { DNS_PAGING, paginate } from '../core/paginate';
import { type ApiRequest, Reply, type Router } from '../core/router';
import type { EndpointProber } from './health';
import { rrsetKey } from './match';
import { GCP_REGIONS, isGcpRegion } from './regions';
import { type HealthOf, resolveRRSet } from './resolve';
import { RECORD_TYPES } from './rrdata';
import type { DnsStore } from './store';
import type { RRSet, ZoneState } from './types';
import { inZone, required, sameName, validateRRSet } from './validate';

const BASE = '/dns/v1/projects/:project/managedZones';
const p = (req: ApiRequest, key: string): string => req.params[key] as string;

/** Cloud DNS v1 REST routes, as `@google-cloud/dns` (and `zone.request`) call them. */
export function registerDnsRoutes(router: Router, store: DnsStore, prober: EndpointProber): void {
  const api = { api: 'dns' as const };
  const zoneOf = (req: ApiRequest): ZoneState => store.zone(p(req, 'project'), p(req, 'zone'));

  router.add('POST', BASE, api, (req) =>
    store.createZone(p(req, 'project'), req.body as Record<string, unknown> | undefined),
  );
  router.get(BASE, 'dns', (req) => {
    const dnsName = req.query.get('dnsName');
    if (dnsName !== null && !dnsName.endsWith('.'))
      throw invalid(`Invalid value for 'parameters.dnsName': '${dnsName}'`);
    const zones = Object.values(store.zones(p(req, 'project')))
      .map((z) => z.zone)
      .filter((z) => dnsName === null || sameName(z.dnsName, dnsName))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { items, nextPageToken } = paginate(zones, req.query, DNS_PAGING, req.path);
    return {
      kind: 'dns#managedZonesListResponse',
      managedZones: clone(items),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
  });
  router.get(`${BASE}/:zone`, 'dns', (req) => clone(zoneOf(req).zone));
  router.add('DELETE', `${BASE}/:zone`, api, (req) => {
    store.deleteZone(p(req, 'project'), p(req, 'zone'));
    return new Reply(204);
  });

  router.get(`${BASE}/:zone/rrsets`, 'dns', (req) => {
    const z = zoneOf(req);
    const name = req.query.get('name');
    const type = req.query.get('type');
    if (name !== null && !name.endsWith('.')) throw invalid(`Invalid value for 'parameters.name': '${name}'`);
    if (type !== null) {
      if (name === null) throw invalid("Invalid value for 'parameters.name': ''");
      if (!RECORD_TYPES.has(type)) throw invalid(`Invalid value for 'parameters.type': '${type}'`);
    }
    const rrsets = z.rrsets.filter(
      (r) => (name === null || sameName(r.name, name)) && (type === null || r.type === type),
    );
    const { items, nextPageToken } = paginate(rrsets, req.query, DNS_PAGING, req.path);
    return {
      kind: 'dns#resourceRecordSetsListResponse',
      rrsets: clone(items),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
  });
  router.add('POST', `${BASE}/:zone/rrsets`, api, (req) => {
    const z = zoneOf(req);
    if (!isPlainObject(req.body)) throw required('entity.resourceRecordSet');
    const rrset = validateRRSet(req.body, 'entity.resourceRecordSet', z.zone.dnsName);
    store.commit(z, [rrset], []);
    return clone(rrset);
  });
  router.get(`${BASE}/:zone/rrsets/:name/:type`, 'dns', (req) => clone(findRRSet(zoneOf(req), req)));
  router.add('PATCH', `${BASE}/:zone/rrsets/:name/:type`, api, (req) => {
    const z = zoneOf(req);
    const current = findRRSet(z, req);
    if (!isPlainObject(req.body)) throw required('entity.resourceRecordSet');
    const body = req.body;
    for (const key of ['name', 'type'] as const) {
      if (body[key] !== undefined && !(typeof body[key] === 'string' && sameName(body[key], current[key]))) {
        throw invalid(`Invalid value for 'entity.resourceRecordSet.${key}': '${String(body[key])}'`);
      }
    }
    // A partial update: fields not sent are kept, except that data and policy replace each other.
    const merged: Record<string, unknown> = {
      ...clone(current),
      ...clone(body),
      name: current.name,
      type: current.type,
    };
    if (body.routingPolicy !== undefined && body.rrdatas === undefined) {
      delete merged.rrdatas;
      delete merged.signatureRrdatas;
    }
    if ((body.rrdatas !== undefined || body.signatureRrdatas !== undefined) && body.routingPolicy === undefined) {
      delete merged.routingPolicy;
    }
    const next = validateRRSet(merged, 'entity.resourceRecordSet', z.zone.dnsName);
    store.commit(z, [next], [current]);
    return clone(next);
  });
  router.add('DELETE', `${BASE}/:zone/rrsets/:name/:type`, api, (req) => {
    const z = zoneOf(req);
    store.commit(z, [], [findRRSet(z, req)]);
    return {};
  });

  router.add('POST', `${BASE}/:zone/changes`, api, (req) => {
    const z = zoneOf(req);
    const body = (req.body ?? {}) as { additions?: Array<Record<string, unknown>>; deletions?: typeof body.additions };
    const list = (key: 'additions' | 'deletions'): RRSet[] =>
      (body[key] ?? []).map((r, i) => validateRRSet(r, `entity.change.${key}[${i}]`, z.zone.dnsName));
    const additions = list('additions');
    const deletions = list('deletions');
    if (additions.length === 0 && deletions.length === 0) throw required('entity.change');
    return store.commit(z, additions, deletions);
  });
  router.get(`${BASE}/:zone/changes`, 'dns', (req) => {
    const z = zoneOf(req);
    const sortBy = req.query.get('sortBy');
    if (sortBy !== null && sortBy.toLowerCase() !== 'changesequence') {
      throw invalid(`Invalid value for 'parameters.sortBy': '${sortBy}'. Allowed values: [changeSequence]`);
    }
    const order = req.query.get('sortOrder');
    if (order !== null && order !== 'ascending' && order !== 'descending') {
      throw invalid(`Invalid value for 'parameters.sortOrder': '${order}'`);
    }
    const changes = [...z.changes].sort((a, b) => Number(a.id) - Number(b.id));
    if (order === 'descending') changes.reverse();
    const { items, nextPageToken } = paginate(changes, req.query, DNS_PAGING, req.path);
    return { kind: 'dns#changesListResponse', changes: clone(items), ...(nextPageToken ? { nextPageToken } : {}) };
  });
  router.get(`${BASE}/:zone/changes/:changeId`, 'dns', (req) => {
    const id = p(req, 'changeId');
    const change = zoneOf(req).changes.find((c) => c.id === id);
    if (!change) {
      throw new ApiError(404, `The 'parameters.changeId' resource named '${id}' does not exist.`, {
        reason: 'notFound',
      });
    }
    return clone(change);
  });

  router.get('/__emulator/dns/resolve', 'control', (req) => resolveQuery(store, prober, req.query));
  router.get('/__emulator/dns/health', 'control', (req) => healthQuery(store, prober, req.query));
}

function findRRSet(z: ZoneState, req: ApiRequest): RRSet {
  const name = p(req, 'name');
  const type = p(req, 'type');
  const found = z.rrsets.find((r) => rrsetKey(r) === rrsetKey({ name, type }));
  if (!found) {
    throw new ApiError(404, `The 'parameters.name' resource named '${name} (${type})' does not exist.`, {
      reason: 'notFound',
    });
  }
  return found;
}

/**
 * The geo query: `?project=&name=&type=A&location=<region>` (zone optional: the zone whose dnsName
 * is the longest suffix of name). Without `location`, answers for every known region. Reads what
 * the name servers serve (`timings.dnsServeLagMs` after `done`) unless `view=api`; `view=resolver`
 * answers through the location's caching resolver, which keeps an answer for its TTL.
 */
function resolveQuery(store: DnsStore, prober: EndpointProber, q: URLSearchParams): unknown {
  const location = q.get('location');
  if (location !== null && !isGcpRegion(location)) throw invalid(`unknown Google Cloud region '${location}'`);
  const mode = q.get('view') ?? 'served';
  if (!['served', 'api', 'resolver'].includes(mode)) throw invalid(`unknown view '${mode}'`);
  if (mode === 'resolver' && location === null) throw invalid('view=resolver needs a location');
  const { project, zoneName, fqdn, type, find } = locateServed(store, q);
  // Health as the name servers see it (probes run on the virtual clock: emulator/dns/health.ts).
  const healthOf =
    (rrset: RRSet): HealthOf =>
    (ip) =>
      prober.healthy(project, rrset.routingPolicy?.healthCheck, ip);
  if (mode === 'resolver') {
    // The resolver asks the name servers only when its copy has expired (then a record set gone
    // from them is a 404); until then it answers from its cache.
    const key = [project, zoneName, fqdn.toLowerCase(), type, location].join('|');
    const answer = store.resolvers.lookup(key, store.ctx.clock.now(), () => {
      const rrset = find();
      return resolveRRSet(rrset, location as string, healthOf(rrset));
    });
    return { zone: zoneName, ...answer, cachedUntil: store.ctx.clock.iso(answer.cachedUntil) };
  }
  const rrset = find();
  const health = healthOf(rrset);
  if (location !== null) return { zone: zoneName, ...resolveRRSet(rrset, location, health) };
  const answers = Object.fromEntries(Object.keys(GCP_REGIONS).map((r) => [r, resolveRRSet(rrset, r, health).rrdatas]));
  return { zone: zoneName, name: rrset.name, type: rrset.type, answers };
}

/**
 * Probed endpoints: `?project=` (all of the project) or `&name=[&type=A][&zone=]` (those the record
 * set's policy names). Each: `{ip, healthCheck, healthy, successes, failures, since, lastProbeAt,
 * lastResult, lastDetail, nextProbeAt}`.
 */
function healthQuery(store: DnsStore, prober: EndpointProber, q: URLSearchParams): unknown {
  const project = q.get('project');
  if (!project) throw invalid('project is required');
  if (q.get('name') === null) return { endpoints: clone(prober.endpoints(project)) };
  const rrset = locateServed(store, q).find();
  return { endpoints: clone(rrset.routingPolicy ? prober.endpoints(project, rrset.routingPolicy) : []) };
}

/**
 * The record set a control query names (`project`, `name`, `type` (A), `zone`, `view=api`): `find`
 * looks it up in what the name servers serve (`z.served`) or, with `view=api`, in what the API has.
 */
function locateServed(
  store: DnsStore,
  q: URLSearchParams,
): { project: string; zoneName: string; fqdn: string; type: string; find: () => RRSet } {
  const project = q.get('project');
  const name = q.get('name');
  const type = q.get('type') ?? 'A';
  if (!project) throw invalid('project is required');
  if (!name) throw invalid('name is required');
  const zoneName = q.get('zone') ?? pickZone(store, project, name);
  const z = store.zone(project, zoneName);
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  const view = q.get('view') === 'api' ? z.rrsets : z.served;
  const find = (): RRSet => {
    const rrset = view.find((r) => rrsetKey(r) === rrsetKey({ name: fqdn, type }));
    if (!rrset)
      throw new ApiError(404, `no ${type} record set named '${fqdn}' in zone '${zoneName}'`, { reason: 'notFound' });
    return rrset;
  };
  return { project, zoneName, fqdn, type, find };
}

function pickZone(store: DnsStore, project: string, name: string): string {
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  const best = Object.values(store.zones(project))
    .filter((z) => inZone(fqdn, z.zone.dnsName))
    .sort((a, b) => b.zone.dnsName.length - a.zone.dnsName.length)[0];
  if (!best)
    throw new ApiError(404, `no managed zone in project '${project}' contains '${fqdn}'`, { reason: 'notFound' });
  return best.zone.name;
}
