import { ApiError, invalid } from '../../core/api-error';
import { isPlainObject } from '../../core/merge-patch';
import type { Router } from '../../core/router';
import type { KindContext, KindSpec } from '../collection';
import type { ComputeService } from '../index';
import { NAME_RE, selfLink } from '../links';
import { parseCron, targetPath } from '../sim/autoscaling';
import { checkTimeZone } from '../sim/cron';
import { AUTOSCALER_KIND, MIG_KIND, pathOf } from '../sim/mig-util';
import { HookedRouter } from '../sim/route-hooks';
import type { ComputeResource } from '../state';

const MAX_REPLICAS = 2000;
const MAX_SCHEDULES = 128;
const MIN_SCHEDULE_DURATION_SEC = 300;
const POLICY = 'resource.autoscalingPolicy';

/**
 * regionAutoscalers: list/get/insert/delete, and patch/update addressed by `?autoscaler=NAME`.
 * No fingerprint (the Autoscaler resource has none). The autoscaler drives its MIG's targetSize
 * in the simulation (sim/autoscaling.ts); status fields are filled there.
 */
export function registerAutoscalers(compute: ComputeService, router: Router): void {
  const sim = compute.sim;
  const hooked = new HookedRouter(router, (method, _pattern, handler) => {
    if (method !== 'GET') return handler;
    return (req) => {
      sim.tick(compute.ctx.clock.now());
      return handler(req);
    };
  });
  const spec: KindSpec = {
    collection: 'autoscalers',
    scope: 'region',
    kind: AUTOSCALER_KIND,
    nameInQuery: 'autoscaler',
    busyWhileOperating: true,
    serverFields: ['status', 'statusDetails', 'recommendedSize', 'scalingScheduleStatus', 'zone'],
    prepare: prepareAutoscaler,
    validate: validateAutoscaler,
    afterWrite: (r) => {
      // A changed configuration is read by the autoscaler backend on its next evaluation.
      r.status = 'PENDING';
      sim.autoscalers.markDirty();
    },
    afterDelete: (r) => {
      sim.autoscalers.forget(pathOf(r));
      sim.autoscalers.markDirty();
    },
  };
  compute.collections.define(hooked, spec);
}

function prepareAutoscaler(r: ComputeResource, kc: KindContext): void {
  if (typeof r.target === 'string' && r.target !== '') r.target = selfLink(kc.resolve(r.target, 'resource.target'));
  if (!isPlainObject(r.autoscalingPolicy)) return;
  const policy = r.autoscalingPolicy;
  policy.mode ??= 'ON';
  policy.coolDownPeriodSec ??= 60;
  if (policy.minNumReplicas === undefined && typeof policy.maxNumReplicas === 'number') {
    policy.minNumReplicas = Math.min(1, policy.maxNumReplicas);
  }
  const hasSignal =
    isPlainObject(policy.cpuUtilization) ||
    isPlainObject(policy.loadBalancingUtilization) ||
    (Array.isArray(policy.customMetricUtilizations) && policy.customMetricUtilizations.length > 0);
  if (!hasSignal) policy.cpuUtilization = { utilizationTarget: 0.6, predictiveMethod: 'NONE' };
  if (isPlainObject(policy.scalingSchedules)) {
    for (const s of Object.values(policy.scalingSchedules)) {
      if (!isPlainObject(s)) continue;
      s.timeZone ??= 'UTC';
      s.disabled ??= false;
    }
  }
}

function validateAutoscaler(r: ComputeResource, kc: KindContext, previous?: ComputeResource): void {
  const region = kc.scope.kind === 'region' ? kc.scope.region : '';
  if (typeof r.target !== 'string' || r.target === '') {
    throw invalid("Required field 'resource.target' not specified", 'resource.target');
  }
  const target = targetPath(r) as string;
  if (!target.startsWith(`projects/${kc.project}/regions/${region}/instanceGroupManagers/`)) {
    throw invalid(
      `Invalid value for field 'resource.target': '${r.target}'. The target must be a managed instance group in region '${region}'.`,
      'resource.target',
    );
  }
  if (kc.state.resources[target]?.kind !== MIG_KIND) {
    throw new ApiError(404, `The resource '${target}' was not found`, {
      reason: 'notFound',
      location: 'resource.target',
    });
  }
  const other = Object.values(kc.state.resources).find(
    (a) => a.kind === AUTOSCALER_KIND && a.selfLink !== r.selfLink && targetPath(a) === target,
  );
  if (other) {
    throw invalid(
      `Invalid value for field 'resource.target': '${r.target}'. The managed instance group is already autoscaled by '${pathOf(other)}'.`,
      'resource.target',
    );
  }
  if (previous && targetPath(previous) !== target && kc.state.resources[targetPath(previous) ?? '']) {
    throw invalid(
      `Invalid value for field 'resource.target': '${r.target}'. The target of an autoscaler cannot be changed.`,
      'resource.target',
    );
  }
  validatePolicy(r.autoscalingPolicy);
}

