import { createHash } from 'node:crypto';
import { GroupCommit } from '../core/coalesce';
import { httpStatusOf } from '../core/errors';
import type { GcpClients } from '../gcp/clients';
import { waitForOperation } from '../gcp/operations';

/**
 * Which capacity requests have been answered. A capacity request must get exactly one answer even
 * when Pub/Sub delivers it several times at once, and that needs a compare-and-set: the autoscaler
 * (where the placement lives) has no fingerprint, the global backend service does. So the ledger
 * rides in the backend service's top-level `description` (the per-backend descriptions hold the
 * regions' notes), and claiming an answer is a fingerprint-conditional patch: of two concurrent
 * duplicates, one wins, the other gets 412, re-reads, sees the claim and stays silent.
 *
 * Entries are short hashes with the claim time, newest kept while the description fits Google's
 * 2048-character limit (about 80 entries); a duplicate arriving after its entry aged out (~80 newer
 * requests later) is answered again.
 *
 * Claims are batched: one fingerprint-conditional patch claims every request id of a batch (a
 * function instance serving a burst claims its concurrent requests together, see
 * shared/handlers/capacity-request.ts), and each id learns whether it won.
 */
const PREFIX = 'georoute/v1 ';
const MAX_ENTRIES = 100;
/** Compute Engine's limit on a resource `description`. */
export const MAX_DESCRIPTION = 2048;

export type Ledger = Record<string, number>;

export const ledgerKey = (requestId: string): string =>
  createHash('sha256').update(requestId).digest('base64url').slice(0, 10);

export function readLedger(description: string | null | undefined): Ledger {
  if (!description?.startsWith(PREFIX)) return {};
  try {
    const value = JSON.parse(description.slice(PREFIX.length)) as { req?: unknown };
    if (!value.req || typeof value.req !== 'object') return {};
    return Object.fromEntries(
      Object.entries(value.req as Record<string, unknown>).filter(([, v]) => typeof v === 'number'),
    ) as Ledger;
  } catch {
    return {};
  }
}

export function writeLedger(ledger: Ledger): string {
  const newest = Object.entries(ledger)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, MAX_ENTRIES);
  for (;;) {
    const text =
      PREFIX + JSON.stringify({ req: Object.fromEntries([...newest].sort(([a], [b]) => a.localeCompare(b))) });
    if (text.length <= MAX_DESCRIPTION || newest.length === 0) return text;
    newest.pop(); // the oldest goes first
  }
}

export interface LedgerDeps {
  gcp: GcpClients;
  project: string;
}

/** True when the request was answered already. */
export async function isAnswered(deps: LedgerDeps, backendService: string, requestId: string): Promise<boolean> {
  const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
  return ledgerKey(requestId) in readLedger(bs.description);
}

/** Which of `requestIds` were answered already (one read for all of them). */
export async function answeredAmong(
  deps: LedgerDeps,
  backendService: string,
  requestIds: readonly string[],
): Promise<Set<string>> {
  const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
  const ledger = readLedger(bs.description);
  return new Set(requestIds.filter((id) => ledgerKey(id) in ledger));
}

/**
 * Claims the right to answer `requestId`. Resolves true if this caller won the claim, false if the
 * request was claimed by someone else (a duplicate delivery). Retries lost races by re-reading.
 */
export function claimAnswer(
  deps: LedgerDeps,
  backendService: string,
  requestId: string,
  now: number,
): Promise<boolean> {
  // Concurrent single claims of one instance coalesce: those arriving while a claim patch is in
  // flight are claimed together by the next one (group commit), not each by its own CAS round.
  let claims = claimCommits.get(deps);
  if (!claims) {
    claims = new GroupCommit(async (bs: string, items: Array<{ requestId: string; now: number }>) => {
      const won = await claimAnswers(
        deps,
        bs,
        items.map((i) => i.requestId),
        Math.max(...items.map((i) => i.now)),
      );
      return won.map((value) => ({ ok: true as const, value }));
    });
    claimCommits.set(deps, claims);
  }
  return claims.submit(backendService, { requestId, now });
}

const claimCommits = new WeakMap<LedgerDeps, GroupCommit<string, { requestId: string; now: number }, boolean>>();

/**
 * Claims many request ids with ONE conditional patch (re-read and retried on 412). Answers, per
 * position, whether that caller won: false when the id was claimed already, or appears earlier in
 * the same list (a duplicate in the same batch).
 */
export async function claimAnswers(
  deps: LedgerDeps,
  backendService: string,
  requestIds: readonly string[],
  now: number,
): Promise<boolean[]> {
  const keys = requestIds.map(ledgerKey);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
    const ledger = readLedger(bs.description);
    const seen = new Set<string>();
    const won = keys.map((key) => {
      if (key in ledger || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (seen.size === 0) return won;
    // The claim's value is its time (it orders aging) made unique to this attempt: if the patch is
    // applied but its answer is lost (a 5xx after the commit), a re-read tells whether it was ours.
    const token = Math.floor(now / 1000) * 1000 + Math.floor(Math.random() * 1000);
    const next = { ...ledger };
    for (const key of seen) next[key] = token;
    try {
      const op = await deps.gcp.compute.backendServices.patch({
        project: deps.project,
        backendService,
        backendServiceResource: { description: writeLedger(next), fingerprint: bs.fingerprint },
      });
      await waitForOperation(deps.gcp, op as never, { what: `claim answers for ${seen.size} request(s)` });
      return won;
    } catch (err) {
      if (httpStatusOf(err) !== 412) {
        if (await claimLanded(deps, backendService, [...seen], token)) return won;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
    }
  }
  throw new Error(`could not claim the answers of ${requestIds.length} request(s): the backend service keeps changing`);
}

/** After a failed claim write: did it land anyway? (All keys were written by one atomic patch.) */
async function claimLanded(deps: LedgerDeps, backendService: string, keys: string[], token: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
      const ledger = readLedger(bs.description);
      return keys.length > 0 && keys.every((k) => ledger[k] === token);
    } catch {
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
  return false; // unknown: the caller's error stands and the delivery is retried
}

/** Releases a claim whose answer could not be published, so a redelivery answers instead. */
export function releaseClaim(deps: LedgerDeps, backendService: string, requestId: string): Promise<void> {
  return releaseClaims(deps, backendService, [requestId]);
}

/** Releases several claims with one conditional patch. */
export async function releaseClaims(
  deps: LedgerDeps,
  backendService: string,
  requestIds: readonly string[],
): Promise<void> {
  const keys = requestIds.map(ledgerKey);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
    const ledger = readLedger(bs.description);
    const present = keys.filter((k) => k in ledger);
    if (present.length === 0) return;
    for (const k of present) delete ledger[k];
    try {
      const op = await deps.gcp.compute.backendServices.patch({
        project: deps.project,
        backendService,
        backendServiceResource: { description: writeLedger(ledger), fingerprint: bs.fingerprint },
      });
      await waitForOperation(deps.gcp, op as never, { what: `release ${present.length} claim(s)` });
      return;
    } catch (err) {
      if (httpStatusOf(err) !== 412) throw err;
    }
  }
}
