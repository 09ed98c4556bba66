import { invalidArgument, resourceNotFound, unimplemented } from './errors';
import {
  type DurationProto,
  durationMs,
  type PushConfigState,
  parseSubscriptionName,
  parseTopicName,
  type SubscriptionConfig,
  shortId,
  toDuration,
} from './model';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

export interface PushConfigProto {
  pushEndpoint?: string;
  attributes?: Record<string, string>;
  oidcToken?: { serviceAccountEmail?: string; audience?: string } | null;
  noWrapper?: { writeMetadata?: boolean } | null;
}

export interface SubscriptionProto {
  name?: string;
  topic?: string;
  pushConfig?: PushConfigProto | null;
  ackDeadlineSeconds?: number;
  retainAckedMessages?: boolean;
  messageRetentionDuration?: DurationProto | null;
  labels?: Record<string, string>;
  enableMessageOrdering?: boolean;
  expirationPolicy?: { ttl?: DurationProto | null } | null;
  filter?: string;
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number } | null;
  retryPolicy?: { minimumBackoff?: DurationProto | null; maximumBackoff?: DurationProto | null } | null;
  detached?: boolean;
  enableExactlyOnceDelivery?: boolean;
  bigqueryConfig?: unknown;
  cloudStorageConfig?: unknown;
  bigtableConfig?: unknown;
}

export interface TopicProto {
  name?: string;
  labels?: Record<string, string>;
  messageRetentionDuration?: DurationProto | null;
  schemaSettings?: unknown;
  ingestionDataSourceSettings?: unknown;
}

/** Topic retention: 10 minutes … 31 days when set. */
export function topicRetentionMs(d: DurationProto | null | undefined): number | undefined {
  const ms = durationMs(d);
  if (ms === undefined) return undefined;
  if (ms < 10 * MINUTE || ms > 31 * DAY) {
    throw invalidArgument('message_retention_duration must be between 10 minutes and 31 days.');
  }
  return ms;
}

export function normalizePushConfig(p: PushConfigProto | null | undefined): PushConfigState {
  const endpoint = p?.pushEndpoint ?? '';
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    // Google demands https; the twin also takes http so local function servers can be targets.
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw invalidArgument(`Invalid push endpoint given (endpoint=${endpoint}).`);
    }
  }
  const out: PushConfigState = { pushEndpoint: endpoint, attributes: { ...(p?.attributes ?? {}) } };
  if (endpoint && !out.attributes['x-goog-version']) out.attributes['x-goog-version'] = 'v1';
  if (!endpoint) out.attributes = {};
  if (p?.oidcToken) {
    out.oidcToken = {
      serviceAccountEmail: p.oidcToken.serviceAccountEmail ?? '',
      audience: p.oidcToken.audience ?? '',
    };
  }
  if (p?.noWrapper) out.noWrapper = { writeMetadata: p.noWrapper.writeMetadata === true };
  return out;
}

/**
 * Turns a Subscription as the client sent it into the stored config, applying Google's defaults and
 * ranges. `topicExists` decides NOT_FOUND for the topic and the dead-letter topic.
 */