function validatePolicy(policy: unknown): void {
  if (!isPlainObject(policy) || policy.maxNumReplicas === undefined) {
    throw invalid(`Required field '${POLICY}.maxNumReplicas' not specified`, `${POLICY}.maxNumReplicas`);
  }
  const max = integerField(policy, 'maxNumReplicas', 0, MAX_REPLICAS);
  const min = integerField(policy, 'minNumReplicas', 0, MAX_REPLICAS);
  if (min > max) {
    throw invalid(
      `Invalid value for field '${POLICY}.minNumReplicas': '${min}'. The minimum number of replicas must not be greater than the maximum number of replicas (${max}).`,
      `${POLICY}.minNumReplicas`,
    );
  }
  integerField(policy, 'coolDownPeriodSec', 0, 3600);
  if (policy.stabilizationPeriodSec !== undefined) integerField(policy, 'stabilizationPeriodSec', 0, 3600);
  for (const signal of ['cpuUtilization', 'loadBalancingUtilization'] as const) {
    const s = policy[signal];
    if (s === undefined) continue;
    const t = (s as Record<string, number | undefined>).utilizationTarget;
    if (t !== undefined && !(t > 0 && t <= 1)) {
      throw invalid(
        `Invalid value for field '${POLICY}.${signal}.utilizationTarget': '${String(t)}'. Must be greater than 0.0 and at most 1.0.`,
        `${POLICY}.${signal}.utilizationTarget`,
      );
    }
  }
  const schedules = (policy.scalingSchedules ?? {}) as Record<string, Record<string, unknown>>;
  const names = Object.keys(schedules);
  if (names.length > MAX_SCHEDULES) {
    throw invalid(
      `Invalid value for field '${POLICY}.scalingSchedules': at most ${MAX_SCHEDULES} scaling schedules are allowed.`,
      `${POLICY}.scalingSchedules`,
    );
  }
  for (const name of names) validateSchedule(name, schedules[name] ?? {});
}

function validateSchedule(name: string, s: Record<string, unknown>): void {
  const at = `${POLICY}.scalingSchedules[${name}]`;
  if (!NAME_RE.test(name)) {
    throw invalid(
      `Invalid value for field '${POLICY}.scalingSchedules': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    );
  }
  for (const field of ['minRequiredReplicas', 'schedule', 'durationSec']) {
    if (s[field] === undefined || s[field] === '')
      throw invalid(`Required field '${at}.${field}' not specified`, `${at}.${field}`);
  }
  integerField(s, 'minRequiredReplicas', 0, MAX_REPLICAS, at);
  const duration = s.durationSec as number;
  if (duration < MIN_SCHEDULE_DURATION_SEC) {
    throw invalid(
      `Invalid value for field '${at}.durationSec': '${String(duration)}'. The minimum allowed value is ${MIN_SCHEDULE_DURATION_SEC}.`,
      `${at}.durationSec`,
    );
  }
  try {
    parseCron(String(s.schedule));
  } catch (err) {
    throw invalid(
      `Invalid value for field '${at}.schedule': '${String(s.schedule)}'. Invalid cron expression: ${(err as Error).message}.`,
      `${at}.schedule`,
    );
  }
  try {
    checkTimeZone(String(s.timeZone));
  } catch {
    throw invalid(
      `Invalid value for field '${at}.timeZone': '${String(s.timeZone)}'. Must be a time zone name from the tz database.`,
      `${at}.timeZone`,
    );
  }
}

function integerField(obj: Record<string, unknown>, field: string, min: number, max: number, at = POLICY): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      `Invalid value for field '${at}.${field}': '${String(v)}'. Must be an integer between ${min} and ${max}.`,
      `${at}.${field}`,
    );
  }
  return v;
}
