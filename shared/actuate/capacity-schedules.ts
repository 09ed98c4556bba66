/**
 * A batch of capacity requests placed in one region, written as ONE autoscaler patch. Requests with the
 * same window (same cron, same duration) share one schedule — an existing enabled georoute schedule of
 * that window, else one named after the first of them — whose floor is the largest they ask for: the
 * autoscaler takes the max of its schedules anyway, and Google's 128 schedules per autoscaler are not
 * spent one request at a time. A request that would need a new schedule when the autoscaler has no
 * room loses that placement, with the reason.
 * https://cloud.google.com/compute/docs/autoscaler/scaling-schedules
 */
import { createHash } from 'node:crypto';
import type { Autoscaler } from '../observe';
import { type CapacityWindow, scheduleFor } from '../plan';
import {
  decodeScheduleMeta,
  encodeScheduleMeta,
  expiredSchedules,
  isGeorouteSchedule,
  scheduleName,
  schedulesOf,
} from '../state';
import { applyCapacity, type ScheduleSpec } from './capacity';
import type { ActuatorDeps } from './types';

/** Compute Engine's limit on scaling schedules per autoscaler (disabled ones count too). */
export const MAX_SCHEDULES_PER_AUTOSCALER = 128;

export interface Placed {
  requestId: string;
  replicas: number;
  window: CapacityWindow;
}

export interface ScheduleWrite {
  region: string;
  autoscaler: string;
  current: Autoscaler | undefined;
  placed: Placed[];
  /** The floor the plan now wants here, written with the schedules if it raises the current one. */
  floor?: { minReplicas: number; description: string };
  /** Id of an event of the batch (the write's requestId derives from the requests, not from it). */
  eventId: string;
  /** Epoch ms: schedules expired by then are deleted in the same write. */
  now: number;
}

export interface ScheduleWriteResult {
  /** Request id → why its placement here was dropped. */
  dropped: Map<string, string>;
  /** A schedule was created or raised (the floors changed: a reconcile is owed). */
  changed: boolean;
}

export async function writeSchedules(deps: ActuatorDeps, w: ScheduleWrite): Promise<ScheduleWriteResult> {
  const dropped = new Map<string, string>();
  if (w.placed.length === 0) return { dropped, changed: false };
  const existing = schedulesOf(w.current);
  const windows = new Map<string, { spec: ScheduleSpec; members: Placed[]; expiresAt?: number }>();
  for (const p of w.placed) {
    const spec = scheduleFor(p.window, p.replicas);
    const key = `${spec.schedule}|${spec.durationSec}|${spec.timeZone}`;
    const group = windows.get(key);
    if (!group) windows.set(key, { spec, members: [p], expiresAt: p.window.expiresAt });
    else {
      group.spec.minRequiredReplicas = Math.max(group.spec.minRequiredReplicas, p.replicas);
      group.members.push(p);
      if (p.window.expiresAt && (!group.expiresAt || p.window.expiresAt > group.expiresAt))
        group.expiresAt = p.window.expiresAt;
    }
  }
  // Expired georoute schedules go in the same write: they would otherwise hold places of the 128.
  const retire = expiredSchedules(w.current, w.now);
  let count = Object.keys(existing).length - retire.length;
  const upserts: Record<string, ScheduleSpec> = {};
  for (const { spec, members, expiresAt: groupExpiry } of windows.values()) {
    const host = Object.entries(existing).find(
      ([name, s]) =>
        isGeorouteSchedule(name) &&
        !s.disabled &&
        !retire.includes(name) &&
        s.schedule === spec.schedule &&
        s.durationSec === spec.durationSec &&
        (s.timeZone ?? 'UTC') === spec.timeZone,
    );
    const first = (members[0] as Placed).requestId;
    let name = scheduleName(first);
    let hostedBy = first;
    let expiresAt = groupExpiry;
    if (host) {
      name = host[0];
      const meta = decodeScheduleMeta(host[1].description);
      hostedBy = meta?.requestId ?? first;
      if (meta?.expiresAt && (!expiresAt || meta.expiresAt > expiresAt)) expiresAt = meta.expiresAt;
      spec.minRequiredReplicas = Math.max(spec.minRequiredReplicas, host[1].minRequiredReplicas ?? 0);
    } else if (!(name in existing) || retire.includes(name)) {
      if (count >= MAX_SCHEDULES_PER_AUTOSCALER) {
        const why = `${w.region}: autoscaler ${w.autoscaler} already has ${count} scaling schedules (Compute Engine allows ${MAX_SCHEDULES_PER_AUTOSCALER} per MIG)`;
        for (const m of members) dropped.set(m.requestId, why);
        continue;
      }
      count++;
    }
    const shared = members.length > 1 || host;
    upserts[name] = {
      ...spec,
      description: encodeScheduleMeta({
        requestId: hostedBy,
        expiresAt,
        ...(shared ? { members: members.length } : {}),
      }),
    };
  }
  if (Object.keys(upserts).length === 0) return { dropped, changed: false };
  const ids = [...new Set(w.placed.map((p) => p.requestId))].sort();
  const written = await applyCapacity(
    deps,
    {
      region: w.region,
      autoscaler: w.autoscaler,
      upsertSchedules: upserts,
      retireSchedules: retire,
      ...(w.floor ? { minReplicas: w.floor.minReplicas, description: w.floor.description } : {}),
      current: w.current,
      // Derived from the requests (not the deliveries): a redelivered batch repeats the same requestId.
      idempotencyKey: `capacity:${createHash('sha256').update(ids.join('\n')).digest('hex')}`,
    },
    { eventId: w.eventId },
  );
  return { dropped, changed: written.changed };
}
