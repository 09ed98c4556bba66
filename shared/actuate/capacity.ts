import type { protos } from '@google-cloud/compute';
import { requestIdFor, toApiError } from '../core';
import { plain, waitForOperation, withRetry } from '../gcp';
import { isGeorouteSchedule, SCHEDULE_PREFIX, schedulesOf } from '../state';
import { type ActuationContext, type ActuationResult, type ActuatorDeps, emptyResult } from './types';

type Schedule = protos.google.cloud.compute.v1.IAutoscalingPolicyScalingSchedule;
type Autoscaler = protos.google.cloud.compute.v1.IAutoscaler;
type AutoscalingPolicy = protos.google.cloud.compute.v1.IAutoscalingPolicy;

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
   * georoute schedules to delete (expired or disabled): Google allows 128 per autoscaler, disabled ones
   * included (https://cloud.google.com/compute/docs/autoscaler/scaling-schedules). Never an operator's.
   */
  retireSchedules?: string[];
  /** New autoscaler `description`, written with the change (cooldown clocks live there). */
  description?: string;
  /** Key the write's requestId derives from, instead of the event id (capacity requests use theirs). */
  idempotencyKey?: string;
  /** The autoscaler as observe just read it: diffed against instead of a second read. */
  current?: Autoscaler;
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

interface Change {
  patch: AutoscalingPolicy;
  upserts: Record<string, Schedule>;
  retire: string[];
  changes: string[];
}

/** What differs between `current` and `desired`; undefined when nothing does. */
function diff(current: Autoscaler, desired: CapacityDesired): Change | undefined {
  const policy = plain(current.autoscalingPolicy ?? {});
  const patch: AutoscalingPolicy = {};
  const changes: string[] = [];
  if (desired.minReplicas !== undefined && (policy.minNumReplicas ?? 0) !== desired.minReplicas) {
    patch.minNumReplicas = desired.minReplicas;
    changes.push(`minNumReplicas ${policy.minNumReplicas ?? 0} → ${desired.minReplicas}`);
  }
  if (desired.maxReplicas !== undefined && policy.maxNumReplicas !== desired.maxReplicas) {
    patch.maxNumReplicas = desired.maxReplicas;
    changes.push(`maxNumReplicas ${policy.maxNumReplicas} → ${desired.maxReplicas}`);
  }
  const existing = schedulesOf(current);
  const upserts: Record<string, Schedule> = {};
  for (const [name, spec] of Object.entries(desired.upsertSchedules ?? {})) {
    if (!isGeorouteSchedule(name)) throw new Error(`schedule '${name}' must start with '${SCHEDULE_PREFIX}'`);
    if (sameSchedule(existing[name], spec)) continue;
    upserts[name] = { ...spec, timeZone: spec.timeZone ?? 'UTC', disabled: false };
    changes.push(`schedule ${name}: ${spec.minRequiredReplicas} replicas for ${spec.durationSec}s`);
  }
  const retire = (desired.retireSchedules ?? []).filter(
    (n) => isGeorouteSchedule(n) && n in existing && !(n in upserts),
  );
  if (retire.length > 0) changes.push(`${retire.length} expired schedule(s) deleted`);
  if (Object.keys(upserts).length > 0) patch.scalingSchedules = upserts;
  return changes.length > 0 ? { patch, upserts, retire, changes } : undefined;
}

/**
 * Makes a regional autoscaler's floor, ceiling and georoute schedules match `desired`. Scaling goes
 * through the autoscaler, never `resize`: Google refuses to resize an autoscaled MIG (412).
 *
 * read → diff → one write with a requestId from the event → wait for DONE → verify. The write is a
 * JSON merge `patch` of the fields that differ; deleting a schedule needs the whole map instead (a merge
 * patch cannot drop a map entry through the client), so a write that retires schedules is an `update`
 * of the autoscaler as read a moment before. The autoscaler has no fingerprint, so an `update` racing
 * another writer's patch could drop that writer's new schedule: every write that adds schedules
 * therefore reads them back once its operation is DONE and patches again what is missing
 * (docs/RELIABILITY.md, "Schedule collection").
 */
export async function applyCapacity(
  deps: ActuatorDeps,
  desired: CapacityDesired,
  ctx: ActuationContext,
): Promise<ActuationResult> {
  const result = emptyResult(`regions/${desired.region}/autoscalers/${desired.autoscaler}`);
  const where = `${desired.region}/${desired.autoscaler}`;
  const read = async () => {
    result.reads++;
    const [a] = await withRetry(
      () =>
        deps.gcp.compute.regionAutoscalers.get({
          project: deps.project,
          region: desired.region,
          autoscaler: desired.autoscaler,
        }),
      { policy: deps.gcp.retry.read },
    );
    return a;
  };
  let current = desired.current ?? (await read());
  let change = diff(current, desired);
  if (!change) {
    result.skipped = 'autoscaler already matches the plan';
    return result;
  }
  try {
    if (change.retire.length > 0) {
      // The whole map is written: from a fresh read, so as little as possible can change in between.
      current = await read();
      change = diff(current, desired);
      if (change)
        await update(
          deps,
          desired,
          current,
          change,
          requestIdFor(key(desired, ctx), `update:${where}:${JSON.stringify(change)}`),
        );
    } else {
      await patch(
        deps,
        desired,
        change.patch,
        requestIdFor(
          key(desired, ctx),
          `autoscaler:${where}:${JSON.stringify(plain(current.autoscalingPolicy ?? {}))}→${JSON.stringify(change.patch)}`,
        ),
      );
    }
    if (!change) {
      result.skipped = 'autoscaler already matches the plan';
      return result;
    }
    result.writes++;
    result.changed = true;
    result.changes = change.changes;
    // Verify: the schedules written are there (a concurrent update may have dropped one); patch again if not.
    for (let attempt = 1; Object.keys(change.upserts).length > 0 && attempt <= 3; attempt++) {
      const now = schedulesOf(await read());
      const lost = Object.fromEntries(
        Object.entries(change.upserts).filter(([n, s]) => !sameSchedule(now[n], s as ScheduleSpec)),
      );
      if (Object.keys(lost).length === 0) break;
      deps.logger.warn('scaling schedules lost to a concurrent autoscaler update: writing them again', {
        autoscaler: where,
        lost: Object.keys(lost),
      });
      await patch(
        deps,
        desired,
        { scalingSchedules: lost },
        requestIdFor(key(desired, ctx), `rewrite:${where}:${attempt}:${JSON.stringify(lost)}`),
      );
      result.writes++;
    }
  } catch (err) {
    throw toApiError(err, `write autoscaler ${where}`);
  }
  return result;
}

const key = (desired: CapacityDesired, ctx: ActuationContext) => desired.idempotencyKey ?? ctx.eventId;

/**
 * One write of the autoscaler, `patch` (JSON merge of `resource`) or `update` (the whole of it). A busy
 * autoscaler (resourceNotReady), a rate limit or a 5xx: the same request again. Its requestId makes a
 * retry of a write that did land a no-op (Compute answers with the first operation).
 */
async function write(
  deps: ActuatorDeps,
  desired: CapacityDesired,
  verb: 'patch' | 'update',
  resource: Autoscaler,
  requestId: string,
): Promise<void> {
  const client = deps.gcp.compute.regionAutoscalers;
  const request = {
    project: deps.project,
    region: desired.region,
    autoscaler: desired.autoscaler,
    requestId,
    autoscalerResource: { name: desired.autoscaler, ...resource },
  };
  const op = await withRetry(() => (verb === 'patch' ? client.patch(request) : client.update(request)), {
    policy: deps.gcp.retry.write,
  });
  await waitForOperation(deps.gcp, op, { what: `${verb} autoscaler ${desired.region}/${desired.autoscaler}` });
}

const patch = (deps: ActuatorDeps, desired: CapacityDesired, policy: AutoscalingPolicy, requestId: string) =>
  write(
    deps,
    desired,
    'patch',
    { autoscalingPolicy: policy, ...(desired.description !== undefined ? { description: desired.description } : {}) },
    requestId,
  );

/** `update` (PUT) of the whole autoscaler: `current` with the change applied and the retired schedules gone. */
function update(deps: ActuatorDeps, desired: CapacityDesired, current: Autoscaler, change: Change, requestId: string) {
  const whole = plain(current);
  const policy = { ...plain(current.autoscalingPolicy ?? {}), ...change.patch };
  const schedules = { ...schedulesOf(current), ...change.upserts };
  for (const name of change.retire) delete schedules[name];
  policy.scalingSchedules = schedules;
  const resource = {
    target: whole.target,
    autoscalingPolicy: policy,
    description: desired.description ?? whole.description ?? '',
  };
  return write(deps, desired, 'update', resource, requestId);
}
