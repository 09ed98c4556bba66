import type { LogEntry } from '../shared/core/logger';
import type { Stack } from './stack';
import { apiLine, dnsLines, LogReader, type TimelineEntry } from './timeline';

export interface IncidentRecord {
  id: string;
  region: string | null;
  policy: string;
  openedAt: number;
  closedAt: number | null;
}

/**
 * Gathers what happened since the last call, as timeline entries: the functions' log lines (captured
 * from stdout with the virtual time they were written at), the twin's Compute and DNS writes, served
 * DNS changes the world noticed, and incidents Monitoring opened or closed.
 */
export class Collector {
  /** Log lines waiting to be read, with the virtual time they arrived. */
  readonly pending: Array<{ entry: LogEntry; at: number }> = [];
  readonly incidents = new Map<string, IncidentRecord>();
  /** Reconciles the functions finished (their `reconcile: …` outcome lines). */
  reconciles = 0;
  private readonly reader = new LogReader();
  private logMark: number;
  private eventIndex: number;

  constructor(
    private readonly stack: Stack,
    private readonly project: string,
  ) {
    this.logMark = stack.emulator.ctx.log.mark;
    this.eventIndex = stack.emulator.world.events.length;
  }

  /** Everything new, sorted by time; `keep: false` reads and drops it (the warm-up is not news at T+0). */
  collect(keep = true): TimelineEntry[] {
    const e = this.stack.emulator;
    const batch: TimelineEntry[] = [];
    for (const { entry, at } of this.pending.splice(0)) {
      if (entry.function === 'reconcile' && entry.message.startsWith('reconcile: ')) this.reconciles++;
      const line = this.reader.read(entry, at);
      if (line) batch.push(line);
    }
    for (const r of e.ctx.log.list({ since: this.logMark })) {
      const line = apiLine(r, this.project);
      if (line) batch.push(line);
    }
    this.logMark = e.ctx.log.mark;
    batch.push(...dnsLines(e.world.events.slice(this.eventIndex)));
    this.eventIndex = e.world.events.length;
    for (const inc of e.monitoring.incidents()) {
      const info = this.stack.policies.get(inc.policy);
      let rec = this.incidents.get(inc.incidentId);
      if (!rec) {
        rec = {
          id: inc.incidentId,
          region: info?.region ?? null,
          policy: info?.name ?? inc.policy,
          openedAt: inc.startedAt,
          closedAt: null,
        };
        this.incidents.set(inc.incidentId, rec);
        batch.push({
          at: inc.startedAt,
          kind: 'alert',
          region: rec.region ?? undefined,
          text: `Monitoring opened incident ${inc.incidentId}: ${rec.policy} (value ${Number(inc.observedValue).toFixed(2)})`,
        });
      }
      if (inc.endedAt !== null && rec.closedAt === null) {
        rec.closedAt = inc.endedAt;
        batch.push({
          at: inc.endedAt,
          kind: 'alert',
          region: rec.region ?? undefined,
          text: `Monitoring closed incident ${inc.incidentId}: ${rec.policy}`,
        });
      }
    }
    return keep ? batch.sort((a, b) => a.at - b.at) : [];
  }
}
