/**
 * `capacityRequest`: parse → place → claim → publish. The request's floor is raised where the planner
 * places it (stockout- and budget-aware) as autoscaler scaling schedules, and exactly one answer is
 * published on the results topic.
 *
 * One instance serves many deliveries at once, so placing is coalesced (capacity-batch.ts), and so are
 * the claims (shared/actuate/answer-ledger.ts). A batch that wrote a schedule owes a reconcile (the
 * planner must see the new floors); the last handler of the instance still in flight runs it
 * (shared/core/coalesce.ts FollowUp), not each batch: during a burst a reconcile between two batches
 * would write what the next batch's own patch carries anyway. Deferred at most
 * FOLLOW_UP_MAX_DEFER_MS, single-flight, and not owed when every floor was already held.
 */

import type { Logger } from '../core';
import { InvalidInputError } from '../core';
import { type ReconcileResult, reconcile } from '../reconcile';
import type { CapacityResult } from './capacity-batch';
import { type CloudEventLike, type PubsubDelivery, parseJson } from './envelope';
import { type CapacityRequestMessage, CapacityRequestSchema, parseMessage } from './messages';
import { type Outcome, runHandler } from './run';
import type { FunctionRuntime } from './runtime';

export { MAX_SCHEDULES_PER_AUTOSCALER } from '../actuate';
export { scheduleName } from '../state';
export type { CapacityResult } from './capacity-batch';

export function handleCapacityRequest(rt: FunctionRuntime, event: CloudEventLike): Promise<Outcome> {
  return runHandler('capacityRequest', rt, event, (delivery, log) => capacityRequest(rt, delivery, log));
}

async function capacityRequest(rt: FunctionRuntime, delivery: PubsubDelivery, log: Logger): Promise<Outcome> {
  const request = await parse(rt, delivery);
  const rlog = log.child({ requestId: request.requestId });
  const { reconciles } = rt.capacity;
  reconciles.enter();
  let outcome: Outcome;
  try {
    outcome = await answer(rt, request, delivery, rlog);
  } catch (err) {
    // Retried, but a reconcile left to this handler (the last in flight) is not left behind.
    await settleReconcile(rt, delivery.eventId)?.catch(() => undefined);
    throw err;
  }
  const after = await settleReconcile(rt, delivery.eventId);
  return after
    ? { ...outcome, reconciled: true, reconcileErrors: after.errors.length }
    : { ...outcome, reconciled: false, ...(reconciles.owed ? { reconcileDeferred: true } : {}) };
}

/** The request, checked against its schema and the config; a bad one is answered `rejected` when we can tell who asked. */
async function parse(rt: FunctionRuntime, delivery: PubsubDelivery): Promise<CapacityRequestMessage> {
  const raw = parseJson(delivery.data);
  try {
    const request = parseMessage(CapacityRequestSchema, raw, 'capacity request');
    checkAgainstConfig(rt, request);
    return request;
  } catch (err) {
    const requestId = (raw as { requestId?: unknown } | null)?.requestId;
    if (err instanceof InvalidInputError && typeof requestId === 'string' && requestId.length <= 128) {
      await rt.publish(rt.config.pubsub.capacityResults, {
        requestId,
        status: 'rejected',
        placements: [],
        reason: err.message,
      } satisfies CapacityResult);
    }
    throw err;
  }
}

/** This handler is done: runs the reconcile batches owe unless other handlers are still in flight. */
function settleReconcile(rt: FunctionRuntime, eventId: string): Promise<ReconcileResult> | undefined {
  return rt.capacity.reconciles.settle(() => reconcile(rt.deps, rt.config, { kind: 'capacity', eventId }));
}

/** Places the request with its batch, claims its answer and publishes it (exactly once). */
async function answer(
  rt: FunctionRuntime,
  request: CapacityRequestMessage,
  delivery: PubsubDelivery,
  rlog: Logger,
): Promise<Outcome> {
  const published = delivery.publishTime ? Date.parse(delivery.publishTime) : Number.NaN;
  const placed = await rt.capacity.batches.submit('capacity', {
    request,
    eventId: delivery.eventId,
    publishedAt: Number.isFinite(published) ? published : undefined,
    log: rlog,
  });
  if (placed.kind === 'duplicate')
    return { decision: 'duplicate', requestId: request.requestId, reason: placed.reason };
  const result = placed.result;
  if (!(await rt.ledger.claim(request.requestId, placed.now))) {
    return { decision: 'duplicate', requestId: request.requestId, reason: 'a concurrent delivery answered it' };
  }
  try {
    await rt.publish(rt.config.pubsub.capacityResults, result, { requestId: request.requestId, status: result.status });
  } catch (err) {
    await rt.ledger.release([request.requestId]).catch(() => undefined);
    throw err;
  }
  rlog.info(`capacity request ${result.status}: ${result.reason}`, {
    decision: result.status,
    placements: result.placements,
  });
  return { decision: result.status, requestId: request.requestId, placements: result.placements };
}

/** Limits that depend on the config: known region or location, an accelerator some region has, sane size. */
function checkAgainstConfig(rt: FunctionRuntime, request: CapacityRequestMessage): void {
  const { config } = rt;
  const issues: string[] = [];
  if (request.region !== undefined && !config.regions.some((r) => r.name === request.region)) {
    issues.push(`region: '${request.region}' is not a serving region of this deployment`);
  }
  if (
    request.near !== undefined &&
    !config.clientLocations.some((l) => l.location === request.near) &&
    !config.regions.some((r) => r.name === request.near)
  ) {
    issues.push(`near: '${request.near}' is neither a client location nor a serving region`);
  }
  if (!config.regions.some((r) => r.accelerator.type === request.accelerator)) {
    issues.push(`accelerator: no region serves '${request.accelerator}'`);
  }
  const ceiling = config.regions.reduce((s, r) => s + r.maxReplicas, 0);
  if (request.replicas > ceiling)
    issues.push(`replicas: ${request.replicas} exceeds every region's maxReplicas together (${ceiling})`);
  if (issues.length > 0) throw new InvalidInputError(`invalid capacity request: ${issues.join('; ')}`, issues);
}
