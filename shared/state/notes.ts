/**
 * State that must outlive one function invocation lives in Google Cloud itself (DESIGN §2), in the
 * `description` of the resource it is about, written in the same conditional write as the change:
 *
 * - a region's backend on the global backend service: the open incidents that drained it, incidents
 *   already closed (so a close that arrives before its open is not undone), and when its current
 *   healthy streak began (the recovery ramp counts from it);
 * - a region's autoscaler: when georoute last scaled it out and in (the cooldowns count from them).
 *
 * Format: the `georoute/v1` envelope of codec.ts. Anything else in a description is read as empty.
 */
import { decodeState, encodeState, numberMap, numberOrNull } from './codec';

/** Google limits descriptions to 2048 characters; keep well under. */
const MAX_ENTRIES = 12;

export interface BackendNote {
  /** Open incidents: id → started_at (epoch ms). */
  open: Record<string, number>;
  /** Closed incidents: id → ended_at (epoch ms); a later "open" for one of these is stale. */
  closed: Record<string, number>;
  /** Epoch ms when the region last became healthy; null = healthy for longer than recorded. */
  healthySince: number | null;
  /** The region was unhealthy when last reconciled: its next healthy sighting starts a streak. */
  unhealthy: boolean;
  /** Epoch ms the region was first seen with only new VMs and none serving (warming); null = not warming. */
  warmingSince: number | null;
  /**
   * Epoch ms georoute first saw the region with a healthy backend; null = not yet. Alerts a region
   * raised before it ever served are its start-up, not a failure (shared/plan/evidence.ts).
   */
  servedAt: number | null;
  /**
   * Epoch ms georoute saw the region's current overload begin (offered more than its healthy
   * replicas serve); null = not overloaded when last reconciled.
   */
  overloadedSince: number | null;
  /** Epoch ms georoute saw its last overload end: alerts whose window held it are that overload. */
  overloadEndedAt: number | null;
}

export interface AutoscalerNote {
  lastScaleOutAt: number | null;
  lastScaleInAt: number | null;
}

export const emptyBackendNote = (): BackendNote => ({
  open: {},
  closed: {},
  healthySince: null,
  unhealthy: false,
  warmingSince: null,
  servedAt: null,
  overloadedSince: null,
  overloadEndedAt: null,
});
export const emptyAutoscalerNote = (): AutoscalerNote => ({ lastScaleOutAt: null, lastScaleInAt: null });

export function readBackendNote(description: string | null | undefined): BackendNote {
  const raw = decodeState(description);
  if (!raw) return emptyBackendNote();
  return {
    open: numberMap(raw.o),
    closed: numberMap(raw.c),
    healthySince: numberOrNull(raw.h),
    unhealthy: raw.u === 1,
    warmingSince: numberOrNull(raw.w),
    servedAt: numberOrNull(raw.s),
    overloadedSince: numberOrNull(raw.ls),
    overloadEndedAt: numberOrNull(raw.le),
  };
}

/** Keeps the newest entries only, so the note stays small however many incidents come and go. */
function newest(map: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(map)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, MAX_ENTRIES)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export function writeBackendNote(note: BackendNote): string {
  return encodeState({
    o: newest(note.open),
    c: newest(note.closed),
    h: note.healthySince,
    u: note.unhealthy ? 1 : 0,
    ...(note.warmingSince !== null ? { w: note.warmingSince } : {}),
    ...(note.servedAt !== null ? { s: note.servedAt } : {}),
    ...(note.overloadedSince !== null ? { ls: note.overloadedSince } : {}),
    ...(note.overloadEndedAt !== null ? { le: note.overloadEndedAt } : {}),
  });
}

export function readAutoscalerNote(description: string | null | undefined): AutoscalerNote {
  const raw = decodeState(description);
  if (!raw) return emptyAutoscalerNote();
  return { lastScaleOutAt: numberOrNull(raw.out), lastScaleInAt: numberOrNull(raw.in) };
}

export function writeAutoscalerNote(note: AutoscalerNote): string {
  return encodeState({ out: note.lastScaleOutAt, in: note.lastScaleInAt });
}

/**
 * Applies one incident notification to a note. Idempotent and order-independent: a duplicate does
 * nothing, and a close seen before its open leaves the incident closed.
 */
export function applyIncident(
  note: BackendNote,
  incident: { id: string; state: 'open' | 'closed'; at: number },
): BackendNote {
  const open = { ...note.open };
  const closed = { ...note.closed };
  if (incident.state === 'closed') {
    delete open[incident.id];
    closed[incident.id] = incident.at;
  } else if (!(incident.id in closed)) {
    open[incident.id] = open[incident.id] ?? incident.at;
  }
  return { ...note, open, closed };
}
