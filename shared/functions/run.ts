import { InvalidInputError, isRetryable } from '../core/errors';
import type { Logger } from '../core/logger';
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
  const log = rt.deps.logger.child({ function: name, eventId: event?.id ?? null });
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
      issues: err instanceof InvalidInputError ? err.issues.slice(0, 20) : undefined,
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
    eventId: event?.id ?? null,
    messageId: delivery?.messageId ?? (typeof rawMessage?.messageId === 'string' ? rawMessage.messageId : null),
    attributes: delivery?.attributes ?? {},
    // The original data, base64, truncated: enough to inspect and replay, bounded in size.
    data: typeof raw === 'string' ? raw.slice(0, 16_384) : null,
    truncated: typeof raw === 'string' && raw.length > 16_384,
  };
  await rt.publish(rt.config.pubsub.deadLetter, payload, { function: name, reason: reason.slice(0, 256) });
  log.info(`${name}: published to dead-letter topic ${rt.config.pubsub.deadLetter}`, { decision: 'dead-lettered' });
}
