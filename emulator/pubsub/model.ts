import { invalidArgument } from './errors';

/** A published message, as stored (plain JSON: data is base64). */
export interface StoredMessage {
  messageId: string;
  data: string;
  attributes: Record<string, string>;
  /** Virtual epoch ms. */
  publishTime: number;
  orderingKey?: string;
}

export interface TopicState {
  name: string;
  labels: Record<string, string>;
  messageRetentionMs?: number;
  /** Every message ever published here (the control API's "what did this topic receive"). */
  published: StoredMessage[];
}

export interface PushConfigState {
  pushEndpoint: string;
  attributes: Record<string, string>;
  oidcToken?: { serviceAccountEmail: string; audience: string };
  noWrapper?: { writeMetadata: boolean };
}

export interface SubscriptionConfig {
  name: string;
  topic: string;
  pushConfig: PushConfigState;
  ackDeadlineSeconds: number;
  retainAckedMessages: boolean;
  messageRetentionMs: number;
  labels: Record<string, string>;
  enableMessageOrdering: boolean;
  enableExactlyOnceDelivery: boolean;
  expirationTtlMs: number;
  deadLetterPolicy?: { deadLetterTopic: string; maxDeliveryAttempts: number };
  retryPolicy?: { minimumBackoffMs: number; maximumBackoffMs: number };
  detached: boolean;
}

/** One copy of a message waiting in a subscription until it is acked. */
export interface PendingMessage {
  key: number;
  message: StoredMessage;
  /** Deliveries made so far (Google's delivery attempt of the latest delivery). */
  attempts: number;
  /** Not delivered before this virtual time (backoff, or a shuffle hold). */
  availableAt: number;
  /** Tie-break between messages available at once: publish order, or random when shuffling. */
  rank: number;
  /** Held back by the shuffle switch (released by its timer or by `flush`). */
  held?: boolean;
  /** Set while delivered and not yet acked / nacked / expired. */
  /** `expires` is virtual time; `grantedReal` is wall-clock ms of the grant or last extension. */
  lease?: { ackId: string; expires: number; consumer: string; grantedReal: number };
}

export interface SubscriptionStats {
  delivered: number;
  acked: number;
  nacked: number;
  expired: number;
  deadLettered: number;
}

export interface SubscriptionState {
  config: SubscriptionConfig;
  pending: PendingMessage[];
  stats: SubscriptionStats;
  /** Next virtual time something is due (a lease expiry, a backoff end); Infinity when idle. */
  wakeAt: number;
}

export const DELETED_TOPIC = '_deleted-topic_';

/** Ids: start with a letter, 3–255 of `[A-Za-z0-9-_.~+%]`, not starting with `goog`. */
const RESOURCE_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

export interface ResourceName {
  project: string;
  id: string;
  name: string;
}

function parseName(name: unknown, collection: 'topics' | 'subscriptions'): ResourceName {
  const text = typeof name === 'string' ? name : '';
  const m = /^projects\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(text);
  if (!m || m[2] !== collection || !RESOURCE_ID.test(m[3] as string) || (m[3] as string).startsWith('goog')) {
    throw invalidArgument(`Invalid [${collection}] name: (name=${text})`);
  }
  return { project: m[1] as string, id: m[3] as string, name: text };
}

export const parseTopicName = (name: unknown): ResourceName => parseName(name, 'topics');
export const parseSubscriptionName = (name: unknown): ResourceName => parseName(name, 'subscriptions');

export function parseProject(name: unknown): string {
  const m = /^projects\/([^/]+)$/.exec(typeof name === 'string' ? name : '');
  if (!m) throw invalidArgument(`Invalid [projects] name: (name=${String(name)})`);
  return m[1] as string;
}

export function shortId(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** google.protobuf.Duration as decoded by proto-loader (int64 as string). */
export interface DurationProto {
  seconds?: string | number | null;
  nanos?: number | null;
}

export function durationMs(d: DurationProto | null | undefined): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

export function toDuration(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function toTimestamp(ms: number): { seconds: string; nanos: number } {
  return toDuration(ms);
}
