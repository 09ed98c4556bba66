import { isIPv4 } from 'node:net';
import { ApiError } from '../../core/api-error';
import type { KindContext, KindSpec } from '../collection';
import type { ComputeResource, ComputeState } from '../state';
import { badField, dropEmptyMaps } from './lb-helpers';

export type Scope = 'global' | 'region';

/** Documentation ranges (RFC 5737): global addresses from one, regional ones from the other two. */
const POOLS: Record<Scope, string[]> = { global: ['203.0.113.'], region: ['198.51.100.', '192.0.2.'] };

function projectIps(state: ComputeState, project: string): Set<string> {
  const used = new Set<string>();
  for (const [path, r] of Object.entries(state.resources)) {
    if (!path.startsWith(`projects/${project}/`)) continue;
    if (r.kind === 'compute#address' && typeof r.address === 'string') used.add(r.address);
    if (r.kind === 'compute#forwardingRule' && typeof r.IPAddress === 'string') used.add(r.IPAddress);
  }
  return used;
}

export function allocateIp(kc: KindContext, scope: Scope): string {
  const used = projectIps(kc.state, kc.project);
  for (const prefix of POOLS[scope]) {
    for (let host = 1; host < 255; host++) {
      if (!used.has(prefix + host)) return prefix + host;
    }
  }
  throw new ApiError(403, "Quota 'STATIC_ADDRESSES' exceeded.", { reason: 'quotaExceeded' });
}

/** Canonical prefix of the addresses a resource at `path` can use (same scope). */
export const addressPrefix = (path: string): string => `${path.split('/').slice(0, -2).join('/')}/addresses/`;

/** The reserved address (in the forwarding rule's scope) that holds `ip`, if any. */
export function addressByIp(state: ComputeState, rulePath: string, ip: unknown): ComputeResource | undefined {
  if (typeof ip !== 'string') return undefined;
  const prefix = addressPrefix(rulePath);
  return Object.entries(state.resources).find(
    ([p, r]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/') && r.address === ip,
  )?.[1];
}

/** Recomputes `status` (RESERVED / IN_USE) and `users` of every address of a project. */
export function refreshAddresses(state: ComputeState, project: string): void {
  const rules = Object.entries(state.resources).filter(
    ([p, r]) => p.startsWith(`projects/${project}/`) && r.kind === 'compute#forwardingRule',
  );
  for (const [path, address] of Object.entries(state.resources)) {
    if (!path.startsWith(`projects/${project}/`) || address.kind !== 'compute#address') continue;
    const users = rules
      .filter(([rp, r]) => addressPrefix(rp) === addressPrefix(path) && r.IPAddress === address.address)
      .map(([, r]) => r.selfLink);
    if (users.length > 0) address.users = users;
    else delete address.users;
    address.status = users.length > 0 ? 'IN_USE' : 'RESERVED';
  }
}

export function addressSpec(scope: Scope): KindSpec {
  return {
    collection: 'addresses',
    scope,
    kind: 'compute#address',
    serverFields: ['status', 'users'],
    prepare(address, kc) {
      dropEmptyMaps(address, ['labels']);
      address.addressType ??= 'EXTERNAL';
      if (address.addressType === 'EXTERNAL') address.networkTier ??= 'PREMIUM';
      if (scope === 'global') address.ipVersion ??= 'IPV4';
      address.status = 'RESERVED';
      if (address.address === undefined) address.address = allocateIp(kc, scope);
    },
    validate(address, kc) {
      if (!isIPv4(address.address as string)) {
        throw badField('resource.address', address.address, 'Must be a valid IPv4 address.');
      }
      const taken = kc
        .list(`projects/${kc.project}/`)
        .some((r) => r.kind === 'compute#address' && r.address === address.address && r.selfLink !== address.selfLink);
      if (taken) {
        throw badField('resource.address', address.address, 'The IP address is already reserved by another address.');
      }
    },
    afterWrite(_address, kc) {
      refreshAddresses(kc.state, kc.project);
    },
  };
}
