import { ApiError, invalid } from '../core/api-error';
import { clone } from '../core/merge-patch';
import type { EmulatorContext } from '../core/world';
import { applyByKey, planChange, sortRRSets } from './changes';
import { ResolverCache } from './resolver-cache';
import type { Change, DnsState, ManagedZone, RRSet, ZoneState } from './types';
import { required } from './validate';

const ZONE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Private-zone configurations: known to the API (dns/schema.ts), not emulated. */
const NOT_EMULATED = [
  'forwardingConfig',
  'peeringConfig',
  'privateVisibilityConfig',
  'reverseLookupConfig',
  'serviceDirectoryConfig',
];
const APEX_TTL = 21_600;

export const zoneNotFound = (name: string): ApiError =>
  new ApiError(404, `The 'parameters.managedZone' resource named '${name}' does not exist.`, { reason: 'notFound' });

/** All Cloud DNS state (plain JSON) and the operations on it. Time comes from the virtual clock. */
export class DnsStore {
  state: DnsState = { projects: {} };
  /** Caching resolvers of the geo query's `view=resolver`. */
  readonly resolvers = new ResolverCache();
  private pending = 0;

  constructor(readonly ctx: EmulatorContext) {}

  zones(project: string): Record<string, ZoneState> {
    this.state.projects[project] ??= {};
    return this.state.projects[project];
  }

  zone(project: string, name: string): ZoneState {
    this.settle(this.ctx.clock.now());
    const z = this.zones(project)[name];
    if (!z) throw zoneNotFound(name);
    return z;
  }

  /** managedZones.create; the body was parsed against ManagedZone (dns/schema.ts). */
  createZone(project: string, body: Record<string, unknown> | undefined): ManagedZone {
    if (!body) throw required('entity.managedZone');
    const notEmulated = NOT_EMULATED.find((k) => body[k] !== undefined);
    if (notEmulated) throw invalid(`Unsupported field 'entity.managedZone.${notEmulated}' in the emulator`);
    const { name, dnsName, description } = body as { name?: string; dnsName?: string; description?: string };
    if (!name) throw required('entity.managedZone.name');
    if (!ZONE_NAME.test(name)) throw invalidValue('entity.managedZone.name', name);
    if (!dnsName) throw required('entity.managedZone.dnsName');
    if (!dnsName.endsWith('.') || dnsName === '.' || /\s/.test(dnsName)) {
      throw invalidValue('entity.managedZone.dnsName', dnsName);
    }
    // The API requires a description (the library sends "" when none is given).
    if (description === undefined) throw required('entity.managedZone.description');
    if (description.length > 1024) throw invalidValue('entity.managedZone.description', description);
    const visibility = (body.visibility as string | undefined) ?? 'public';
    const zones = this.zones(project);
    if (zones[name]) {
      throw new ApiError(409, `The resource 'entity.managedZone' named '${name}' already exists`, {
        reason: 'alreadyExists',
      });
    }

    const now = this.ctx.clock.iso();
    const letter = 'abcde'[Math.floor(this.ctx.random() * 5)] ?? 'a';
    const nameServers = [1, 2, 3, 4].map((n) => `ns-cloud-${letter}${n}.googledomains.com.`);
    const zone: ManagedZone = {
      kind: 'dns#managedZone',
      name,
      dnsName,
      description,
      id: this.newId(),
      nameServers,
      creationTime: now,
      visibility,
    };
    if (body.labels) zone.labels = clone(body.labels) as Record<string, string>;
    // Echoed with Google's `kind`s (https://cloud.google.com/dns/docs/reference/rest/v1/managedZones).
    // Keys are not generated: Google's default key specs when DNSSEC is on are not reproduced.
    if (body.dnssecConfig) {
      const dnssec = clone(body.dnssecConfig) as Record<string, unknown>;
      const specs = (dnssec.defaultKeySpecs as Array<Record<string, unknown>> | undefined) ?? [];
      if (specs.length > 0) dnssec.defaultKeySpecs = specs.map((k) => ({ ...k, kind: 'dns#dnsKeySpec' }));
      zone.dnssecConfig = { ...dnssec, kind: 'dns#managedZoneDnsSecConfig' };
    }
    if (body.cloudLoggingConfig) {
      zone.cloudLoggingConfig = { ...clone(body.cloudLoggingConfig), kind: 'dns#managedZoneCloudLoggingConfig' };
    }
    // Google creates the apex SOA and NS record sets itself, recorded as change "0" (already done).
    const apex: RRSet[] = [
      { kind: 'dns#resourceRecordSet', name: dnsName, type: 'NS', ttl: APEX_TTL, rrdatas: [...nameServers] },
      {
        kind: 'dns#resourceRecordSet',
        name: dnsName,
        type: 'SOA',
        ttl: APEX_TTL,
        rrdatas: [`${nameServers[0]} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300`],
      },
    ];
    const change0: Change = {
      kind: 'dns#change',
      additions: clone(apex),
      deletions: [],
      startTime: now,
      id: '0',
      status: 'done',
    };
    zones[name] = {
      zone,
      rrsets: sortRRSets(clone(apex)),
      served: sortRRSets(clone(apex)),
      changes: [change0],
      doneAt: {},
    };
    return clone(zone);
  }

