import type { EmulatorContext } from '../core/world';
import {
  type AckFailure,
  exactlyOnceAckFailure,
  invalidArgument,
  resourceExists,
  resourceNotFound,
  unimplemented,
} from './errors';
import {
  DELETED_TOPIC,
  type PendingMessage,
  parseSubscriptionName,
  parseTopicName,
  type StoredMessage,
  type SubscriptionConfig,
  type SubscriptionState,
  shortId,
  type TopicState,
} from './model';
import { normalizeSubscription, type SubscriptionProto, type TopicProto, topicRetentionMs } from './validate';

/** A message handed to a subscriber, with the ack id of this delivery. */
export interface Received {
  ackId: string;
  message: StoredMessage;
  /** 0 unless the subscription has a dead-letter policy (as Google reports it). */
  deliveryAttempt: number;
}

/** Something that takes leased messages of a pull subscription: a StreamingPull stream or a waiting Pull. */
export interface Consumer {
  readonly id: string;
  /** How many more messages it accepts now. */
  capacity(): number;
  leaseMs(): number;
  deliver(batch: Received[]): void;
}

export interface DeliverySettings {
  /** Each published message is delivered this many times (independent copies). */
  duplicates: number;
  /** Hold each message for a random time up to `shuffleWindowMs` (virtual) and release in random order. */
  shuffle: boolean;
  shuffleWindowMs: number;
  /**
   * Real ms a pull lease lives at least, whatever the virtual clock does. The client library keeps
   * its leases (acks, extensions) on wall-clock timers; without this, a clock jump would expire a
   * lease the client was about to ack, a duplicate Google would not produce.
   */
  leaseGraceRealMs: number;
}

const DEFAULT_SETTINGS: DeliverySettings = {
  duplicates: 1,
  shuffle: false,
  shuffleWindowMs: 1_000,
  leaseGraceRealMs: 1_000,
};

export interface OutgoingMessage {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string;
}

/** Publish request limit (Google: 10 MB per request). */
export const MAX_PUBLISH_BYTES = 10 * 1024 * 1024;
/** Messages kept per topic for the control API's history. */
const HISTORY_LIMIT = 10_000;

/**
 * Pub/Sub state and delivery rules, independent of the transport: topics, subscriptions, leases
 * (ack ids and deadlines on the virtual clock), nacks with backoff, dead-lettering, and the
 * duplicate / shuffle switches. The gRPC server, the push deliverer and the control API drive it.
 */
export class PubsubEngine {
  readonly topics = new Map<string, TopicState>();
  readonly subs = new Map<string, SubscriptionState>();
  settings: DeliverySettings = { ...DEFAULT_SETTINGS };
  /** Called to deliver what is due on a push subscription (set by the push deliverer). */
  pushHook?: (sub: SubscriptionState) => void;
  /** Called when a subscription disappears (streams on it end with NOT_FOUND). */
  readonly deletedHooks = new Set<(name: string) => void>();

  private readonly consumers = new Map<string, Set<Consumer>>();
  private readonly servicing = new Set<SubscriptionState>();
  private readonly dirty = new Set<SubscriptionState>();
  private seq = 0;
  private messageSeq = 0;
  private ackSeq = 0;

  constructor(private readonly ctx: EmulatorContext) {}

  // ---- topics ------------------------------------------------------------------------------

  createTopic(req: TopicProto): TopicState {
    const { name, id } = parseTopicName(req.name);
    if (this.topics.has(name)) throw resourceExists(id);
    if (req.schemaSettings || req.ingestionDataSourceSettings) {
      throw unimplemented('Topic schemas and ingestion sources are not emulated.');
    }
    const topic: TopicState = {
      name,
      labels: { ...(req.labels ?? {}) },
      messageRetentionMs: topicRetentionMs(req.messageRetentionDuration),
      published: [],
    };
    this.topics.set(name, topic);
    return topic;
  }

