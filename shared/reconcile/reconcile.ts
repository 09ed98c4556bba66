/**
 * The level-triggered loop (DESIGN §2): observe → plan → desired → actuate. Every trigger ends here,
 * so a lost, repeated or reordered event is harmless. The three actuators run in parallel and fail
 * independently: a region whose write fails does not block the others, and the next reconcile
 * converges whatever was left.
 */

import type { ActuationResult } from '../actuate';
import { applyCapacity, applyDns, applyLb } from '../actuate';
import type { GeorouteConfig } from '../config';
import { isRetryable } from '../core';
import type { Snapshot } from '../observe';
import { type ObserveDeps, observe } from '../observe';
import type { Reason, TrafficPlan } from '../plan';
import { plan as computePlan, type DerivedInput, type IncidentUpdate, plannerInput } from '../plan';
import { desiredCapacity, desiredDns, desiredLb } from './desired';

export type { IncidentUpdate } from '../plan';

export interface Trigger {
  kind: 'tick' | 'alert' | 'capacity' | 'manual';
  /** Id of the triggering event: derives every write's requestId (a redelivery repeats none). */
  eventId: string;
}

type Actuator = 'lb' | 'dns' | 'capacity';

export interface Action {
  actuator: Actuator;
  resource: string;
  changes: string[];
  retries: number;
}

export interface Skip {
  actuator: Actuator;
  resource: string;
  reason: string;
}

export interface Failure {
  actuator: Actuator | 'observe';
  resource: string;
  message: string;
  retryable: boolean;
}

export interface ReconcileResult {
  plan: TrafficPlan;
  reasons: Reason[];
  actions: Action[];
  skipped: Skip[];
  errors: Failure[];
  reads: number;
  writes: number;
  /** Precondition races (412/409) resolved by re-reading. */
  retries: number;
  snapshot: Snapshot;
  derived: DerivedInput;
}

export interface ReconcileOptions {
  /** Compute and print, but write nothing (`georoute plan`). */
  dryRun?: boolean;
  /**
   * An incident to record. It is applied to the observation before planning and written into the
   * region's backend note in the same conditional backend-service write as the drain itself: one
   * write, and no window where the drain exists without its cause or the reverse.
   */
  incident?: IncidentUpdate;
}

export async function reconcile(
  deps: ObserveDeps,
  config: GeorouteConfig,
  trigger: Trigger,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const log = deps.logger.child({ trigger: trigger.kind, eventId: trigger.eventId });
  const snapshot = await observe(deps, config);
  const derived = plannerInput(config, snapshot, options.incident);
  const { plan, reasons } = computePlan({ config, ...derived.input });
  const result: ReconcileResult = {
    plan,
    reasons,
    actions: [],
    skipped: [],
    errors: snapshot.errors.map((e) => ({
      actuator: 'observe',
      resource: e.region ? `${e.what} (${e.region})` : e.what,
      message: e.error.message.slice(0, 300),
      retryable: isRetryable(e.error),
    })),
    reads: snapshot.reads,
    writes: 0,
    retries: 0,
    snapshot,
    derived,
  };
  for (const r of reasons) log.info(r.message, { decision: r.code, subject: r.subject });
  for (const e of result.errors) log.warn(`could not observe: ${e.resource}`, { error: e.message });
  if (options.dryRun) return result;

  const ctx = { eventId: trigger.eventId };
  const tasks: Array<Promise<void>> = [];
  const run = (actuator: Actuator, resource: string, work: () => Promise<ActuationResult>) =>
    tasks.push(
      work().then(
        (r) => record(result, log, actuator, r),
        (err) => fail(result, log, actuator, resource, err),
      ),
    );

  const lb = desiredLb(config, plan, snapshot, derived, options.incident);
  if (lb) run('lb', `backendServices/${lb.backendService}`, () => applyLb(deps, lb, ctx));
  const dns = desiredDns(config, plan, snapshot, (location) =>
    log.error('no serving region and no anycast address for a location: leaving DNS as it is', { location }),
  );
  if (dns) run('dns', `rrsets/${dns.name}`, () => applyDns(deps, dns, ctx));
  for (const step of desiredCapacity(config, plan, snapshot, derived)) {
    if ('skipped' in step) {
      result.skipped.push({ actuator: 'capacity', resource: `autoscalers/${step.autoscaler}`, reason: step.skipped });
      continue;
    }
    const d = step.desired;
    run('capacity', `regions/${d.region}/autoscalers/${d.autoscaler}`, () => applyCapacity(deps, d, ctx));
  }

  await Promise.all(tasks);
  result.actions.sort((a, b) => a.resource.localeCompare(b.resource));
  result.skipped.sort((a, b) => a.resource.localeCompare(b.resource));
  log.info(
    `reconcile done: ${result.actions.length} change(s), ${result.errors.length} error(s), ${result.reads} read(s), ${result.writes} write(s)`,
    { decision: 'summary', writes: result.writes, reads: result.reads },
  );
  return result;
}

type Log = ObserveDeps['logger'];

function record(result: ReconcileResult, log: Log, actuator: Actuator, r: ActuationResult): void {
  result.reads += r.reads;
  result.writes += r.writes;
  result.retries += r.retries;
  if (r.changed) {
    result.actions.push({ actuator, resource: r.resource, changes: r.changes, retries: r.retries });
    log.info(`${actuator}: ${r.changes.join('; ')}`, { actuator, resource: r.resource, decision: 'write' });
    return;
  }
  result.skipped.push({ actuator, resource: r.resource, reason: r.skipped ?? 'no change' });
  log.info(`${actuator}: no action because ${r.skipped ?? 'nothing differs'}`, {
    actuator,
    resource: r.resource,
    decision: 'no-op',
  });
}

function fail(result: ReconcileResult, log: Log, actuator: Actuator, resource: string, err: unknown): void {
  const message = (err as Error).message;
  result.errors.push({ actuator, resource, message: message.slice(0, 500), retryable: isRetryable(err) });
  log.error(`${actuator}: write failed: ${message.slice(0, 300)}`, { actuator, resource, decision: 'error' });
}
