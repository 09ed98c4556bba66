/**
 * Which capacity requests have been answered: short hashes of their ids with the claim time, kept in
 * the global backend service's top-level `description` (the per-backend descriptions hold the regions'
 * notes). Why there: "exactly one answer" needs a compare-and-set, and the backend service has a
 * fingerprint (the autoscaler, where the placement lives, has none). The claiming is
 * shared/actuate/answer-ledger.ts; this is the stored format.
 *
 * Newest entries are kept while the description fits Google's 2048-character limit (about 65
 * entries); a duplicate arriving after its entry aged out (~65 newer requests later) is answered again.
 */
import { createHash } from 'node:crypto';
import { decodeState, encodeState, MAX_DESCRIPTION, numberMap } from './codec';

const MAX_ENTRIES = 100;

/** Ledger key → claim token (the claim's epoch second × 10⁶ + six random digits: unique per attempt). */
export type Ledger = Record<string, number>;

export const ledgerKey = (requestId: string): string =>
  createHash('sha256').update(requestId).digest('base64url').slice(0, 10);

export function readLedger(description: string | null | undefined): Ledger {
  return numberMap(decodeState(description)?.req);
}

export function writeLedger(ledger: Ledger): string {
  const newest = Object.entries(ledger)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, MAX_ENTRIES);
  for (;;) {
    const text = encodeState({ req: Object.fromEntries([...newest].sort(([a], [b]) => a.localeCompare(b))) });
    if (text.length <= MAX_DESCRIPTION || newest.length === 0) return text;
    newest.pop(); // the oldest goes first
  }
}
