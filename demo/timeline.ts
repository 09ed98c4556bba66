import type { RequestLogEntry } from '../emulator/core/request-log';
import type { WorldEvent, WorldSample } from '../emulator/world';
import type { LogEntry } from '../shared/core/logger';

export type TimelineKind = 'step' | 'alert' | 'decision' | 'action' | 'api' | 'dns' | 'result' | 'warn';

/** One line of the demo's timeline, at a virtual time. */
export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  text: string;
  region?: string;
}

/** Reasons the planner repeats on every reconcile with a changing number ("85s to go"): shown once per wording. */
const NOISY = new Set([
  'awaiting-healthy-window',
  'ramp-wait',
  'scale-out-cooldown',
  'scale-in-cooldown',
  'churn-limit',
  'max-replicas',
  'missing-metric',
  'absorb-load',
  'overloaded',
  'gpu-budget',
]);

/**
 * Turns the functions' structured log lines into timeline entries: each decision with its reason
 * (de-duplicated: the planner states its reasons on every reconcile), each write an actuator made,
 * each function outcome worth reading, warnings and errors. "No action" lines are left out.
 */
export class LogReader {
  private seen = new Set<string>();

  read(entry: LogEntry, at: number): TimelineEntry | undefined {
    const decision = typeof entry.decision === 'string' ? entry.decision : '';
    const fn = typeof entry.function === 'string' ? entry.function : undefined;
    const region = typeof entry.region === 'string' ? entry.region : undefined;
    if (entry.severity === 'WARNING' || entry.severity === 'ERROR' || entry.severity === 'CRITICAL') {
      return this.once(`warn|${entry.message}`, { at, kind: 'warn', text: entry.message.slice(0, 200) });
    }
    if (fn) {
      // Only the function's own outcome line (`<fn>: <decision>`), not its inner log lines.
      if (!entry.message.startsWith(`${fn}: `)) return undefined;
      if (fn === 'healthAlert' && decision.startsWith('incident'))
        return {
          at,
          kind: 'decision',
          region,
          text: `healthAlert: ${decision} (incident ${entry.incidentId}, capacityScaler ${entry.capacityScaler})`,
        };
      if (fn === 'capacityRequest' && ['granted', 'partial', 'rejected'].includes(decision)) {
        const placements = Array.isArray(entry.placements)
          ? (entry.placements as Array<{ region: string; replicas: number }>).map((p) => `${p.replicas} in ${p.region}`)
          : [];
        return {
          at,
          kind: 'result',
          text: `capacityRequest ${entry.requestId}: ${decision}${placements.length ? ` → ${placements.join(', ')}` : ''}`,
        };
      }
      if (decision === 'duplicate' || decision.startsWith('dead-letter') || decision === 'ignored')
        return { at, kind: 'result', text: `${fn}: ${decision}${entry.reason ? ` (${entry.reason})` : ''}` };
      return undefined;
    }
    if (decision === 'write') return { at, kind: 'action', text: `${entry.trigger ?? ''} ${entry.message}`.trim() };
    if (typeof entry.subject === 'string' && decision && decision !== 'no-op' && decision !== 'summary') {
      const wording = NOISY.has(decision) ? entry.message.replace(/\d+(\.\d+)?/g, '#') : entry.message;
      return this.once(`${entry.subject}|${decision}|${wording}`, {
        at,
        kind: 'decision',
        region: entry.subject,
        text: `why: ${entry.message}`,
      });
    }
    return undefined;
  }

  private once(key: string, e: TimelineEntry): TimelineEntry | undefined {
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    return e;
  }
}

/** A Compute or Cloud DNS write the emulator answered, as a short line. */
export function apiLine(r: RequestLogEntry, project: string): TimelineEntry | undefined {
  if (!r.write || (r.api !== 'compute' && r.api !== 'dns') || r.path.endsWith('/wait')) return undefined;
  const short = r.path
    .replace(`/compute/v1/projects/${project}/`, '')
    .replace(`/dns/v1/projects/${project}/`, '')
    .replace(/^regions\/([^/]+)\//, '$1 ');
  return { at: r.time, kind: 'api', text: `${r.api} ${r.method} ${short} → ${r.status}` };
}

/** Served-DNS changes noticed at the same instant, as one line. */
export function dnsLines(events: readonly WorldEvent[]): TimelineEntry[] {
  const byAt = new Map<number, string[]>();
  for (const e of events) {
    if (e.kind !== 'dns') continue;
    const list = byAt.get(e.at) ?? [];
    list.push(`${e.location} → ${e.to.join('+') || '∅'}`);
    byAt.set(e.at, list);
  }
  return [...byAt].map(([at, parts]) => ({
    at,
    kind: 'dns' as const,
    text: `Cloud DNS now answers ${parts.join('; ')}`,
  }));
}

/** `T+05:30` for a virtual time relative to the scenario start. */
export function clockLabel(at: number, t0: number): string {
  const s = Math.round((at - t0) / 1000);
  const sign = s < 0 ? '-' : '+';
  const a = Math.abs(s);
  return `T${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const KIND_LABEL: Record<TimelineKind, string> = {
  step: 'EVENT ',
  alert: 'ALERT ',
  decision: 'DECIDE',
  action: 'WRITE ',
  api: 'API   ',
  dns: 'DNS   ',
  result: 'RESULT',
  warn: 'WARN  ',
};
const KIND_COLOR: Record<TimelineKind, string> = {
  step: '1;35',
  alert: '1;31',
  decision: '36',
  action: '1;32',
  api: '2',
  dns: '1;34',
  result: '33',
  warn: '31',
};

export function formatEntry(e: TimelineEntry, t0: number, color: boolean): string {
  const label = color ? `\x1b[${KIND_COLOR[e.kind]}m${KIND_LABEL[e.kind]}\x1b[0m` : KIND_LABEL[e.kind];
  return `${clockLabel(e.at, t0)}  ${label}  ${e.text}`;
}

/** The compact per-region table: health, replicas, capacityScaler, locations served, p95. */
export function regionTable(sample: WorldSample, t0: number, color: boolean): string[] {
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const lines = [
    dim(
      `${clockLabel(sample.at, t0)}  ${'region'.padEnd(16)} ${'health'.padEnd(9)} ${'run/target'.padEnd(10)} ${'scaler'.padEnd(6)} ${'p95'.padStart(7)}  serves`,
    ),
  ];
  for (const [name, r] of Object.entries(sample.regions)) {
    const serves = Object.entries(sample.locations)
      .filter(([, l]) => l.rps > 0 && (l.served[name] ?? 0) / l.rps >= 0.1)
      .map(
        ([loc, l]) =>
          `${loc}${(l.served[name] ?? 0) / l.rps < 0.95 ? `(${Math.round(((l.served[name] ?? 0) / l.rps) * 100)}%)` : ''}`,
      );
    const ok = r.healthy > 0 && r.errorRatio < 0.5;
    const health = `${ok ? '●' : '✖'} ${r.healthy} ok`.padEnd(9);
    const healthText = color ? `\x1b[${ok ? '32' : '31'}m${health}\x1b[0m` : health;
    const p95 = r.healthy > 0 ? `${(r.p95Ms / 1000).toFixed(1)}s` : '—';
    const list = serves.join(' ');
    lines.push(
      `        ${name.padEnd(16)} ${healthText} ${`${r.running}/${r.target}`.padEnd(10)} ${r.capacityScaler.toFixed(2).padEnd(6)} ${p95.padStart(7)}  ${list.length > 70 ? `${list.slice(0, 67)}…` : list || '—'}`,
    );
  }
  return lines;
}
