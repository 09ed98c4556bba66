/**
 * Exactly one answer per capacity request, even when Pub/Sub delivers it several times at once:
 * claiming an answer is a fingerprint-conditional patch of the ledger (shared/state/ledger.ts) in the
 * global backend service's description. Of two concurrent duplicates one wins the fingerprint, the
 * other gets 412, re-reads, sees the claim and stays silent (shared/gcp/conditional-write.ts).
 *
 * One instance per function instance (an explicit field of the runtime, not module state): claims
 * made while a claim patch is in flight are claimed together by the next one (group commit).
 */
import { GroupCommit } from '../core';
import type { GcpClients } from '../gcp';
import { type BackendServicePatch, patchBackendService, withRetry } from '../gcp';
import { type Ledger, ledgerKey, readLedger, writeLedger } from '../state';

export class AnswerLedger {
  private readonly claims = new GroupCommit<'claim', { requestId: string; now: number }, boolean>(
    async (_key, items) => {
      const won = await this.claimAll(
        items.map((i) => i.requestId),
        Math.max(...items.map((i) => i.now)),
      );
      return won.map((value) => ({ ok: true as const, value }));
    },
  );

  constructor(
    private readonly gcp: GcpClients,
    private readonly project: string,
    private readonly backendService: string,
  ) {}

  private async read(): Promise<Ledger> {
    const [bs] = await this.gcp.compute.backendServices.get({
      project: this.project,
      backendService: this.backendService,
    });
    return readLedger(bs.description);
  }

  /** Which of `requestIds` were answered already (one read for all of them). */
  async answeredAmong(requestIds: readonly string[]): Promise<Set<string>> {
    const ledger = await this.read();
    return new Set(requestIds.filter((id) => ledgerKey(id) in ledger));
  }

  /** Claims the right to answer `requestId`: true if this caller won, false if another delivery did. */
  claim(requestId: string, now: number): Promise<boolean> {
    return this.claims.submit('claim', { requestId, now });
  }

  /**
   * Claims many request ids with ONE conditional patch. Answers, per position, whether that caller
   * won: false when the id was claimed already, or appears earlier in the same list.
   */
  async claimAll(requestIds: readonly string[], now: number): Promise<boolean[]> {
    const keys = requestIds.map(ledgerKey);
    let won: boolean[] = [];
    // The claim's value is its time (it orders aging) made unique to this attempt: if the patch is
    // applied but its answer is lost (a 5xx after the commit), a re-read tells whether it was ours.
    // Seconds × 10⁶ + six random digits (a safe integer): with only three random digits, two duplicates
    // claiming in the same second collided once in a thousand races, and each took the other's claim
    // for its own lost answer: the request was answered twice (test/chaos/soak.test.ts, a virtual week).
    const token = Math.floor(now / 1000) * 1_000_000 + Math.floor(Math.random() * 1_000_000);
    let claimed: string[] = [];
    try {
      await this.patch(`claim answers for ${requestIds.length} request(s)`, (ledger) => {
        // Derived again from every re-read: a key already holding this call's token is a claim of ours
        // whose answer was lost (the write layer retried a 5xx by reading again), still ours to answer.
        const seen = new Set<string>();
        won = keys.map((key) => {
          if (seen.has(key) || (key in ledger && ledger[key] !== token)) return false;
          seen.add(key);
          return true;
        });
        claimed = [...seen];
        const missing = claimed.filter((key) => ledger[key] !== token);
        if (missing.length === 0) return undefined;
        const next = { ...ledger };
        for (const key of missing) next[key] = token;
        return next;
      });
      return won;
    } catch (err) {
      if (await this.landed(claimed, token)) return won;
      throw err;
    }
  }

  /** Releases claims whose answer could not be published, so a redelivery answers instead. */
  async release(requestIds: readonly string[]): Promise<void> {
    const keys = requestIds.map(ledgerKey);
    await this.patch(`release ${keys.length} claim(s)`, (ledger) => {
      const present = keys.filter((k) => k in ledger);
      if (present.length === 0) return undefined;
      const next = { ...ledger };
      for (const k of present) delete next[k];
      return next;
    });
  }

  private patch(what: string, edit: (ledger: Ledger) => Ledger | undefined) {
    return patchBackendService(this.gcp, this.project, this.backendService, {
      what,
      policy: this.gcp.retry.contended,
      derive: (bs): BackendServicePatch | undefined => {
        const next = edit(readLedger(bs.description));
        return next && { patch: { description: writeLedger(next) }, changes: [what] };
      },
    });
  }

  /** After a failed claim write: did it land anyway? (All keys were written by one atomic patch.) */
  private async landed(keys: string[], token: number): Promise<boolean> {
    if (keys.length === 0) return false;
    try {
      const ledger = await withRetry(() => this.read(), { policy: this.gcp.retry.read });
      return keys.every((k) => ledger[k] === token);
    } catch {
      return false; // unknown: the caller's error stands and the delivery is retried
    }
  }
}