export function normalizeSubscription(
  req: SubscriptionProto,
  topicExists: (name: string) => boolean,
): SubscriptionConfig {
  const { name } = parseSubscriptionName(req.name);
  const topic = parseTopicName(req.topic).name;
  if (!topicExists(topic)) throw resourceNotFound(shortId(topic));
  if (req.bigqueryConfig || req.cloudStorageConfig || req.bigtableConfig) {
    throw unimplemented('BigQuery / Cloud Storage / Bigtable subscriptions are not emulated.');
  }
  if (req.filter) throw unimplemented('Subscription filters are not emulated.');

  let ackDeadlineSeconds = req.ackDeadlineSeconds ?? 0;
  if (ackDeadlineSeconds === 0) ackDeadlineSeconds = 10;
  if (ackDeadlineSeconds < 10 || ackDeadlineSeconds > 600) {
    throw invalidArgument(`Invalid ack deadline given: ${ackDeadlineSeconds}. It must be between 10 and 600 seconds.`);
  }

  const retention = durationMs(req.messageRetentionDuration) || 7 * DAY;
  if (retention < 10 * MINUTE || retention > 7 * DAY) {
    throw invalidArgument('message_retention_duration must be between 10 minutes and 7 days.');
  }

  let expirationTtlMs = 31 * DAY;
  if (req.expirationPolicy) {
    const ttl = durationMs(req.expirationPolicy.ttl);
    expirationTtlMs = ttl ?? 0; // an empty policy means "never expires"
    if (ttl !== undefined && ttl < DAY) throw invalidArgument('expiration_policy.ttl must be at least 1 day.');
  }

  const config: SubscriptionConfig = {
    name,
    topic,
    pushConfig: normalizePushConfig(req.pushConfig),
    ackDeadlineSeconds,
    retainAckedMessages: req.retainAckedMessages === true,
    messageRetentionMs: retention,
    labels: { ...(req.labels ?? {}) },
    enableMessageOrdering: req.enableMessageOrdering === true,
    enableExactlyOnceDelivery: req.enableExactlyOnceDelivery === true,
    expirationTtlMs,
    detached: req.detached === true,
  };

  const dlp = req.deadLetterPolicy;
  if (dlp?.deadLetterTopic) {
    const dlt = parseTopicName(dlp.deadLetterTopic).name;
    if (!topicExists(dlt)) throw resourceNotFound(shortId(dlt));
    const max = dlp.maxDeliveryAttempts || 5;
    if (max < 5 || max > 100) {
      throw invalidArgument(`Invalid max_delivery_attempts: ${max}. It must be between 5 and 100.`);
    }
    config.deadLetterPolicy = { deadLetterTopic: dlt, maxDeliveryAttempts: max };
  }

  if (req.retryPolicy) {
    const min = durationMs(req.retryPolicy.minimumBackoff) ?? 10 * SECOND;
    const max = durationMs(req.retryPolicy.maximumBackoff) ?? 600 * SECOND;
    for (const [field, v] of [
      ['minimum_backoff', min],
      ['maximum_backoff', max],
    ] as const) {
      if (v < 0 || v > 600 * SECOND) throw invalidArgument(`retry_policy.${field} must be between 0 and 600 seconds.`);
    }
    if (min > max) throw invalidArgument('retry_policy.minimum_backoff must not exceed maximum_backoff.');
    config.retryPolicy = { minimumBackoffMs: min, maximumBackoffMs: max };
  }
  return config;
}

/** The Subscription message the API returns. */
export function subscriptionToProto(c: SubscriptionConfig): Record<string, unknown> {
  const push: Record<string, unknown> = {
    pushEndpoint: c.pushConfig.pushEndpoint,
    attributes: c.pushConfig.attributes,
  };
  if (c.pushConfig.oidcToken) push.oidcToken = c.pushConfig.oidcToken;
  if (c.pushConfig.noWrapper) push.noWrapper = c.pushConfig.noWrapper;
  const out: Record<string, unknown> = {
    name: c.name,
    topic: c.topic,
    pushConfig: push,
    ackDeadlineSeconds: c.ackDeadlineSeconds,
    retainAckedMessages: c.retainAckedMessages,
    messageRetentionDuration: toDuration(c.messageRetentionMs),
    labels: c.labels,
    enableMessageOrdering: c.enableMessageOrdering,
    expirationPolicy: c.expirationTtlMs ? { ttl: toDuration(c.expirationTtlMs) } : {},
    filter: '',
    detached: c.detached,
    enableExactlyOnceDelivery: c.enableExactlyOnceDelivery,
    state: 'ACTIVE',
  };
  if (c.deadLetterPolicy) out.deadLetterPolicy = c.deadLetterPolicy;
  if (c.retryPolicy) {
    out.retryPolicy = {
      minimumBackoff: toDuration(c.retryPolicy.minimumBackoffMs),
      maximumBackoff: toDuration(c.retryPolicy.maximumBackoffMs),
    };
  }
  return out;
}

/** Back to the request shape, so an update can overlay masked fields and re-validate the whole. */
export function subscriptionToRequest(c: SubscriptionConfig): SubscriptionProto {
  const p = subscriptionToProto(c) as SubscriptionProto;
  return { ...p, filter: '' };
}
