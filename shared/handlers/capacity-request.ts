import { createHash } from 'node:crypto';
import { applyCapacity, SCHEDULE_PREFIX, type ScheduleSpec } from '../actuate/capacity';
import { FollowUp, GroupCommit, type Settled } from '../core/coalesce';
import { GeorouteError, InvalidInputError } from '../core/errors';
import type { Logger } from '../core/logger';
import { type Observation, observe, parseScheduleDescription } from '../observe/observe';
import { type PlacementResult, placeCapacity } from '../plan/place-capacity';
import { plan as computePlan } from '../plan/plan';
import type { CapacityFloor } from '../plan/types';
import { floorChange, type ReconcileResult, reconcile } from '../reconcile/reconcile';
import { answeredAmong, claimAnswer, releaseClaim } from '../state/ledger';
import { type CloudEventLike, type PubsubDelivery, parseJson } from './envelope';
import { type CapacityRequestMessage, CapacityRequestSchema, parseMessage } from './messages';
import { type Outcome, runHandler } from './run';
import type { FunctionRuntime } from './runtime';

/** The answer published to the results topic. */
export interface CapacityResult {
  requestId: string;
  status: 'granted' | 'partial' | 'rejected';
  placements: Array<{ region: string; replicas: number }>;
  reason: string;
  expiresAt?: string;
}

/** Compute Engine's limit on scaling schedules per autoscaler (per MIG). */
export const MAX_SCHEDULES_PER_AUTOSCALER = 128;

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

const minuteOf = (at: number): number => Math.floor(at / 60_000) * 60_000;

