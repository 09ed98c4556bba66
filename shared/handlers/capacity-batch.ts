/**
 * Places a batch of capacity requests (those that arrived at one function instance while the previous
 * batch was being placed: shared/core/coalesce.ts GroupCommit): one ledger read, one observation,
 * placements made one after the other (each sees the floors the previous ones took), then at most one
 * autoscaler patch per region (shared/actuate/capacity-schedules.ts) carrying the floor the plan
 * raises there too. Written before any answer is claimed, and idempotent (same window → same
 * schedule, same requestId), so a crash or a racing duplicate changes nothing.
 */
import { type Placed, writeSchedules } from '../actuate';
import type { Logger, Settled } from '../core';
import { GeorouteError } from '../core';
import { observe } from '../observe';
import type { CapacityFloor } from '../plan';
import { capacityWindow, plan as computePlan, type PlacementResult, placeCapacity, plannerInput } from '../plan';
import { floorChange } from '../reconcile';
import type { CapacityRequestMessage } from './messages';
import type { FunctionRuntime } from './runtime';

/** The answer published to the results topic. */
export interface CapacityResult {
  requestId: string;
  status: 'granted' | 'partial' | 'rejected';
  placements: Array<{ region: string; replicas: number }>;
  reason: string;
  expiresAt?: string;
}

export interface Pending {
  request: CapacityRequestMessage;
  eventId: string;
  /** When the request was published (epoch ms), if the delivery says: its time box starts then. */
  publishedAt?: number;
  log: Logger;
}

export type Answer = { kind: 'duplicate'; reason: string } | { kind: 'placed'; result: CapacityResult; now: number };

export interface BatchOutcome {
  answers: Array<Settled<Answer>>;
  /** A schedule was written: the floors changed, so a reconcile is owed. */
  changed: boolean;
}

type Here = Placed & { region: string; eventId: string };
/** One request of the batch placed: its index in the batch, the placement, and the schedules it takes. */
interface Placement {
  index: number;
  item: Pending;
  placement: PlacementResult;
  placed: Here[];
}

export async function placeBatch(rt: FunctionRuntime, items: Pending[]): Promise<BatchOutcome> {
  const { config, deps } = rt;
  const { answers, first } = await dedupe(rt, items);
  if (first.size === 0) return { answers, changed: false };
  const snapshot = await observeWhole(rt);
  const { input } = plannerInput(config, snapshot);
  const floors: CapacityFloor[] = [...input.floors];
  const placed = [...first.values()].map((index) => placeOne(config, input, floors, index, items[index] as Pending));
  // The floors the planner now wants go in the same patch (what the reconcile after would write).
  const { plan } = computePlan({ config, ...input, floors });
  const writes = await Promise.allSettled(
    config.regions.map((region) => {
      const current = snapshot.regions[region.name]?.autoscaler;
      const planned = plan.regions[region.name]?.minReplicas;
      const raises = current && planned !== undefined && planned > (current.autoscalingPolicy?.minNumReplicas ?? 0);
      const here = placed.flatMap((p) => p.placed.filter((x) => x.region === region.name));
      return writeSchedules(deps, {
        region: region.name,
        autoscaler: region.autoscaler,
        current,
        placed: here,
        // Never lowered here: that is the reconcile's, with its cooldowns.
        floor: raises ? floorChange(current, planned, input.now) : undefined,
        eventId: here[0]?.eventId ?? '',
        now: input.now,
      }).then((r) => ({ region: region.name, ...r }));
    }),
  );
  const changed = writes.some((w) => w.status === 'fulfilled' && w.value.changed);
  const failedWrite = writes.find((w) => w.status === 'rejected');
  if (failedWrite) return { answers: answers.map(() => ({ ok: false, error: failedWrite.reason })), changed };
  const dropped = new Map<string, Map<string, string>>(); // requestId → region → why
  for (const w of writes) {
    if (w.status !== 'fulfilled') continue;
    for (const [id, why] of w.value.dropped) dropped.set(id, (dropped.get(id) ?? new Map()).set(w.value.region, why));
  }
  for (const p of placed) answers[p.index] = answerOf(p, input.now, dropped.get(p.item.request.requestId));
  return { answers, changed };
}

