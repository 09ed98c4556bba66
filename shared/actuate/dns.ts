import { httpStatusOf, toApiError } from '../core';
import { type ChangeJson, conditionalWrite, dnsRequest, isConflict, type RrsetJson, readRecord } from '../gcp';
import { decodeWeights, encodeWeights, type Weights, weightsRecordName } from '../state';
import { type ActuationContext, type ActuationResult, type ActuatorDeps, emptyResult, fromOutcome } from './types';

export interface GeoItem {
  /** A Google Cloud region name: where the client is. */
  location: string;
  /** Entry IPs of the regions serving that location. */
  rrdatas: string[];
}

export interface DnsDesired {
  managedZone: string;
  /** FQDN ending with '.'. */
  name: string;
  type?: 'A' | 'AAAA';
  ttl: number;
  items: GeoItem[];
  /** The planner's weights, kept beside the geo record in the same change (shared/state/weights-record.ts). */
  weights?: Weights;
  /** When these weights are decided (epoch ms): stamped in the weights record when it is rewritten. */
  weightsMovedAt?: number;
  /**
   * The geo record and the weights record exactly as observe just read them (`undefined` = absent).
   * The first attempt builds its change from them instead of reading again; the deletions are still
   * the records exactly as read, so a stale snapshot gets 412/409 and the retry re-reads.
   */
  current?: { record: RrsetJson | undefined; weights: RrsetJson | undefined };
}

/** The geo record as Cloud DNS stores it, in a canonical order so that equal records compare equal. */
export function desiredRecord(desired: DnsDesired): RrsetJson {
  return {
    kind: 'dns#resourceRecordSet',
    name: desired.name,
    type: desired.type ?? 'A',
    ttl: desired.ttl,
    routingPolicy: {
      geo: {
        items: [...desired.items]
          .sort((a, b) => a.location.localeCompare(b.location))
          .map((i) => ({ location: i.location, rrdatas: [...i.rrdatas].sort() })),
      },
    },
  };
}

/** A comparable summary of a record: TTL and location → sorted rrdatas. */
function fingerprint(record: RrsetJson | undefined): string {
  if (!record) return 'absent';
  const items = (record.routingPolicy?.geo?.items ?? [])
    .map((i) => `${i.location}=${[...(i.rrdatas ?? [])].sort().join(',')}`)
    .sort();
  const other = record.rrdatas ? `rrdatas=${[...record.rrdatas].sort().join(',')}` : '';
  const policy = record.routingPolicy?.wrr ? 'wrr' : record.routingPolicy?.primaryBackup ? 'primaryBackup' : '';
  return `${record.ttl}|${other}|${policy}|${items.join(';')}`;
}

/** What changed between two geo records, for the log and the demo's timeline. */
function describe(before: RrsetJson | undefined, after: RrsetJson): string[] {
  const map = (r: RrsetJson | undefined) =>
    new Map((r?.routingPolicy?.geo?.items ?? []).map((i) => [i.location, [...(i.rrdatas ?? [])].sort().join(',')]));
  const a = map(before);
  const b = map(after);
  const out: string[] = [];
  if (before?.ttl !== after.ttl) out.push(`ttl ${before?.ttl ?? '-'} → ${after.ttl}`);
  for (const loc of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(loc) !== b.get(loc)) out.push(`${loc}: ${a.get(loc) ?? '-'} → ${b.get(loc) ?? '-'}`);
  }
  return out;
}

/**
 * Makes the geo record set match `desired` with ONE atomic Cloud DNS change whose deletion is the
 * record exactly as just read (Cloud DNS refuses a stale deletion with 412 and an existing addition
 * with 409: both mean another writer won the race, so re-read and retry: conditional-write.ts).
 * No change when equal.
 */
export async function applyDns(
  deps: ActuatorDeps,
  desired: DnsDesired,
  ctx: ActuationContext,
): Promise<ActuationResult & { changeId?: string }> {
  const type = desired.type ?? 'A';
  const result: ActuationResult & { changeId?: string } = emptyResult(`rrsets/${desired.name}/${type}`);
  const want = desiredRecord(desired);
  const wantWeights: RrsetJson | undefined = desired.weights
    ? {
        kind: 'dns#resourceRecordSet',
        name: weightsRecordName(desired.name),
        type: 'TXT',
        ttl: desired.ttl,
        rrdatas: encodeWeights(desired.weights, desired.weightsMovedAt),
      }
    : undefined;
  type Pair = { record: RrsetJson | undefined; weights: RrsetJson | undefined };
  type Change = { additions: RrsetJson[]; deletions: RrsetJson[]; changes: string[] };
  try {
    const outcome = await conditionalWrite<Pair, Change>({
      snapshot: desired.current,
      // A deletion whose record moved meanwhile answers 404 (the name it names is gone): another writer
      // won, as with 412/409: re-read and derive again. https://cloud.google.com/dns/docs/reference/rest/v1/changes/create
      isConflict: (err) => isConflict(err) || httpStatusOf(err) === 404,
      read: async () => {
        const [record, weights] = await Promise.all([
          readRecord(deps.gcp.dns, desired.managedZone, desired.name, type),
          wantWeights ? readRecord(deps.gcp.dns, desired.managedZone, wantWeights.name, 'TXT') : undefined,
        ]);
        if (wantWeights) result.reads++; // the second record; conditionalWrite counts the first
        return { record, weights };
      },
      derive: ({ record, weights }) => {
        const geoSame = fingerprint(record) === fingerprint(want);
        const weightsSame =
          !wantWeights || sameWeights(decodeWeights(weights?.rrdatas), decodeWeights(wantWeights.rrdatas));
        if (geoSame && weightsSame) return undefined;
        const change: Change = { additions: [], deletions: [], changes: [] };
        if (!geoSame) {
          change.additions.push(want);
          if (record) change.deletions.push(record);
        }
        if (wantWeights && !weightsSame) {
          change.additions.push(wantWeights);
          if (weights) change.deletions.push(weights);
        }
        change.changes = geoSame ? ['weights updated (geo answers unchanged)'] : describe(record, want);
        return change;
      },
      write: async (_current, { additions, deletions }) => {
        const created = await dnsRequest<ChangeJson>(deps.gcp.dns, desired.managedZone, {
          method: 'POST',
          uri: '/changes',
          json: { kind: 'dns#change', additions, deletions },
        });
        result.changeId = created.id;
      },
      policy: ctx.maxAttempts ? { ...deps.gcp.retry.write, attempts: ctx.maxAttempts } : deps.gcp.retry.write,
      onConflict: (attempt) =>
        deps.logger.info('geo record changed under us (412/409): re-reading', { record: desired.name, attempt }),
    });
    return fromOutcome(result, outcome, 'geo record already matches the plan') as typeof result;
  } catch (err) {
    throw toApiError(err, `dns change ${desired.managedZone}/${desired.name}`);
  }
}

/** Weights that differ by less than this are not worth a DNS change (load noise). */
const WEIGHT_TOLERANCE = 0.05;

function sameWeights(a: Weights, b: Weights): boolean {
  const locations = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const loc of locations) {
    const x = a[loc] ?? {};
    const y = b[loc] ?? {};
    for (const r of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (Math.abs((x[r] ?? 0) - (y[r] ?? 0)) >= WEIGHT_TOLERANCE) return false;
    }
  }
  return true;
}