/** A one-shot cron for the minute `at` falls in (UTC): the schedule starts then and lasts `durationSec`. */
function startingAt(at: number): string {
  const d = new Date(at);
  return `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

/**
 * `capacityRequest`: raise the replica floor where the planner places the request (stockout- and
 * budget-aware), as autoscaler scaling schedules, and publish exactly one answer.
 *
 * One instance serves many deliveries at once, so the work is coalesced (shared/core/coalesce.ts):
 * requests arriving while a batch is being placed form the next batch, placed with one ledger
 * read, one observation, placements made one after the other (each sees the floors the previous
 * ones took) and at most one patch per autoscaler (group commit). Their claims are batched too
 * (ledger.ts: one conditional patch claims every request waiting), then each publishes its answer.
 *
 * A batch that wrote a schedule owes a reconcile (the planner must see the new floors). The last
 * handler of the instance still in flight runs it (coalesce.ts `FollowUp`), not each batch's: a
 * handler that finishes while other requests are still being handled leaves it to them. During a
 * burst a reconcile run between two batches would write what the next batch's own patch carries
 * anyway — a region's planned floor (e.g. a load floor not yet written), in a patch of its own just
 * before that batch patches the same autoscaler with its schedule — and would plan from floors that
 * batch is changing. Deferred at most FOLLOW_UP_MAX_DEFER_MS (checked as handlers finish, so a slow
 * last handler delays it), single-flight, and not owed at all when every request's floor was already
 * held by an existing schedule.
 */
export function handleCapacityRequest(rt: FunctionRuntime, event: CloudEventLike): Promise<Outcome> {
  return runHandler('capacityRequest', rt, event, (delivery, log) => capacityRequest(rt, delivery, log));
}

interface Pending {
  request: CapacityRequestMessage;
  eventId: string;
  /** When the request was published (epoch ms), if the delivery says: its time box starts then. */
  publishedAt?: number;
  log: Logger;
}

type Answer = { kind: 'duplicate'; reason: string } | { kind: 'placed'; result: CapacityResult; now: number };

interface Coalescers {
  batches: GroupCommit<'capacity', Pending, Answer>;
  /** The reconcile owed by batches that wrote schedules. */
  reconciles: FollowUp<ReconcileResult>;
}

/**
 * How long a burst may hold back the reconcile its batches owe (their floors are written already;
 * what waits is the rest of the plan: load balancer, DNS, other regions). Below a Cloud Scheduler
 * tick's minute, so a steady stream of requests still reconciles at least as often as the tick.
 */
export const FOLLOW_UP_MAX_DEFER_MS = 30_000;

/** Per function instance (the runtime is built once per instance). */
const instances = new WeakMap<FunctionRuntime, Coalescers>();

/** The coalescers of an instance: exported for tests and benchmarks (batch sizes, reconcile runs). */
export function coalescersOf(rt: FunctionRuntime): Coalescers {
  let c = instances.get(rt);
  if (!c) {
    c = {
      batches: new GroupCommit((_key, items: Pending[]) => handleBatch(rt, items)),
      reconciles: new FollowUp<ReconcileResult>(FOLLOW_UP_MAX_DEFER_MS, () => rt.deps.now()),
    };
    instances.set(rt, c);
  }
  return c;
}

async function capacityRequest(rt: FunctionRuntime, delivery: PubsubDelivery, log: Logger): Promise<Outcome> {
  const { config } = rt;
  const raw = parseJson(delivery.data);
  let request: CapacityRequestMessage;
  try {
    request = parseMessage(CapacityRequestSchema, raw, 'capacity request');
    checkAgainstConfig(rt, request);
  } catch (err) {
    // If we can tell who asked, they get a `rejected` answer as well as the dead letter.
    const requestId = (raw as { requestId?: unknown } | null)?.requestId;
    if (err instanceof InvalidInputError && typeof requestId === 'string' && requestId.length <= 128) {
      await rt.publish(config.pubsub.capacityResults, {
        requestId,
        status: 'rejected',
        placements: [],
        reason: err.message,
      } satisfies CapacityResult);
    }
    throw err;
  }
  const rlog = log.child({ requestId: request.requestId });
  const coalescers = coalescersOf(rt);
  coalescers.reconciles.enter();
  let outcome: Outcome;
  try {
    outcome = await answerRequest(rt, coalescers, request, delivery, rlog);
  } catch (err) {
    // Retried, but a reconcile left to this handler (the last in flight) is not left behind.
    await settleReconcile(rt, coalescers, delivery.eventId)?.catch(() => undefined);
    throw err;
  }
  const after = await settleReconcile(rt, coalescers, delivery.eventId);
  return after
    ? { ...outcome, reconciled: true, reconcileErrors: after.errors.length }
    : { ...outcome, reconciled: false, ...(coalescers.reconciles.owed ? { reconcileDeferred: true } : {}) };
}

/**
 * This handler is done: runs the reconcile batches owe unless other handlers are still in flight
 * (the last of them runs it). Level-triggered as everything else: the planner sees the new floors.
 */
function settleReconcile(rt: FunctionRuntime, c: Coalescers, eventId: string): Promise<ReconcileResult> | undefined {
  return c.reconciles.settle(() => reconcile(rt.deps, rt.config, { kind: 'capacity', eventId }));
}

/** Places the request with its batch, claims its answer and publishes it (exactly once). */
async function answerRequest(
  rt: FunctionRuntime,
  coalescers: Coalescers,
  request: CapacityRequestMessage,
  delivery: PubsubDelivery,
  rlog: Logger,
): Promise<Outcome> {
  const { config, deps } = rt;
  const published = delivery.publishTime ? Date.parse(delivery.publishTime) : Number.NaN;
  const answer = await coalescers.batches.submit('capacity', {
    request,
    eventId: delivery.eventId,
    publishedAt: Number.isFinite(published) ? published : undefined,
    log: rlog,
  });
  if (answer.kind === 'duplicate')
    return { decision: 'duplicate', requestId: request.requestId, reason: answer.reason };
  const result = answer.result;
  // Concurrent claims of the instance are one conditional patch (ledger.ts: group commit).
  if (!(await claimAnswer(deps, config.loadBalancer.backendService, request.requestId, answer.now))) {
    return { decision: 'duplicate', requestId: request.requestId, reason: 'a concurrent delivery answered it' };
  }
  try {
    await rt.publish(config.pubsub.capacityResults, result, { requestId: request.requestId, status: result.status });
  } catch (err) {
    await releaseClaim(deps, config.loadBalancer.backendService, request.requestId).catch(() => undefined);
    throw err;
  }
  rlog.info(`capacity request ${result.status}: ${result.reason}`, {
    decision: result.status,
    placements: result.placements,
  });
  return { decision: result.status, requestId: request.requestId, placements: result.placements };
}

/** A placed request waiting for its schedules and its claim. */
interface Placed {
  index: number;
  item: Pending;
  placement: PlacementResult;
  expiresAt?: number;
  /** Regions whose schedule could not be written (the autoscaler's schedule limit), with the reason. */
  dropped: Map<string, string>;
  /** Start of its time box: the minute it was published in (a redelivery gets the same window). */
  startsAt: number;
  /** A schedule was written (created or raised) for it. */
  changed: boolean;
}

async function handleBatch(rt: FunctionRuntime, items: Pending[]): Promise<Array<Settled<Answer>>> {
  const { config, deps } = rt;
  const backendService = config.loadBalancer.backendService;
  const out: Array<Settled<Answer>> = items.map(() => ({
    ok: true,
    value: { kind: 'duplicate', reason: 'a concurrent delivery answered it' },
  }));
  const answered = await answeredAmong(
    deps,
    backendService,
    items.map((i) => i.request.requestId),
  );
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const id = item.request.requestId;
    if (answered.has(id))
      out[i] = { ok: true, value: { kind: 'duplicate', reason: 'already answered (same requestId)' } };
    else if (!first.has(id)) first.set(id, i);
    else out[i] = { ok: true, value: { kind: 'duplicate', reason: 'the same requestId is being answered' } };
  });
  if (first.size === 0) return out;

  // One observation for the batch; each placement adds its floors, so the next one sees them.
  const observation = await observe(deps, config);
  // Placing from a partial view could double-spend the GPU budget (an unread region looks empty):
  // retry the whole batch later instead.
  const unread = observation.errors.filter((e) => e.region);
  if (unread.length > 0) {
    throw new GeorouteError(
      'observation-incomplete',
      `cannot place capacity while ${[...new Set(unread.map((e) => e.region))].join(', ')} cannot be read: ${unread[0]?.error.message.slice(0, 200)}`,
      { retryable: true },
    );
  }
  const now = observation.input.now;
  const floors: CapacityFloor[] = [...observation.input.floors];
  const placed: Placed[] = [];
  for (const index of first.values()) {
    const item = items[index] as Pending;
    const r = item.request;
    const placement = placeCapacity(
      { config, ...observation.input, floors },
      { requestId: r.requestId, region: r.region, near: r.near, accelerator: r.accelerator, replicas: r.replicas },
    );
    // The time box starts in the minute the request was published (all of a burst share it, and a
    // redelivery computes the same window), unless that would leave less than the minimum schedule.
    const published = item.publishedAt !== undefined && item.publishedAt <= now ? item.publishedAt : now;
    const duration = (r.durationMinutes ?? 0) * 60_000;
    const startsAt = published + duration - now >= 5 * 60_000 ? minuteOf(published) : minuteOf(now);
    const expiresAt = r.durationMinutes ? startsAt + duration : undefined;
    for (const p of placement.placements)
      floors.push({ requestId: r.requestId, region: p.region, replicas: p.replicas, expiresAt });
    placed.push({ index, item, placement, expiresAt, dropped: new Map(), startsAt, changed: false });
  }

  // At most one patch per autoscaler, in parallel. Written before the claim, and idempotent (same
  // window → same schedule, same requestId), so a crash or a racing duplicate changes nothing.
  // The floors the planner now wants go in the same patch (what the reconcile after would write).
  const { plan } = computePlan({ config, ...observation.input, floors });
  const writes = await Promise.allSettled(
    config.regions.map((region) =>
      writeSchedules(
        rt,
        observation,
        region.name,
        region.autoscaler,
        placed,
        plan.regions[region.name]?.minReplicas,
        now,
      ),
    ),
  );
  // A schedule written (even when another region's write failed) is a floor the planner has not
  // seen yet: the handlers owe a reconcile. None when every floor was already held by an existing
  // schedule (another request of the same window asked as much or more).
  if (placed.some((p) => p.changed)) coalescersOf(rt).reconciles.owe();
  const failed = writes.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  for (const p of placed) out[p.index] = { ok: true, value: { kind: 'placed', result: resultOf(p), now } };
  return out;
}

function resultOf(p: Placed): CapacityResult {
  const r = p.item.request;
  let { placements, status, reason } = p.placement;
  if (p.dropped.size > 0) {
    placements = placements.filter((x) => !p.dropped.has(x.region));
    const placedReplicas = placements.reduce((s, x) => s + x.replicas, 0);
    status = placedReplicas <= 0 ? 'rejected' : placedReplicas >= r.replicas ? 'granted' : 'partial';
    reason = `${status === 'rejected' ? 'not placed' : `placed ${placedReplicas} of ${r.replicas}`}: ${[...p.dropped.values()].join('; ')}`;
  }
  return {
    requestId: r.requestId,
    status,
    placements,
    reason,
    ...(p.expiresAt && placements.length > 0 ? { expiresAt: new Date(p.expiresAt).toISOString() } : {}),
  };
}

/**
 * The batch's schedules in one autoscaler, as one patch. Requests with the same window (they start
 * in the same minute and last as long: same cron, same duration) share one schedule — an existing
 * one of that window, else one named after the first of them — whose floor is the largest they ask
 * for: the autoscaler takes the max of its schedules anyway, and the 128-schedule limit per MIG is
 * not spent one request at a time. A request that would need a new schedule when the autoscaler
 * has no room left loses that placement, with the reason.
 */
async function writeSchedules(
  rt: FunctionRuntime,
  observation: Observation,
  region: string,
  autoscaler: string,
  placed: Placed[],
  plannedFloor: number | undefined,
  now: number,
): Promise<void> {
  const here = placed.flatMap((p) =>
    p.placement.placements.filter((x) => x.region === region).map((x) => ({ p, replicas: x.replicas })),
  );
  if (here.length === 0) return;
  const current = observation.autoscalers[region];
  const existing = current?.autoscalingPolicy?.scalingSchedules ?? {};
  const windows = new Map<string, { spec: ScheduleSpec; name?: string; members: typeof here; expiresAt?: number }>();
  for (const h of here) {
    const r = h.p.item.request;
    const spec: ScheduleSpec = {
      minRequiredReplicas: h.replicas,
      // Time-boxed: from this minute for the duration (it then expires by itself). Open-ended: every
      // minute for 5 minutes, i.e. always on, until withdrawn.
      schedule: h.p.expiresAt ? startingAt(h.p.startsAt) : '* * * * *',
      durationSec: h.p.expiresAt ? (r.durationMinutes as number) * 60 : 300,
      timeZone: 'UTC',
    };
    const key = `${spec.schedule}|${spec.durationSec}|${spec.timeZone}`;
    const w = windows.get(key);
    if (w) {
      w.spec.minRequiredReplicas = Math.max(w.spec.minRequiredReplicas, h.replicas);
      w.members.push(h);
      if (h.p.expiresAt && (!w.expiresAt || h.p.expiresAt > w.expiresAt)) w.expiresAt = h.p.expiresAt;
    } else windows.set(key, { spec, members: [h], expiresAt: h.p.expiresAt });
  }
  let count = Object.keys(existing).length;
  const upserts: Record<string, ScheduleSpec> = {};
  for (const w of windows.values()) {
    // An enabled georoute schedule of the same window hosts the newcomers.
    const host = Object.entries(existing).find(
      ([name, s]) =>
        name.startsWith(SCHEDULE_PREFIX) &&
        !s.disabled &&
        s.schedule === w.spec.schedule &&
        s.durationSec === w.spec.durationSec &&
        (s.timeZone ?? 'UTC') === w.spec.timeZone,
    );
    let name: string;
    let hostedBy: string;
    let expiresAt = w.expiresAt;
    if (host) {
      name = host[0];
      const meta = parseScheduleDescription(host[1].description);
      hostedBy = meta?.requestId ?? (w.members[0] as (typeof here)[number]).p.item.request.requestId;
      if (meta?.expiresAt && (!expiresAt || meta.expiresAt > expiresAt)) expiresAt = meta.expiresAt;
      w.spec.minRequiredReplicas = Math.max(w.spec.minRequiredReplicas, host[1].minRequiredReplicas ?? 0);
    } else {
      hostedBy = (w.members[0] as (typeof here)[number]).p.item.request.requestId;
      name = scheduleName(hostedBy);
      if (!(name in existing)) {
        if (count >= MAX_SCHEDULES_PER_AUTOSCALER) {
          for (const m of w.members)
            m.p.dropped.set(
              region,
              `${region}: autoscaler ${autoscaler} already has ${count} scaling schedules (Compute Engine allows ${MAX_SCHEDULES_PER_AUTOSCALER} per MIG)`,
            );
          continue;
        }
        count++;
      }
    }
    upserts[name] = {
      ...w.spec,
      description:
        `georoute/v1 ${JSON.stringify({ r: hostedBy, e: expiresAt, ...(w.members.length > 1 || host ? { n: w.members.length } : {}) })}`.slice(
          0,
          512,
        ),
    };
  }
  if (Object.keys(upserts).length === 0) return;
  // Raise the floor with the schedules, if the plan raises it (never lowered here: that is the
  // reconcile's, with its cooldowns): the reconcile that follows then finds nothing to write.
  const floor =
    current && plannedFloor !== undefined && plannedFloor > (current.autoscalingPolicy?.minNumReplicas ?? 0)
      ? floorChange(current, plannedFloor, now)
      : undefined;
  const ids = [...new Set(here.map((h) => h.p.item.request.requestId))].sort();
  const written = await applyCapacity(
    rt.deps,
    {
      region,
      autoscaler,
      upsertSchedules: upserts,
      ...(floor ? { minReplicas: floor.minReplicas, description: floor.description } : {}),
      current,
      // Derived from the requests (not the deliveries): a redelivered batch repeats the same requestId.
      idempotencyKey: `capacity:${createHash('sha256').update(ids.join('\n')).digest('hex')}`,
    },
    { eventId: (here[0] as (typeof here)[number]).p.item.eventId },
  );
  if (written.changed) for (const h of here) if (!h.p.dropped.has(region)) h.p.changed = true;
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
