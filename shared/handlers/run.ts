import type { Logger } from '../core';
import { InvalidInputError, isRetryable } from '../core';
import { type CloudEventLike, decodeEnvelope, type PubsubDelivery } from './envelope';
import type { FunctionRuntime } from './runtime';

export interface Outcome {
  /** What the handler decided, for logs and tests (`drained`, `duplicate`, `rejected`…). */
  decision: string;
  [detail: string]: unknown;
}

/**
 * The one policy every function follows (DESIGN §3, Eventarc): return = ack, throw = retry.
 * - bad input → one structured error log with the reason, the message to the dead-letter topic, ack;
 * - transient fault (429/5xx, races exhausted) → throw, the platform retries with backoff;
 * - anything else non-retryable (a 400 from an API: a bug or a broken deployment) → logged,
 *   dead-lettered and acked, so one poison message cannot cause a retry storm.
 */
export async function runHandler(
  name: string,
  rt: FunctionRuntime,
  event: CloudEventLike,
  handle: (delivery: PubsubDelivery, log: Logger) => Promise<Outcome>,
): Promise<Outcome> {
  // Ids come from outside: bounded before they reach every log line.
  const log = rt.deps.logger.child({ function: name, eventId: bounded(event?.id, 256) });
  let delivery: PubsubDelivery | undefined;
  try {
    delivery = decodeEnvelope(event);
    const outcome = await handle(delivery, log);
    log.info(`${name}: ${outcome.decision}`, { ...outcome });
    return outcome;
  } catch (err) {
    if (!(err instanceof InvalidInputError) && isRetryable(err)) {
      log.warn(`${name}: transient failure, the message will be redelivered`, {
        error: String((err as Error).message).slice(0, 500),
        decision: 'retry',
      });
      throw err;
    }
    const reason = (err as Error).message ?? String(err);
    log.error(`${name}: message rejected: ${reason.slice(0, 500)}`, {
      decision: 'dead-letter',
      issues: err instanceof InvalidInputError ? err.issues.slice(0, 20).map((i) => i.slice(0, 300)) : undefined,
    });
    await deadLetter(rt, name, event, delivery, reason, log);
    return { decision: 'dead-lettered', reason };
  }
}

/**
 * Publishes the rejected message, with the reason, to the dead-letter topic. If even that fails the
 * error is thrown: losing the message silently is worse than a retry.
 */
async function deadLetter(
  rt: FunctionRuntime,
  name: string,
  event: CloudEventLike,
  delivery: PubsubDelivery | undefined,
  reason: string,
  log: Logger,
): Promise<void> {
  const rawMessage = (event?.data as { message?: { data?: unknown; messageId?: unknown } } | undefined)?.message;
  const raw = rawMessage?.data;
  const payload = {
    function: name,
    reason: reason.slice(0, 2_000),
    eventId: bounded(event?.id, 256),
    messageId: bounded(delivery?.messageId ?? rawMessage?.messageId, 256),
    attributes: boundedAttributes(delivery?.attributes ?? {}),
    // The original data, base64, truncated: enough to inspect and replay, bounded in size.
    data: typeof raw === 'string' ? raw.slice(0, 16_384) : null,
    truncated: typeof raw === 'string' && raw.length > 16_384,
  };
  await rt.publish(rt.config.pubsub.deadLetter, payload, { function: name, reason: reason.slice(0, 256) });
  log.info(`${name}: published to dead-letter topic ${rt.config.pubsub.deadLetter}`, { decision: 'dead-lettered' });
}

/** A string id from outside, cut to `max` characters; anything else is null. */
function bounded(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(0, max) : null;
}

/** The attributes to keep with a dead letter: as many as fit in 4 KiB, so the letter stays small. */
function boundedAttributes(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(attributes)) {
    size += k.length + v.length + 6;
    if (size > 4_096) break;
    out[k] = v;
  }
  return out;
}
