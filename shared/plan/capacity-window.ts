/**
 * When a capacity request's floor holds, and the scaling schedule that expresses it. Pure.
 *
 * A time-boxed request starts in the minute it was published (a burst shares one window, and a
 * redelivery computes the same one), unless that would leave less than Google's minimum schedule
 * duration of 5 minutes; it lasts `durationMinutes`, then the schedule expires by itself. An
 * open-ended request is a schedule active every minute for 5 minutes: always on, until withdrawn.
 * https://cloud.google.com/compute/docs/autoscaler/scaling-schedules
 */
import type { ScheduleSpec } from '../actuate';

/** Google's minimum scaling-schedule duration. */
export const MIN_SCHEDULE_MS = 5 * 60_000;

export interface CapacityWindow {
  /** Epoch ms the floor starts holding (a minute boundary). */
  startsAt: number;
  /** Epoch ms it ends; absent = open-ended. */
  expiresAt?: number;
}

const minuteOf = (at: number): number => Math.floor(at / 60_000) * 60_000;

export function capacityWindow(now: number, publishedAt: number | undefined, durationMinutes?: number): CapacityWindow {
  const published = publishedAt !== undefined && publishedAt <= now ? publishedAt : now;
  const duration = (durationMinutes ?? 0) * 60_000;
  const startsAt = published + duration - now >= MIN_SCHEDULE_MS ? minuteOf(published) : minuteOf(now);
  return durationMinutes ? { startsAt, expiresAt: startsAt + duration } : { startsAt };
}

/** A one-shot cron for the minute `at` falls in (UTC). */
function cronAt(at: number): string {
  const d = new Date(at);
  return `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

/** The scaling schedule that holds `replicas` over `window`. */
export function scheduleFor(window: CapacityWindow, replicas: number): ScheduleSpec {
  return window.expiresAt
    ? {
        minRequiredReplicas: replicas,
        schedule: cronAt(window.startsAt),
        durationSec: Math.round((window.expiresAt - window.startsAt) / 1000),
        timeZone: 'UTC',
      }
    : { minRequiredReplicas: replicas, schedule: '* * * * *', durationSec: 300, timeZone: 'UTC' };
}