  deleteZone(project: string, name: string): void {
    const z = this.zone(project, name);
    const apex = z.zone.dnsName.toLowerCase();
    const extra = z.rrsets.some((r) => !(r.name.toLowerCase() === apex && (r.type === 'SOA' || r.type === 'NS')));
    if (extra) {
      throw new ApiError(
        400,
        `The resource named '${name}' cannot be deleted because it contains one or more 'resource records'.`,
        { reason: 'containerNotEmpty' },
      );
    }
    this.pending -= Object.keys(z.serveAt ?? {}).length;
    delete this.zones(project)[name];
  }

  /** Commits a planned change: the API view at once, the served view when the change is done. */
  commit(z: ZoneState, additions: RRSet[], deletions: RRSet[]): Change {
    const next = planChange(z, additions, deletions);
    const now = this.ctx.clock.now();
    const last = z.changes[z.changes.length - 1];
    const change: Change = {
      kind: 'dns#change',
      additions: clone(additions),
      deletions: clone(deletions),
      startTime: this.ctx.clock.iso(now),
      id: String(last ? Number(last.id) + 1 : 0),
      status: 'pending',
    };
    z.rrsets = next;
    z.changes.push(change);
    const done = now + this.ctx.timings.dnsChangeMs;
    z.doneAt[change.id] = done;
    z.serveAt ??= {};
    z.serveAt[change.id] = done + this.ctx.timings.dnsServeLagMs;
    this.pending++;
    this.settle(now);
    return clone(change);
  }

  /**
   * Marks due changes `done`, then applies the ones due at the name servers to the served view,
   * each in sequence order (later changes wait for earlier ones, as a sequence does).
   */
  settle(now: number): void {
    if (this.pending === 0) return;
    for (const zones of Object.values(this.state.projects)) {
      for (const z of Object.values(zones)) {
        for (const change of z.changes) {
          const due = z.doneAt[change.id];
          if (due === undefined) continue;
          if (due > now) break;
          change.status = 'done';
          delete z.doneAt[change.id];
        }
        for (const change of z.changes) {
          const due = z.serveAt?.[change.id];
          if (due === undefined) continue;
          if (due > now) break;
          delete z.serveAt![change.id];
          this.pending--;
          z.served = applyByKey(z.served, change.additions, change.deletions);
        }
      }
    }
  }

  load(state: DnsState): void {
    this.state = state;
    this.pending = 0;
    this.resolvers.clear();
    for (const zones of Object.values(state.projects)) {
      for (const z of Object.values(zones)) {
        // Snapshots of older twins have no serveAt: their pending changes are served when done.
        z.serveAt ??= { ...z.doneAt };
        this.pending += Object.keys(z.serveAt).length;
      }
    }
  }

  private newId(): string {
    let id = String(1 + Math.floor(this.ctx.random() * 9));
    while (id.length < 19) id += String(Math.floor(this.ctx.random() * 10));
    return id;
  }
}

function invalidValue(where: string, value: unknown): ApiError {
  return invalid(`Invalid value for '${where}': '${typeof value === 'string' ? value : JSON.stringify(value)}'`);
}
