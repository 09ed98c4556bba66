import { ApiError, conditionNotMet } from '../core/api-error';
import { clone } from '../core/merge-patch';
import { rrsetKey, sameRRSet } from './match';
import type { RRSet, ZoneState } from './types';
import { sameName } from './validate';

const describe = (r: RRSet): string => `${r.name} (${r.type})`;

/**
 * Plans a change against the zone's current record sets, all or nothing: every deletion must
 * exist (404) and match exactly (412 `conditionNotMet`), every addition must not exist unless
 * deleted by the same change (409 `alreadyExists`), and the result must keep Google's zone rules
 * (one SOA and one NS at the apex; a CNAME alone at its name). Returns the new record sets; the
 * zone itself is not touched, so a refused change leaves nothing applied.
 */
export function planChange(zone: ZoneState, additions: RRSet[], deletions: RRSet[]): RRSet[] {
  const working = new Map(zone.rrsets.map((r) => [rrsetKey(r), r] as const));
  const removedBy = new Map<string, number>();

  deletions.forEach((del, i) => {
    const key = rrsetKey(del);
    const current = working.get(key);
    if (!current) {
      throw new ApiError(404, `The 'entity.change.deletions[${i}]' resource named '${describe(del)}' does not exist.`, {
        reason: 'notFound',
      });
    }
    if (!sameRRSet(current, del)) throw conditionNotMet(`Precondition not met for 'entity.change.deletions[${i}]'`);
    working.delete(key);
    removedBy.set(key, i);
  });

  additions.forEach((add) => {
    const key = rrsetKey(add);
    if (working.has(key)) {
      // Google's wording: https://github.com/hashicorp/terraform-provider-google/issues/9112
      throw new ApiError(409, `The resource 'entity.rrset' named '${describe(add)}' already exists`, {
        reason: 'alreadyExists',
      });
    }
    working.set(key, clone(add));
  });

  const apex = zone.zone.dnsName;
  for (const type of ['SOA', 'NS']) {
    const key = rrsetKey({ name: apex, type });
    if (!working.has(key)) {
      const i = removedBy.get(key) ?? 0;
      throw apexError(`entity.change.deletions[${i}]`, type);
    }
  }
  additions.forEach((add, i) => {
    if (add.type === 'SOA' && !sameName(add.name, apex)) throw apexError(`entity.change.additions[${i}]`, 'SOA');
    const others = [...working.values()].filter((r) => sameName(r.name, add.name) && r.type !== add.type);
    const conflict = add.type === 'CNAME' ? others[0] : others.find((r) => r.type === 'CNAME');
    if (conflict) {
      throw new ApiError(
        400,
        `The resource record set 'entity.change.additions[${i}]' is invalid because the DNS name '${add.name}' ` +
          `has a resource record set of the type '${conflict.type}'. A DNS name may have either one CNAME ` +
          'resource record set or resource record sets of other types, but not both.',
        { reason: 'cnameResourceRecordSetConflict' },
      );
    }
  });

  return sortRRSets([...working.values()]);
}

function apexError(where: string, type: string): ApiError {
  return new ApiError(
    400,
    `The resource record set '${where}' is invalid because a zone must contain exactly one resource record set of ` +
      `type '${type}' at the apex.`,
    { reason: 'invalidZoneApex' },
  );
}

/** Applies an accepted change by key (used for the served view when the change is `done`). */
export function applyByKey(rrsets: RRSet[], additions: RRSet[], deletions: RRSet[]): RRSet[] {
  const map = new Map(rrsets.map((r) => [rrsetKey(r), r] as const));
  for (const d of deletions) map.delete(rrsetKey(d));
  for (const a of additions) map.set(rrsetKey(a), clone(a));
  return sortRRSets([...map.values()]);
}

/** Listing order: by name, then type (stable and independent of insertion order). */
export function sortRRSets(list: RRSet[]): RRSet[] {
  return list.sort((a, b) => {
    const an = a.name.toLowerCase();
    const bn = b.name.toLowerCase();
    if (an !== bn) return an < bn ? -1 : 1;
    return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
  });
}
