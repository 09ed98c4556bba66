import type { Received } from './engine';
import { type StoredMessage, type TopicState, toDuration, toTimestamp } from './model';

/** Conversions from stored state to the protobuf objects proto-loader encodes. */
export function messageToProto(m: StoredMessage): Record<string, unknown> {
  return {
    data: Buffer.from(m.data, 'base64'),
    attributes: m.attributes,
    messageId: m.messageId,
    publishTime: toTimestamp(m.publishTime),
    orderingKey: m.orderingKey ?? '',
  };
}

export function receivedToProto(r: Received): Record<string, unknown> {
  return { ackId: r.ackId, message: messageToProto(r.message), deliveryAttempt: r.deliveryAttempt };
}

export function topicToProto(t: TopicState): Record<string, unknown> {
  const out: Record<string, unknown> = { name: t.name, labels: t.labels, state: 'ACTIVE' };
  if (t.messageRetentionMs) out.messageRetentionDuration = toDuration(t.messageRetentionMs);
  return out;
}