/** Requests already answered, or repeated in the batch, are duplicates; `first` maps each other id to its index. */
async function dedupe(rt: FunctionRuntime, items: Pending[]) {
  const answers: Array<Settled<Answer>> = items.map(() => ({
    ok: true,
    value: { kind: 'duplicate', reason: 'a concurrent delivery answered it' },
  }));
  const answered = await rt.ledger.answeredAmong(items.map((i) => i.request.requestId));
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const id = item.request.requestId;
    if (answered.has(id))
      answers[i] = { ok: true, value: { kind: 'duplicate', reason: 'already answered (same requestId)' } };
    else if (!first.has(id)) first.set(id, i);
    else answers[i] = { ok: true, value: { kind: 'duplicate', reason: 'the same requestId is being answered' } };
  });
  return { answers, first };
}

/**
 * The live state, whole: placing from a partial view could double-spend the GPU budget (an unread
 * region looks empty), so a batch with an unread region is retried later instead.
 */
async function observeWhole(rt: FunctionRuntime) {
  const snapshot = await observe(rt.deps, rt.config);
  const unread = snapshot.errors.filter((e) => e.region);
  if (unread.length > 0) {
    throw new GeorouteError(
      'observation-incomplete',
      `cannot place capacity while ${[...new Set(unread.map((e) => e.region))].join(', ')} cannot be read: ${unread[0]?.error.message.slice(0, 200)}`,
      { retryable: true },
    );
  }
  return snapshot;
}

/** Places one request after those before it (whose floors it sees in `floors`, which it extends). */
function placeOne(
  config: FunctionRuntime['config'],
  input: ReturnType<typeof plannerInput>['input'],
  floors: CapacityFloor[],
  index: number,
  item: Pending,
): Placement {
  const r = item.request;
  const placement = placeCapacity(
    { config, ...input, floors },
    { requestId: r.requestId, region: r.region, near: r.near, accelerator: r.accelerator, replicas: r.replicas },
  );
  const window = capacityWindow(input.now, item.publishedAt, r.durationMinutes);
  for (const p of placement.placements)
    floors.push({ requestId: r.requestId, region: p.region, replicas: p.replicas, expiresAt: window.expiresAt });
  const placed = placement.placements.map((p) => ({
    requestId: r.requestId,
    replicas: p.replicas,
    window,
    region: p.region,
    eventId: item.eventId,
  }));
  return { index, item, placement, placed };
}

function answerOf(p: Placement, now: number, dropped: Map<string, string> | undefined): Settled<Answer> {
  const window = p.placed[0]?.window ?? capacityWindow(now, p.item.publishedAt, p.item.request.durationMinutes);
  return {
    ok: true,
    value: { kind: 'placed', result: resultOf(p.item.request, p.placement, window.expiresAt, dropped), now },
  };
}

function resultOf(
  r: CapacityRequestMessage,
  placement: PlacementResult,
  expiresAt: number | undefined,
  dropped: Map<string, string> | undefined,
): CapacityResult {
  let { placements, status, reason } = placement;
  if (dropped && dropped.size > 0) {
    placements = placements.filter((x) => !dropped.has(x.region));
    const total = placements.reduce((s, x) => s + x.replicas, 0);
    status = total <= 0 ? 'rejected' : total >= r.replicas ? 'granted' : 'partial';
    reason = `${status === 'rejected' ? 'not placed' : `placed ${total} of ${r.replicas}`}: ${[...dropped.values()].join('; ')}`;
  }
  return {
    requestId: r.requestId,
    status,
    placements,
    reason,
    ...(expiresAt && placements.length > 0 ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
  };
}
