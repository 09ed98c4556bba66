import type { protos } from '@google-cloud/compute';
import { requestIdFor, toApiError } from '../core';
import { plain, waitForOperation } from '../gcp';
import { isGeorouteSchedule, SCHEDULE_PREFIX } from '../state';
import { type ActuationContext, type ActuationResult, type ActuatorDeps, emptyResult } from './types';

type Schedule = protos.google.cloud.compute.v1.IAutoscalingPolicyScalingSchedule;

export interface ScheduleSpec {
  minRequiredReplicas: number;
  /** Cron, in `timeZone`. */
  schedule: string;
  durationSec: number;
  timeZone?: string;
  description?: string;
}

export interface CapacityDesired {
  region: string;
  autoscaler: string;
  /** The replica floor (autoscalingPolicy.minNumReplicas); unset = leave it. */
  minReplicas?: number;
  maxReplicas?: number;
  /** georoute scaling schedules to create or update (enabled). Others are left as they are. */
  upsertSchedules?: Record<string, ScheduleSpec>;
  /**
   * georoute schedules to disable (expired capacity requests). Disabled, not deleted: a JSON merge
   * patch cannot remove a map entry through the client, and a disabled schedule does nothing.
   */
  disableSchedules?: string[];
  /** New autoscaler `description`, written with the change (cooldown clocks live there). */
  description?: string;
  /** Key the write's requestId derives from, instead of the event id (capacity requests use theirs). */
  idempotencyKey?: string;
  /**
   * The autoscaler as observe just read it: diffed against instead of a second read. The Autoscaler
   * has no fingerprint, so a read a moment later would not make the patch any safer; the patch only
   * carries the fields that differ.
   */
  current?: protos.google.cloud.compute.v1.IAutoscaler;
}

function sameSchedule(a: Schedule | undefined, b: ScheduleSpec): boolean {
  return (
    !!a &&
    !a.disabled &&
    a.minRequiredReplicas === b.minRequiredReplicas &&
    a.schedule === b.schedule &&
    a.durationSec === b.durationSec &&
    (a.timeZone ?? 'UTC') === (b.timeZone ?? 'UTC')
  );
}

/**
 * Makes a regional autoscaler's floor, ceiling and georoute schedules match `desired`. Scaling goes
 * through the autoscaler, never `resize`: Google refuses to resize an autoscaled MIG (412).
 * read → diff → one patch (only the changed fields) with a requestId from the event → wait for DONE.
 */
export async function applyCapacity(
  deps: ActuatorDeps,
  desired: CapacityDesired,
  ctx: ActuationContext,
): Promise<ActuationResult> {
  const result = emptyResult(`regions/${desired.region}/autoscalers/${desired.autoscaler}`);
  const client = deps.gcp.compute.regionAutoscalers;
  let current = desired.current;
  if (!current) {
    [current] = await client.get({ project: deps.project, region: desired.region, autoscaler: desired.autoscaler });
    result.reads++;
  }
  const policy = plain(current.autoscalingPolicy ?? {});
  const patch: protos.google.cloud.compute.v1.IAutoscalingPolicy = {};
  const changes: string[] = [];
  if (desired.minReplicas !== undefined && (policy.minNumReplicas ?? 0) !== desired.minReplicas) {
    patch.minNumReplicas = desired.minReplicas;
    changes.push(`minNumReplicas ${policy.minNumReplicas ?? 0} → ${desired.minReplicas}`);
  }
  if (desired.maxReplicas !== undefined && policy.maxNumReplicas !== desired.maxReplicas) {
    patch.maxNumReplicas = desired.maxReplicas;
    changes.push(`maxNumReplicas ${policy.maxNumReplicas} → ${desired.maxReplicas}`);
  }
  const existing = (policy.scalingSchedules ?? {}) as Record<string, Schedule>;
  const schedules: Record<string, Schedule> = {};
  for (const [name, spec] of Object.entries(desired.upsertSchedules ?? {})) {
    if (!isGeorouteSchedule(name)) throw new Error(`schedule '${name}' must start with '${SCHEDULE_PREFIX}'`);
    if (sameSchedule(existing[name], spec)) continue;
    schedules[name] = { ...spec, timeZone: spec.timeZone ?? 'UTC', disabled: false };
    changes.push(`schedule ${name}: ${spec.minRequiredReplicas} replicas for ${spec.durationSec}s`);
  }
  for (const name of desired.disableSchedules ?? []) {
    const schedule = existing[name];
    if (!isGeorouteSchedule(name) || !schedule || schedule.disabled) continue;
    schedules[name] = { ...schedule, disabled: true };
    changes.push(`schedule ${name} disabled`);
  }
  if (Object.keys(schedules).length > 0) patch.scalingSchedules = schedules;
  if (changes.length === 0) {
    result.skipped = 'autoscaler already matches the plan';
    return result;
  }
  try {
    const op = await client.patch({
      project: deps.project,
      region: desired.region,
      autoscaler: desired.autoscaler,
      requestId: requestIdFor(
        desired.idempotencyKey ?? ctx.eventId,
        `autoscaler:${desired.region}/${desired.autoscaler}:${JSON.stringify(policy)}→${JSON.stringify(patch)}`,
      ),
      autoscalerResource: {
        name: desired.autoscaler,
        autoscalingPolicy: patch,
        ...(desired.description !== undefined ? { description: desired.description } : {}),
      },
    });
    result.writes++;
    await waitForOperation(deps.gcp, op, { what: `patch autoscaler ${desired.region}/${desired.autoscaler}` });
  } catch (err) {
    throw toApiError(err, `patch autoscaler ${desired.region}/${desired.autoscaler}`);
  }
  result.changed = true;
  result.changes = changes;
  return result;
}
