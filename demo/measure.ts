import type { WorldEvent, WorldSample } from '../emulator/world';

export interface StepRecord {
  at: number;
  action: string;
  region?: string;
  text: string;
}

/** Reaction times of one outage, in simulated seconds, measured from what was recorded. */
export interface Measures {
  failedRegion: string | null;
  failureAt: number | null;
  /** Failure → the region's capacityScaler is 0 on the global backend service. */
  toDrainSec: number | null;
  /** Failure → Cloud DNS serves no answer pointing at the region. */
  toDnsRewriteSec: number | null;
  /** Failure → every neighbour that scaled out for the region's clients has its new replicas RUNNING & healthy. */
  toNeighbourReadySec: number | null;
  /** Regions that took over the failed region's locations. */
  neighbours: string[];
  recoverAt: number | null;
  /** Recovery → the region's capacityScaler is back to 1. */
  toRecoveredSec: number | null;
}

const sec = (ms: number) => Math.round(ms / 100) / 10;

export function measure(
  steps: readonly StepRecord[],
  samples: readonly WorldSample[],
  events: readonly WorldEvent[],
): Measures {
  const failure = steps.find((s) => s.action === 'failRegion' && s.region);
  const out: Measures = {
    failedRegion: failure?.region ?? null,
    failureAt: failure?.at ?? null,
    toDrainSec: null,
    toDnsRewriteSec: null,
    toNeighbourReadySec: null,
    neighbours: [],
    recoverAt: null,
    toRecoveredSec: null,
  };
  if (!failure?.region) return out;
  const region = failure.region;
  const t = failure.at;

  const drain = events.find((e) => e.kind === 'scaler' && e.region === region && e.to === 0 && e.at >= t);
  if (drain) out.toDrainSec = sec(drain.at - t);

  // Served answers at the failure: the last sample before it, then the DNS changes after that sample.
  const base = [...samples].reverse().find((s) => s.at <= t);
  const answers = new Map<string, string[]>(Object.entries(base?.locations ?? {}).map(([l, s]) => [l, s.answer]));
  const since = base?.at ?? Number.NEGATIVE_INFINITY;
  const dns = events.filter((e): e is Extract<WorldEvent, { kind: 'dns' }> => e.kind === 'dns' && e.at > since);
  for (const e of dns) if (e.at <= t) answers.set(e.location, e.to);
  const home = [...answers].filter(([, a]) => a.includes(region)).map(([l]) => l);
  let rewriteAt: number | null = home.length === 0 ? t : null;
  for (const e of dns) {
    if (e.at <= t || rewriteAt !== null) continue;
    answers.set(e.location, e.to);
    if (![...answers.values()].some((a) => a.includes(region))) rewriteAt = e.at;
  }
  if (rewriteAt !== null) {
    out.toDnsRewriteSec = sec(rewriteAt - t);
    out.neighbours = [...new Set(home.flatMap((l) => answers.get(l) ?? []))]
      .filter((r) => r !== region && r !== 'anycast')
      .sort();
  }

  // Neighbour capacity: from the failure on, each neighbour that was short of its target (scaled out,
  // or still booting what its autoscaler asked for) is ready when healthy ≥ target again.
  const replicas = events.filter((e): e is Extract<WorldEvent, { kind: 'replicas' }> => e.kind === 'replicas');
  let readyAt: number | null = null;
  let anyScaled = false;
  let allReady = true;
  for (const n of out.neighbours) {
    const before = [...replicas].reverse().find((e) => e.region === n && e.at <= t);
    let short = before !== undefined && before.healthy < before.target;
    let ready: number | null = null;
    for (const e of replicas) {
      if (e.region !== n || e.at < t) continue;
      if (e.healthy < e.target) short = true;
      else if (short) {
        ready = e.at;
        break;
      }
    }
    if (!short) continue;
    anyScaled = true;
    if (ready === null) allReady = false;
    else readyAt = Math.max(readyAt ?? ready, ready);
  }
  if (anyScaled && allReady && readyAt !== null) out.toNeighbourReadySec = sec(readyAt - t);

  const recover = steps.find((s) => s.action === 'recoverRegion' && s.region === region && s.at >= t);
  if (recover) {
    out.recoverAt = recover.at;
    const back = events.find((e) => e.kind === 'scaler' && e.region === region && e.to >= 1 && e.at >= recover.at);
    if (back) out.toRecoveredSec = sec(back.at - recover.at);
  }
  return out;
}

export function describeMeasures(m: Measures): string[] {
  if (!m.failedRegion) return ['no region failed in this scenario: no reaction times to measure'];
  const f = (v: number | null, what: string) => (v === null ? `not reached (${what})` : `${v} s`);
  return [
    `failure of ${m.failedRegion} → drained (capacityScaler 0):         ${f(m.toDrainSec, 'never drained')}`,
    `failure of ${m.failedRegion} → DNS rewritten (no answer to it):    ${f(m.toDnsRewriteSec, 'still answered')}`,
    `failure of ${m.failedRegion} → neighbour capacity ready${m.neighbours.length ? ` (${m.neighbours.join(', ')})` : ''}: ${f(m.toNeighbourReadySec, 'no neighbour was short of capacity, or it never caught up')}`,
    ...(m.recoverAt !== null
      ? [`recovery of ${m.failedRegion} → back at capacityScaler 1: ${f(m.toRecoveredSec, 'not within the scenario')}`]
      : []),
  ];
}
