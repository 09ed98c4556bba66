import type { GeoAnswer } from './resolve';

/**
 * Caching resolvers, one per client location: an answer is reused until its TTL runs out
 * ("the time interval that the resource record may be cached", RFC 1035 §3.2.1), so a change the
 * name servers already serve reaches a client only when its resolver's copy expires. Not saved
 * with the state: a restart starts with cold resolvers.
 */
export class ResolverCache {
  private readonly entries = new Map<string, { answer: GeoAnswer; expiresAt: number }>();

  lookup(key: string, now: number, fresh: () => GeoAnswer): GeoAnswer & { cachedUntil: number } {
    let entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) {
      const answer = fresh();
      entry = { answer, expiresAt: now + answer.ttl * 1000 };
      this.entries.set(key, entry);
    }
    return { ...entry.answer, cachedUntil: entry.expiresAt };
  }

  clear(): void {
    this.entries.clear();
  }
}
