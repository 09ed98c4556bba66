import { InvalidInputError } from '../core';

/** A Pub/Sub message as Eventarc delivers it to a Cloud Function (2nd gen). */
export interface PubsubDelivery {
  /** CloudEvent id (= the Pub/Sub message id): what derives idempotency keys. */
  eventId: string;
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime?: string;
  subscription?: string;
}

/** What a CloudEvent handler receives from functions-framework (binary mode: `data` is the JSON body). */
export interface CloudEventLike {
  id?: string;
  type?: string;
  source?: string;
  time?: string;
  data?: unknown;
}

/** Messages larger than this are refused before parsing: nothing georoute accepts is near it. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes the `google.cloud.pubsub.topic.v1.messagePublished` envelope:
 * `{message: {data: base64, attributes, messageId, publishTime}, subscription}`. Anything else is
 * an InvalidInputError (acked, dead-lettered), never a crash.
 */
export function decodeEnvelope(event: CloudEventLike): PubsubDelivery {
  const body = event?.data as { message?: Record<string, unknown>; subscription?: unknown } | undefined;
  const message = body && typeof body === 'object' ? body.message : undefined;
  if (!message || typeof message !== 'object') {
    throw new InvalidInputError('not a Pub/Sub CloudEvent: data.message is missing');
  }
  // Only strings (or numbers) are ids: String() of a JSON object like {"toString": 1} throws.
  const messageId = idOf(message.messageId) ?? idOf(message.message_id) ?? idOf(event.id) ?? '';
  const eventId = idOf(event.id) ?? messageId;
  if (!eventId) throw new InvalidInputError('the event has no id and the message no messageId');
  const raw = message.data;
  if (raw !== undefined && typeof raw !== 'string') throw new InvalidInputError('message.data is not a base64 string');
  const text = (raw ?? '').replace(/\s+/g, '');
  if (text.length > Math.ceil((MAX_MESSAGE_BYTES * 4) / 3) + 4) {
    throw new InvalidInputError(`message is larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  if (!BASE64.test(text) || text.length % 4 === 1) throw new InvalidInputError('message.data is not valid base64');
  // Pub/Sub's own limits (100 attributes, keys ≤ 256 bytes, values ≤ 1024 bytes): nothing real
  // exceeds them, so a hand-made event that does only gets what fits.
  const attributes: Record<string, string> = {};
  if (message.attributes && typeof message.attributes === 'object' && !Array.isArray(message.attributes)) {
    for (const [k, v] of Object.entries(message.attributes as Record<string, unknown>)) {
      if (Object.keys(attributes).length >= 100) break;
      if (typeof v === 'string' && k.length <= 256 && v.length <= 1024) attributes[k] = v;
    }
  }
  return {
    eventId,
    messageId,
    data: Buffer.from(text, 'base64'),
    attributes,
    publishTime: typeof message.publishTime === 'string' ? message.publishTime : undefined,
    subscription: typeof body?.subscription === 'string' ? body.subscription : undefined,
  };
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.slice(0, 256) : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** Parses the message body as JSON; bad UTF-8 or JSON is an InvalidInputError. */
export function parseJson(data: Buffer): unknown {
  if (data.length === 0) throw new InvalidInputError('message is empty');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`message is not JSON: ${(err as Error).message.slice(0, 120)}`);
  }
}
