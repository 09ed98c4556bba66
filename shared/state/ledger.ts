import { createHash } from 'node:crypto';
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
 * Entries are short hashes with the claim time, newest kept, so the description stays far below
 * Google's 2048-character limit; a duplicate arriving after its entry aged out (~100 newer requests
 * later) is answered again, with the same placements (they are read back from the schedules).
 */
const PREFIX = 'georoute/v1 ';
const MAX_ENTRIES = 100;

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
    .slice(0, MAX_ENTRIES)
    .sort(([a], [b]) => a.localeCompare(b));
  return PREFIX + JSON.stringify({ req: Object.fromEntries(newest) });
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

/**
 * Claims the right to answer `requestId`. Resolves true if this caller won the claim, false if the
 * request was claimed by someone else (a duplicate delivery). Retries lost races by re-reading.
 */
export async function claimAnswer(
  deps: LedgerDeps,
  backendService: string,
  requestId: string,
  now: number,
): Promise<boolean> {
  const key = ledgerKey(requestId);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
    const ledger = readLedger(bs.description);
    if (key in ledger) return false;
    try {
      const op = await deps.gcp.compute.backendServices.patch({
        project: deps.project,
        backendService,
        backendServiceResource: {
          description: writeLedger({ ...ledger, [key]: Math.floor(now / 1000) }),
          fingerprint: bs.fingerprint,
        },
      });
      await waitForOperation(deps.gcp, op as never, { what: `claim answer for ${requestId}` });
      return true;
    } catch (err) {
      if (httpStatusOf(err) !== 412) throw err;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
    }
  }
  throw new Error(`could not claim the answer for ${requestId}: the backend service keeps changing`);
}

/** Releases a claim whose answer could not be published, so a redelivery answers instead. */
export async function releaseClaim(deps: LedgerDeps, backendService: string, requestId: string): Promise<void> {
  const key = ledgerKey(requestId);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [bs] = await deps.gcp.compute.backendServices.get({ project: deps.project, backendService });
    const ledger = readLedger(bs.description);
    if (!(key in ledger)) return;
    delete ledger[key];
    try {
      const op = await deps.gcp.compute.backendServices.patch({
        project: deps.project,
        backendService,
        backendServiceResource: { description: writeLedger(ledger), fingerprint: bs.fingerprint },
      });
      await waitForOperation(deps.gcp, op as never, { what: `release claim for ${requestId}` });
      return;
    } catch (err) {
      if (httpStatusOf(err) !== 412) throw err;
    }
  }
}