  getTopic(name: unknown): TopicState {
    const parsed = parseTopicName(name);
    const topic = this.topics.get(parsed.name);
    if (!topic) throw resourceNotFound(parsed.id);
    return topic;
  }

  updateTopic(req: TopicProto, paths: string[]): TopicState {
    const topic = this.getTopic(req.name);
    if (paths.length === 0) throw invalidArgument('update_mask must be specified and non-empty.');
    for (const path of paths) {
      if (path === 'labels') topic.labels = { ...(req.labels ?? {}) };
      else if (path === 'message_retention_duration' || path === 'messageRetentionDuration') {
        topic.messageRetentionMs = topicRetentionMs(req.messageRetentionDuration);
      } else throw unimplemented(`Updating topic field "${path}" is not emulated.`);
    }
    return topic;
  }

  deleteTopic(name: unknown): void {
    const topic = this.getTopic(name);
    this.topics.delete(topic.name);
    // As with Google, subscriptions survive their topic and show it as `_deleted-topic_`.
    for (const sub of this.subs.values()) if (sub.config.topic === topic.name) sub.config.topic = DELETED_TOPIC;
  }

  topicSubscriptions(name: unknown): string[] {
    const topic = this.getTopic(name);
    return [...this.subs.values()].filter((s) => s.config.topic === topic.name).map((s) => s.config.name);
  }

  // ---- publishing --------------------------------------------------------------------------

  /** Validates like Google's Publish and fans the messages out to every attached subscription. */
  publish(topicName: unknown, messages: OutgoingMessage[]): string[] {
    const topic = this.getTopic(topicName);
    validateMessages(messages);
    const now = this.ctx.clock.now();
    const targets = [...this.subs.values()].filter((s) => s.config.topic === topic.name && !s.config.detached);
    const ids = messages.map((m) => {
      const stored: StoredMessage = {
        messageId: String(4_000_000_000_000_000 + ++this.messageSeq),
        data: m.data.toString('base64'),
        attributes: { ...m.attributes },
        publishTime: now,
      };
      if (m.orderingKey) stored.orderingKey = m.orderingKey;
      topic.published.push(stored);
      if (topic.published.length > HISTORY_LIMIT) topic.published.splice(0, topic.published.length - HISTORY_LIMIT);
      for (const sub of targets) {
        for (let i = 0; i < Math.max(1, this.settings.duplicates); i++) this.enqueue(sub, stored, now);
      }
      return stored.messageId;
    });
    for (const sub of targets) this.service(sub);
    return ids;
  }

  private enqueue(sub: SubscriptionState, message: StoredMessage, now: number): void {
    const key = ++this.seq;
    const shuffle = this.settings.shuffle;
    const hold = shuffle ? Math.floor(this.ctx.random() * this.settings.shuffleWindowMs) : 0;
    // A push request leaves Google some time after the publish (timings.pushLatencyMs).
    const latency = sub.config.pushConfig.pushEndpoint ? this.ctx.timings.pushLatencyMs : 0;
    const pending: PendingMessage = {
      key,
      message,
      attempts: 0,
      availableAt: now + hold + latency,
      rank: shuffle ? this.ctx.random() * 1e12 : key,
    };
    if (shuffle) pending.held = true;
    sub.pending.push(pending);
    sub.wakeAt = Math.min(sub.wakeAt, pending.availableAt);
  }

  // ---- subscriptions -----------------------------------------------------------------------

  createSubscription(req: SubscriptionProto): SubscriptionState {
    const { name, id } = parseSubscriptionName(req.name);
    if (this.subs.has(name)) throw resourceExists(id);
    const config = normalizeSubscription(req, (t) => this.topics.has(t));
    const sub: SubscriptionState = {
      config,
      pending: [],
      stats: { delivered: 0, acked: 0, nacked: 0, expired: 0, deadLettered: 0 },
      wakeAt: Number.POSITIVE_INFINITY,
    };
    this.subs.set(name, sub);
    return sub;
  }

