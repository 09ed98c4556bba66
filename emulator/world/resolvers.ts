/** What the world keeps of DNS answers: each location's resolvers (emulator/world/index.ts polls Cloud DNS). */
import type { Router } from '../core/router';

/** What a location's resolvers hold: the answer, and the one before it until the TTL has passed. */
export interface Resolver {
  ips: string[];
  previous: string[];
  /** Each IP's share of the answers when they are not equal (WRR, failover trickle traffic). */
  weights?: Record<string, number>;
  previousWeights?: Record<string, number>;
  changedAt: number;
  ttlMs: number;
}

/** An answer as resolvers hold it: its IPs (sorted) and, when unequal, each IP's share. */
export interface Held {
  ips: string[];
  weights?: Record<string, number>;
  ttlMs: number;
}

export const heldKey = (h: { ips: string[]; weights?: Record<string, number> }): string =>
  `${h.ips.join()} ${h.weights ? JSON.stringify(h.weights) : ''}`;

/** Each IP's share of an answer with weighted sets (each set's share split equally over its IPs). */
function weightsOf(
  weighted: Array<{ share: number; rrdatas: string[] }> | undefined,
): Record<string, number> | undefined {
  if (!weighted || weighted.length < 2) return undefined;
  const out: Record<string, number> = {};
  for (const w of weighted) for (const ip of w.rrdatas) out[ip] = (out[ip] ?? 0) + w.share / w.rrdatas.length;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * What Cloud DNS's name servers answer `location` for the record now, through the DNS service's own
 * control route (healthy targets only, `done` changes only); undefined while there is no zone or record.
 */
export function servedAnswer(router: Router, project: string, name: string, location: string): Held | undefined {
  const route = router.match('GET', '/__emulator/dns/resolve');
  if (!route) return undefined;
  try {
    const answer = route.handler({
      method: 'GET',
      path: '/__emulator/dns/resolve',
      params: {},
      query: new URLSearchParams({ project, name, type: 'A', location }),
      body: undefined,
      headers: {},
    }) as { rrdatas?: string[]; ttl?: number; weighted?: Array<{ share: number; rrdatas: string[] }> };
    const weights = weightsOf(answer.weighted);
    return {
      ips: [...(answer.rrdatas ?? [])].sort(),
      ...(weights ? { weights } : {}),
      ttlMs: (answer.ttl ?? 0) * 1000,
    };
  } catch {
    return undefined;
  }
}
