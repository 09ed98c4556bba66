import { createHash } from 'node:crypto';
import { applyCapacity, SCHEDULE_PREFIX, type ScheduleSpec } from '../actuators/capacity';
import { InvalidInputError } from '../core/errors';
import type { Logger } from '../core/logger';
import { observe } from '../observe/observe';
import { type PlacementResult, placeCapacity } from '../planner/place-capacity';
import { reconcile } from '../reconcile/reconcile';
import { claimAnswer, isAnswered, releaseClaim } from '../state/ledger';
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

/** A one-shot cron for the minute `at` falls in (UTC): the schedule starts at once and lasts `durationSec`. */
function startingNow(at: number): string {
  const d = new Date(at);
  return `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

/**
 * `capacityRequest`: raise the replica floor where the planner places the request (stockout- and
 * budget-aware), as autoscaler scaling schedules named after the request (so a redelivery is a
 * no-op at Google), and publish exactly one answer.
 */
export function handleCapacityRequest(rt: FunctionRuntime, event: CloudEventLike): Promise<Outcome> {
  return runHandler('capacityRequest', rt, event, (delivery, log) => capacityRequest(rt, delivery, log));
}

async function capacityRequest(rt: FunctionRuntime, delivery: PubsubDelivery, log: Logger): Promise<Outcome> {
  const { config, deps } = rt;
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
  const backendService = config.loadBalancer.backendService;
  if (await isAnswered(deps, backendService, request.requestId)) {
    return { decision: 'duplicate', requestId: request.requestId, reason: 'already answered (same requestId)' };
  }

  const observation = await observe(deps, config);
  const placement: PlacementResult = placeCapacity(
    { config, ...observation.input },
    {
      requestId: request.requestId,
      region: request.region,
      near: request.near,
      accelerator: request.accelerator,
      replicas: request.replicas,
    },
  );
  const now = observation.input.now;
  const expiresAt = request.durationMinutes ? now + request.durationMinutes * 60_000 : undefined;
  const name = scheduleName(request.requestId);
  const spec = (replicas: number): ScheduleSpec => ({
    minRequiredReplicas: replicas,
    // Time-boxed: from this minute for the duration (it then expires by itself). Open-ended: every
    // minute for 5 minutes, i.e. always on, until withdrawn.
    schedule: expiresAt ? startingNow(now) : '* * * * *',
    durationSec: expiresAt ? (request.durationMinutes as number) * 60 : 300,
    timeZone: 'UTC',
    description: `georoute/v1 ${JSON.stringify({ r: request.requestId, e: expiresAt })}`.slice(0, 512),
  });
  // Placements are written first and keyed by the request: a crash here, or a duplicate racing us,
  // writes the same schedules with the same requestIds, which Google de-duplicates.
  await Promise.all(
    placement.placements.map((p) => {
      const region = config.regions.find((r) => r.name === p.region)!;
      return applyCapacity(
        deps,
        {
          region: p.region,
          autoscaler: region.autoscaler,
          upsertSchedules: { [name]: spec(p.replicas) },
          idempotencyKey: `capacity:${request.requestId}`,
        },
        { eventId: delivery.eventId },
      );
    }),
  );
  const result: CapacityResult = {
    requestId: request.requestId,
    status: placement.status,
    placements: placement.placements,
    reason: placement.reason,
    ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
  };
  if (!(await claimAnswer(deps, backendService, request.requestId, now))) {
    return { decision: 'duplicate', requestId: request.requestId, reason: 'a concurrent delivery answered it' };
  }
  try {
    await rt.publish(config.pubsub.capacityResults, result, { requestId: request.requestId, status: result.status });
  } catch (err) {
    await releaseClaim(deps, backendService, request.requestId).catch(() => undefined);
    throw err;
  }
  rlog.info(`capacity request ${result.status}: ${result.reason}`, {
    decision: result.status,
    placements: result.placements,
  });
  // Level-triggered as everything else: the planner now sees the new floors.
  const after = await reconcile(deps, config, { kind: 'capacity', eventId: delivery.eventId });
  return {
    decision: result.status,
    requestId: request.requestId,
    placements: result.placements,
    reconcileErrors: after.errors.length,
  };
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