  getSubscription(name: unknown): SubscriptionState {
    const parsed = parseSubscriptionName(name);
    const sub = this.subs.get(parsed.name);
    if (!sub) throw resourceNotFound(parsed.id);
    return sub;
  }

  /** Replaces the config (UpdateSubscription / ModifyPushConfig), keeping the backlog. */
  replaceConfig(sub: SubscriptionState, config: SubscriptionConfig): void {
    sub.config = config;
    sub.wakeAt = this.ctx.clock.now();
    this.service(sub);
  }

  deleteSubscription(name: unknown): void {
    const sub = this.getSubscription(name);
    this.subs.delete(sub.config.name);
    this.consumers.delete(sub.config.name);
    for (const hook of this.deletedHooks) hook(sub.config.name);
  }

  addConsumer(name: string, consumer: Consumer): void {
    const sub = this.subs.get(name);
    if (!sub) throw resourceNotFound(shortId(name));
    const set = this.consumers.get(name) ?? new Set<Consumer>();
    this.consumers.set(name, set);
    set.add(consumer);
    this.service(sub);
  }

  removeConsumer(name: string, consumer: Consumer): void {
    this.consumers.get(name)?.delete(consumer);
  }

  // ---- leases ------------------------------------------------------------------------------

  /** Leases up to `max` available messages to `consumer` for `leaseMs` (virtual). */
  take(sub: SubscriptionState, max: number, leaseMs: number, consumer: string): Received[] {
    const now = this.ctx.clock.now();
    this.dropExpired(sub, now);
    const available = this.deliverable(sub, now);
    const out: Received[] = [];
    const dlp = sub.config.deadLetterPolicy;
    for (const p of available) {
      if (out.length >= max) break;
      if (dlp && p.attempts >= dlp.maxDeliveryAttempts) {
        this.deadLetter(sub, p);
        continue;
      }
      p.attempts++;
      delete p.held;
      const ackId = Buffer.from(`${sub.config.name}\n${p.key}\n${++this.ackSeq}`).toString('base64url');
      p.lease = { ackId, expires: now + leaseMs, consumer, grantedReal: Date.now() };
      sub.stats.delivered++;
      sub.wakeAt = Math.min(sub.wakeAt, p.lease.expires);
      out.push({ ackId, message: p.message, deliveryAttempt: dlp ? p.attempts : 0 });
    }
    return out;
  }

  /** When the earliest message deliverable now became due (push wakes a cold endpoint from then). */
  firstDeliverableAt(sub: SubscriptionState): number | undefined {
    const due = this.deliverable(sub, this.ctx.clock.now());
    return due.length > 0 ? Math.min(...due.map((p) => p.availableAt)) : undefined;
  }

  /**
   * Messages that may be delivered now, in delivery order. With `enableMessageOrdering`, messages
   * of one ordering key go one at a time in publish order: a later one waits until every earlier
   * one is acked or dead-lettered (https://cloud.google.com/pubsub/docs/ordering). Without it,
   * ordering keys are ignored, as Google ignores them.
   */
  private deliverable(sub: SubscriptionState, now: number): PendingMessage[] {
    let heads: Set<PendingMessage> | undefined;
    if (sub.config.enableMessageOrdering) {
      heads = new Set();
      const seen = new Set<string>();
      for (const p of [...sub.pending].sort((a, b) => a.key - b.key)) {
        const k = p.message.orderingKey;
        if (!k) heads.add(p);
        else if (!seen.has(k)) {
          seen.add(k);
          heads.add(p);
        }
      }
    }
    return sub.pending
      .filter((p) => !p.lease && p.availableAt <= now && (!heads || heads.has(p)))
      .sort((a, b) => a.availableAt - b.availableAt || a.rank - b.rank);
  }

