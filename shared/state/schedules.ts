/**
 * Capacity requests live as georoute scaling schedules on the regional autoscalers (DESIGN §2): the
 * autoscaler enforces the floor by itself and a time-boxed one expires by itself. This module owns
 * their names and the `georoute/v1` description each carries (which request(s), until when).
 * Schedules whose name lacks the prefix are the operator's and never touched.
 * https://cloud.google.com/compute/docs/autoscaler/scaling-schedules
 */
import { createHash } from 'node:crypto';
import type { protos } from '@google-cloud/compute';
import { plain } from '../gcp';
import { decodeState, encodeState } from './codec';

export type Schedule = protos.google.cloud.compute.v1.IAutoscalingPolicyScalingSchedule;
type Autoscaler = protos.google.cloud.compute.v1.IAutoscaler;

export const SCHEDULE_PREFIX = 'georoute-';
/** Google's limit on a scaling schedule's description. */
const MAX_SCHEDULE_DESCRIPTION = 512;

export interface ScheduleMeta {
  /** The request the schedule was made for (its host when several share it). */
  requestId: string;
  /** Epoch ms; absent = until withdrawn. */
  expiresAt?: number;
  /** How many requests share the schedule, when more than one ever did. */
  members?: number;
}

export const isGeorouteSchedule = (name: string): boolean => name.startsWith(SCHEDULE_PREFIX);

/** A scaling-schedule name for a request id: RFC 1035, unique per id, readable. */
export function scheduleName(requestId: string): string {
  const slug = requestId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  const hash = createHash('sha256').update(requestId).digest('hex').slice(0, 8);
  return `${SCHEDULE_PREFIX}req-${slug ? `${slug}-` : ''}${hash}`;
}

export function encodeScheduleMeta(meta: ScheduleMeta): string {
  const value = { r: meta.requestId, e: meta.expiresAt, ...(meta.members !== undefined ? { n: meta.members } : {}) };
  return encodeState(value).slice(0, MAX_SCHEDULE_DESCRIPTION);
}

export function decodeScheduleMeta(description: string | null | undefined): ScheduleMeta | undefined {
  const v = decodeState(description);
  if (!v || typeof v.r !== 'string') return undefined;
  return {
    requestId: v.r,
    ...(typeof v.e === 'number' ? { expiresAt: v.e } : {}),
    ...(typeof v.n === 'number' ? { members: v.n } : {}),
  };
}

/** The autoscaler's schedules as plain objects (the client's map decodes with private keys). */
export function schedulesOf(autoscaler: Autoscaler | undefined): Record<string, Schedule> {
  return plain(autoscaler?.autoscalingPolicy?.scalingSchedules ?? {}) as Record<string, Schedule>;
}

export interface LiveSchedule {
  name: string;
  schedule: Schedule;
  meta: ScheduleMeta;
}

/** georoute schedules that are enabled, readable and not expired at `now`: the capacity floors in force. */
export function liveSchedules(autoscaler: Autoscaler | undefined, now: number): LiveSchedule[] {
  return Object.entries(schedulesOf(autoscaler)).flatMap(([name, schedule]) => {
    if (!isGeorouteSchedule(name) || schedule.disabled) return [];
    const meta = decodeScheduleMeta(schedule.description);
    if (!meta || (meta.expiresAt !== undefined && meta.expiresAt <= now)) return [];
    return [{ name, schedule, meta }];
  });
}

/**
 * georoute schedules that hold nothing any more, to delete (sorted): expired ones, and disabled ones
 * (what earlier versions left instead of deleting). They still count toward Google's 128 per autoscaler.
 */
export function expiredSchedules(autoscaler: Autoscaler | undefined, now: number): string[] {
  return Object.entries(schedulesOf(autoscaler))
    .filter(([name, s]) => {
      if (!isGeorouteSchedule(name)) return false;
      if (s.disabled) return true;
      const meta = decodeScheduleMeta(s.description);
      return meta?.expiresAt !== undefined && meta.expiresAt <= now;
    })
    .map(([name]) => name)
    .sort();
}
