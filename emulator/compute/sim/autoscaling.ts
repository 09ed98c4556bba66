import { isPlainObject } from '../../core/merge-patch';
import { canonicalPath } from '../links';
import type { AutoscalerSample, ComputeResource } from '../state';
import { CronSchedule } from './cron';
import type { InstanceSimulation } from './instances';
import { AUTOSCALER_KIND, pathOf, projectOf, zonesOf } from './mig-util';

/** Autoscalers are re-evaluated at most this often (virtual ms) unless something changed. */
const EVALUATE_EVERY_MS = 1_000;
/** Default scale-in stabilization period (`stabilizationPeriodSec`), as Google documents it. */
export const DEFAULT_STABILIZATION_SEC = 600;
const DAY_MS = 86_400_000;

const parsed = new Map<string, CronSchedule>();

export function parseCron(expression: string): CronSchedule {
  let c = parsed.get(expression);
  if (!c) {
    c = CronSchedule.parse(expression);
    parsed.set(expression, c);
  }
  return c;
}

export interface ScheduleView {
  state: 'ACTIVE' | 'READY' | 'DISABLED' | 'OBSOLETE';
  lastStartTime?: string;
  nextStartTime?: string;
  minRequiredReplicas: number;
}

/** The state of one scaling schedule at `now`. */
export function scheduleState(schedule: Record<string, unknown>, now: number, since: number): ScheduleView {
  const minRequiredReplicas = Number(schedule.minRequiredReplicas ?? 0);
  if (schedule.disabled === true) return { state: 'DISABLED', minRequiredReplicas };
  let cron: CronSchedule;
  try {
    cron = parseCron(String(schedule.schedule ?? ''));
  } catch {
    return { state: 'OBSOLETE', minRequiredReplicas };
  }
  const tz = typeof schedule.timeZone === 'string' && schedule.timeZone ? schedule.timeZone : 'UTC';
  const durationMs = Number(schedule.durationSec ?? 0) * 1000;
  const current = cron.previous(now, tz, durationMs);
  const active = current !== undefined && now < current + durationMs;
  const last = active ? current : cron.previous(now, tz, 366 * DAY_MS);
  const next = cron.next(now, tz, 5 * 366 * DAY_MS);
  const view: ScheduleView = {
    state: active ? 'ACTIVE' : next !== undefined ? 'READY' : 'OBSOLETE',
    minRequiredReplicas,
  };
  if (last !== undefined && last + durationMs > since) view.lastStartTime = new Date(last).toISOString();
  if (next !== undefined) view.nextStartTime = new Date(next).toISOString();
  return view;
}

/**
 * Drives MIG target sizes from regional autoscalers: the wanted size is the largest of
 * minNumReplicas, every ACTIVE schedule's minRequiredReplicas and the utilization demand, capped to
 * [min, max]. Scale-out is applied at once; scale-in only when no larger size was wanted during the
 * stabilization period (10 minutes by default), as Google does.
 */
export class AutoscalerEvaluator {
  private lastRun = Number.NEGATIVE_INFINITY;
  private dirty = true;

  constructor(private readonly sim: InstanceSimulation) {}

  markDirty(): void {
    this.dirty = true;
  }

  /** MIG path → selfLink of the autoscaler that targets it. */
  byTarget(): Map<string, string> {
    const map = new Map<string, string>();
    for (const a of this.all()) {
      const target = targetPath(a);
      if (target) map.set(target, a.selfLink);
    }
    return map;
  }

  /** The autoscaler of a MIG, if any. */
  of(migPath: string): ComputeResource | undefined {
    return this.all().find((a) => targetPath(a) === migPath);
  }

  evaluate(now: number): void {
    if (!this.dirty && now - this.lastRun < EVALUATE_EVERY_MS) return;
    this.dirty = false;
    this.lastRun = now;
    for (const a of this.all()) this.evaluateOne(a, now);
  }

  forget(autoscalerPath: string): void {
    delete this.sim.state.autoscalerHistory[autoscalerPath];
  }

  private all(): ComputeResource[] {
    return Object.values(this.sim.state.resources).filter((r) => r.kind === AUTOSCALER_KIND);
  }