  /**
   * Acks. Without exactly-once delivery acks are best effort: an id whose message is gone is
   * ignored. With it, "only the latest acknowledgment ID can be used to acknowledge the message"
   * (https://cloud.google.com/pubsub/docs/exactly-once-delivery): an older or expired id fails, and
   * the RPC answers INVALID_ARGUMENT naming each failed id (the valid ones are acked).
   */
  acknowledge(subName: unknown, ackIds: string[]): void {
    const sub = this.getSubscription(subName);
    if (ackIds.length === 0) throw invalidArgument('No ack ids were specified.');
    const failed: AckFailure = {};
    for (const ackId of ackIds) {
      const key = this.keyOf(sub, ackId);
      const i = sub.pending.findIndex((p) => p.key === key);
      if (sub.config.enableExactlyOnceDelivery && !this.currentLease(sub.pending[i], ackId)) {
        failed[ackId] = 'PERMANENT_FAILURE_INVALID_ACK_ID';
        continue;
      }
      if (i < 0) continue;
      sub.pending.splice(i, 1);
      sub.stats.acked++;
    }
    this.service(sub);
    if (Object.keys(failed).length > 0) throw exactlyOnceAckFailure(failed);
  }

  /** `seconds` 0 is a nack; otherwise the lease is extended from now. */
  modifyAckDeadline(subName: unknown, ackIds: string[], seconds: number): void {
    const sub = this.getSubscription(subName);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 600) {
      throw invalidArgument(`Invalid ack deadline given: ${seconds}. It must be between 0 and 600 seconds.`);
    }
    const now = this.ctx.clock.now();
    const failed: AckFailure = {};
    for (const ackId of ackIds) {
      const key = this.keyOf(sub, ackId);
      const p = sub.pending.find((m) => m.key === key);
      const eod = sub.config.enableExactlyOnceDelivery;
      if (!(eod ? this.currentLease(p, ackId) : p?.lease?.ackId === ackId)) {
        if (eod) failed[ackId] = 'PERMANENT_FAILURE_INVALID_ACK_ID';
        continue;
      }
      if (!p?.lease) continue;
      if (seconds === 0) this.nack(sub, p, 'nacked');
      else {
        p.lease.expires = now + seconds * 1000;
        p.lease.grantedReal = Date.now();
        sub.wakeAt = Math.min(sub.wakeAt, p.lease.expires);
      }
    }
    this.service(sub);
    if (Object.keys(failed).length > 0) throw exactlyOnceAckFailure(failed);
  }

  /** Whether `ackId` is the live lease of `p` (not superseded by a redelivery, not expired). */
  private currentLease(p: PendingMessage | undefined, ackId: string): boolean {
    if (!p?.lease || p.lease.ackId !== ackId) return false;
    const graceFrom = Date.now() - this.settings.leaseGraceRealMs;
    return p.lease.expires > this.ctx.clock.now() || p.lease.grantedReal > graceFrom;
  }

  /** Outcome of a push request: 2xx acks, anything else nacks (with backoff, maybe dead-lettering). */
  settlePush(sub: SubscriptionState, ackId: string, ok: boolean): void {
    if (this.subs.get(sub.config.name) !== sub) return; // deleted meanwhile
    const i = sub.pending.findIndex((p) => p.lease?.ackId === ackId);
    if (i < 0) return;
    const p = sub.pending[i] as PendingMessage;
    if (ok) {
      sub.pending.splice(i, 1);
      sub.stats.acked++;
    } else this.nack(sub, p, 'nacked');
    this.service(sub);
  }

  private keyOf(sub: SubscriptionState, ackId: string): number {
    const parts = Buffer.from(ackId, 'base64url').toString('utf8').split('\n');
    const key = Number(parts[1]);
    if (parts.length !== 3 || parts[0] !== sub.config.name || !Number.isInteger(key)) {
      throw invalidArgument(`You have passed an invalid ack ID to the service (ack_id=${ackId}).`);
    }
    return key;
  }

  private nack(sub: SubscriptionState, p: PendingMessage, reason: 'nacked' | 'expired'): void {
    delete p.lease;
    sub.stats[reason]++;
    const dlp = sub.config.deadLetterPolicy;
    if (dlp && p.attempts >= dlp.maxDeliveryAttempts) {
      this.deadLetter(sub, p);
      return;
    }
    const now = this.ctx.clock.now();
    p.availableAt = now + this.backoffMs(sub.config, p.attempts);
    sub.wakeAt = Math.min(sub.wakeAt, p.availableAt);
  }

  /**
   * Redelivery delay after the n-th failed delivery: exponential between the retry policy's bounds.
   * Push subscriptions always back off (the timings stand in for Google's push backoff); pull ones
   * only with a retry policy.
   */
  private backoffMs(config: SubscriptionConfig, attempts: number): number {
    const policy =
      config.retryPolicy ??
      (config.pushConfig.pushEndpoint
        ? { minimumBackoffMs: this.ctx.timings.pushMinBackoffMs, maximumBackoffMs: this.ctx.timings.pushMaxBackoffMs }
        : undefined);
    if (!policy) return 0;
    return Math.min(policy.maximumBackoffMs, policy.minimumBackoffMs * 2 ** Math.max(0, attempts - 1));
  }

  private deadLetter(sub: SubscriptionState, p: PendingMessage): void {
    const i = sub.pending.indexOf(p);
    if (i >= 0) sub.pending.splice(i, 1);
    sub.stats.deadLettered++;
    const dlt = sub.config.deadLetterPolicy?.deadLetterTopic;
    if (!dlt || !this.topics.has(dlt)) return; // the topic is gone: the message is lost
    const project = sub.config.name.split('/')[1] as string;
    this.publish(dlt, [
      {
        data: Buffer.from(p.message.data, 'base64'),
        attributes: {
          ...p.message.attributes,
          CloudPubSubDeadLetterSourceDeliveryCount: String(p.attempts),
          CloudPubSubDeadLetterSourceSubscription: shortId(sub.config.name),
          CloudPubSubDeadLetterSourceSubscriptionProject: project,
          CloudPubSubDeadLetterSourceTopicPublishTime: new Date(p.message.publishTime).toISOString(),
        },
        orderingKey: p.message.orderingKey,
      },
    ]);
  }

  private dropExpired(sub: SubscriptionState, now: number): void {
    const limit = now - sub.config.messageRetentionMs;
    if (sub.pending.some((p) => !p.lease && p.message.publishTime < limit)) {
      sub.pending = sub.pending.filter((p) => p.lease || p.message.publishTime >= limit);
    }
  }

  // ---- the delivery loop ---------------------------------------------------------------------

  /** Expires leases that are due and hands available messages to push or to the attached streams. */
  service(sub: SubscriptionState): void {
    if (this.servicing.has(sub)) {
      this.dirty.add(sub);
      return;
    }
    this.servicing.add(sub);
    try {
      do {
        this.dirty.delete(sub);
        const now = this.ctx.clock.now();
        const graceFrom = Date.now() - this.settings.leaseGraceRealMs;
        for (const p of [...sub.pending]) {
          if (p.lease && p.lease.expires <= now && p.lease.grantedReal <= graceFrom) this.nack(sub, p, 'expired');
        }
        if (this.subs.get(sub.config.name) !== sub) return;
        if (sub.config.pushConfig.pushEndpoint) this.pushHook?.(sub);
        else this.feedConsumers(sub);
      } while (this.dirty.has(sub));
      sub.wakeAt = this.nextWake(sub);
    } finally {
      this.servicing.delete(sub);
    }
  }

  private feedConsumers(sub: SubscriptionState): void {
    const set = this.consumers.get(sub.config.name);
    if (!set) return;
    for (const consumer of [...set]) {
      const room = consumer.capacity();
      if (room <= 0) continue;
      const batch = this.take(sub, room, consumer.leaseMs(), consumer.id);
      if (batch.length === 0) return;
      consumer.deliver(batch);
    }
  }

  private nextWake(sub: SubscriptionState): number {
    const now = this.ctx.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const p of sub.pending) {
      const at = p.lease ? p.lease.expires : p.availableAt > now ? p.availableAt : Number.POSITIVE_INFINITY;
      if (at < next) next = at;
    }
    return next;
  }

  tick(now: number): void {
    for (const sub of [...this.subs.values()]) if (sub.wakeAt <= now) this.service(sub);
  }

  /** Releases shuffle holds (in their random order) and delivers everything due now. */
  flush(): void {
    const now = this.ctx.clock.now();
    for (const sub of this.subs.values()) {
      for (const p of sub.pending) {
        if (p.held && !p.lease) {
          p.availableAt = Math.min(p.availableAt, now);
          delete p.held;
        }
      }
      sub.wakeAt = now;
    }
    this.tick(now);
  }

  // ---- state -------------------------------------------------------------------------------

  snapshot(): unknown {
    return {
      settings: this.settings,
      seq: this.seq,
      messageSeq: this.messageSeq,
      ackSeq: this.ackSeq,
      topics: [...this.topics.values()],
      subscriptions: [...this.subs.values()].map((s) => ({
        config: s.config,
        stats: s.stats,
        // Leases belong to connected clients, which do not survive a restart: all become deliverable.
        pending: s.pending.map(({ lease: _lease, ...p }) => p),
      })),
    };
  }

  restore(state: unknown): void {
    this.clear();
    const s = (state ?? {}) as Partial<{
      settings: DeliverySettings;
      seq: number;
      messageSeq: number;
      ackSeq: number;
      topics: TopicState[];
      subscriptions: Array<Omit<SubscriptionState, 'wakeAt'>>;
    }>;
    if (s.settings) this.settings = { ...this.settings, ...s.settings };
    this.seq = s.seq ?? 0;
    this.messageSeq = s.messageSeq ?? 0;
    this.ackSeq = s.ackSeq ?? 0;
    for (const t of s.topics ?? []) this.topics.set(t.name, { ...t, published: [...(t.published ?? [])] });
    for (const sub of s.subscriptions ?? []) {
      this.subs.set(sub.config.name, { config: sub.config, stats: sub.stats, pending: sub.pending ?? [], wakeAt: 0 });
    }
  }

  clear(): void {
    const names = [...this.subs.keys()];
    this.topics.clear();
    this.subs.clear();
    this.consumers.clear();
    this.settings = { ...DEFAULT_SETTINGS };
    for (const name of names) for (const hook of this.deletedHooks) hook(name);
  }
}

function validateMessages(messages: OutgoingMessage[]): void {
  if (messages.length === 0) throw invalidArgument('The publish request must contain at least one message.');
  let bytes = 0;
  for (const m of messages) {
    const attributes = Object.entries(m.attributes);
    if (m.data.length === 0 && attributes.length === 0) {
      throw invalidArgument(
        'One or more messages in the publish request is empty. Each message must contain either non-empty data, or at least one attribute.',
      );
    }
    if (attributes.length > 100) throw invalidArgument('A message can have at most 100 attributes.');
    for (const [k, v] of attributes) {
      if (k.startsWith('goog'))
        throw invalidArgument(`The attribute key "${k}" is reserved (keys starting with "goog").`);
      if (Buffer.byteLength(k) > 256) throw invalidArgument('An attribute key exceeds the limit of 256 bytes.');
      if (Buffer.byteLength(v) > 1024) throw invalidArgument('An attribute value exceeds the limit of 1024 bytes.');
      bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    }
    bytes += m.data.length + Buffer.byteLength(m.orderingKey ?? '');
  }
  if (bytes > MAX_PUBLISH_BYTES) {
    throw invalidArgument(`Request payload size exceeds the limit: ${MAX_PUBLISH_BYTES} bytes.`);
  }
}