  private evaluateOne(a: ComputeResource, now: number): void {
    const state = this.sim.state;
    const policy = isPlainObject(a.autoscalingPolicy) ? a.autoscalingPolicy : {};
    const schedules = isPlainObject(policy.scalingSchedules) ? policy.scalingSchedules : {};
    const since = Date.parse(a.creationTimestamp);
    const views: Record<string, ScheduleView> = {};
    for (const [name, s] of Object.entries(schedules)) if (isPlainObject(s)) views[name] = scheduleState(s, now, since);
    a.scalingScheduleStatus = Object.fromEntries(
      Object.entries(views).map(([name, v]) => {
        const { minRequiredReplicas: _m, ...status } = v;
        return [name, status];
      }),
    );

    const migPath = targetPath(a);
    const mig = migPath ? state.resources[migPath] : undefined;
    if (!migPath || !mig) {
      a.status = 'ERROR';
      a.statusDetails = [{ type: 'SCALING_TARGET_DOES_NOT_EXIST', message: 'The target to be scaled does not exist.' }];
      return;
    }

    const min = Number(policy.minNumReplicas ?? 0);
    const max = Number(policy.maxNumReplicas ?? 0);
    const mode = String(policy.mode ?? 'ON');
    const active = Object.values(views).filter((v) => v.state === 'ACTIVE');
    const scheduled = Math.max(0, ...active.map((v) => v.minRequiredReplicas));
    const demand = state.demand[migPath] ?? 0;
    const uncapped = Math.max(min, scheduled, demand);
    const wanted = clamp(uncapped, min, max);

    const path = pathOf(a);
    const windowMs = Number(policy.stabilizationPeriodSec ?? DEFAULT_STABILIZATION_SEC) * 1000;
    const history = state.autoscalerHistory[path] ?? [];
    state.autoscalerHistory[path] = history;
    if (history.at(-1)?.size !== wanted) history.push({ at: now, size: wanted });
    prune(history, now - windowMs);
    const recommended = clamp(Math.max(...history.map((s) => s.size)), min, max);

    const details: Array<{ type: string; message: string }> = [];
    if (mode === 'OFF') {
      details.push({
        type: 'MODE_OFF',
        message:
          "Autoscaling is turned off. The number of instances in the group won't change automatically. The autoscaling configuration is preserved.",
      });
    } else if (mode === 'ONLY_SCALE_OUT' || mode === 'ONLY_UP') {
      details.push({
        type: mode === 'ONLY_UP' ? 'MODE_ONLY_UP' : 'MODE_ONLY_SCALE_OUT',
        message:
          "Autoscaling is limited to scaling out only. The autoscaler can add instances but won't remove any instances from the group.",
      });
    }
    if (scheduled > max) {
      details.push({
        type: 'SCHEDULED_INSTANCES_GREATER_THAN_AUTOSCALER_MAX',
        message: `The number of instances required by scaling schedules (${scheduled}) is greater than the autoscaler's maxNumReplicas (${max}).`,
      });
    } else if (uncapped > max) {
      details.push({
        type: 'CAPPED_AT_MAX_NUM_REPLICAS',
        message: `The autoscaler recommends ${uncapped} instances but is capped at maxNumReplicas (${max}).`,
      });
    }
    details.push(...this.capacityDetails(mig));

    a.recommendedSize = recommended;
    a.status = 'ACTIVE';
    a.statusDetails = details;
    if (mode === 'OFF') return;
    const current = Number(mig.targetSize ?? 0);
    const next = mode === 'ONLY_SCALE_OUT' || mode === 'ONLY_UP' ? Math.max(current, recommended) : recommended;
    if (next !== current) mig.targetSize = next;
  }

  /** Why the MIG cannot grow: creations failing for stock or quota. */
  private capacityDetails(mig: ComputeResource): Array<{ type: string; message: string }> {
    const failing = this.sim.instancesOf(pathOf(mig)).filter((i) => !i.provisioned && i.lastError);
    const out: Array<{ type: string; message: string }> = [];
    if (failing.some((i) => i.lastError?.code === 'QUOTA_EXCEEDED')) {
      out.push({
        type: 'NOT_ENOUGH_QUOTA_AVAILABLE',
        message: 'Autoscaler cannot add instances because the project lacks quota in the region.',
      });
    }
    const stocked = new Set(
      failing.filter((i) => i.lastError?.code.startsWith('ZONE_RESOURCE_POOL_EXHAUSTED')).map((i) => i.zone),
    );
    if (stocked.size > 0) {
      const all = zonesOf(mig).every((z) => stocked.has(z));
      out.push({
        type: all ? 'REGION_RESOURCE_STOCKOUT' : 'ZONE_RESOURCE_STOCKOUT',
        message: all
          ? 'Autoscaler cannot add instances because the region is out of resources.'
          : `Autoscaler cannot add instances in zone(s) ${[...stocked].sort().join(', ')} because they are out of resources.`,
      });
    }
    return out;
  }
}

export function targetPath(a: ComputeResource): string | undefined {
  if (typeof a.target !== 'string') return undefined;
  try {
    return canonicalPath(a.target, projectOf(pathOf(a)), 'target');
  } catch {
    return undefined;
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** Drops samples that ended before `from` (each lasts until the next one starts). */
function prune(history: AutoscalerSample[], from: number): void {
  while (history.length > 1 && (history[1] as AutoscalerSample).at <= from) history.shift();
}
