import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import { sleep } from '../core/http-server';
import { PUBSUB_PAGING, paginate } from '../core/paginate';
import { grpcStatus } from '../core/wire';
import type { EmulatorContext } from '../core/world';
import type { Consumer, PubsubEngine, Received } from './engine';
import { asApiError, detachedSubscription, invalidArgument, unimplemented } from './errors';
import { parseProject, shortId } from './model';
import { handleStreamingPull, type StreamingPullRequestProto } from './streaming-pull';
import {
  normalizePushConfig,
  normalizeSubscription,
  type PushConfigProto,
  type SubscriptionProto,
  subscriptionToProto,
  subscriptionToRequest,
  type TopicProto,
} from './validate';
import { receivedToProto, topicToProto } from './wire';

type Req = Record<string, unknown>;
type UnaryHandler = (req: Req) => unknown;

/** How long (real ms) a Pull with nothing to return waits for messages before answering empty. */
const PULL_WAIT_MS = 5_000;
let pullSeq = 0;

/**
 * Wraps one unary RPC: injected faults (latency, then an HTTP status mapped to its gRPC code), the
 * request log (HTTP-equivalent status), and ApiError → gRPC status.
 */
export function unary(ctx: EmulatorContext, rpc: string, write: boolean, handler: UnaryHandler) {
  return async (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): Promise<void> => {
    const entry = {
      time: ctx.clock.now(),
      api: 'pubsub' as const,
      method: 'POST',
      path: rpc.startsWith('IAMPolicy/') ? `/google.iam.v1.${rpc}` : `/google.pubsub.v1.${rpc}`,
      rpc,
      write,
    };
    const fault = ctx.faults.decide({ api: 'pubsub', method: 'POST', path: rpc, write });
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.error) {
      ctx.log.record({ ...entry, status: fault.error.status, injected: true });
      callback(grpcStatus(fault.error));
      return;
    }
    try {
      const result = await handler(call.request);
      ctx.log.record({ ...entry, status: 200 });
      callback(null, result ?? {});
    } catch (err) {
      const e = asApiError(err);
      ctx.log.record({ ...entry, status: e.status });
      callback(grpcStatus(e));
    }
  };
}

function maskPaths(req: Req): string[] {
  const mask = req.updateMask as { paths?: string[] } | null | undefined;
  return mask?.paths ?? [];
}

/** One page of a list RPC; the token is bound to the RPC and its parent. */
function page<T>(items: T[], req: Req, rpc: string) {
  return paginate(items, req, PUBSUB_PAGING, `${rpc}/${String(req.project ?? req.topic ?? '')}`);
}

export function publisherImplementation(engine: PubsubEngine, ctx: EmulatorContext): UntypedServiceImplementation {
  const rpc = (method: string, write: boolean, h: UnaryHandler) => unary(ctx, `Publisher/${method}`, write, h);
  return {
    CreateTopic: rpc('CreateTopic', true, (req) => topicToProto(engine.createTopic(req as TopicProto))),
    GetTopic: rpc('GetTopic', false, (req) => topicToProto(engine.getTopic(req.topic))),
    UpdateTopic: rpc('UpdateTopic', true, (req) =>
      topicToProto(engine.updateTopic((req.topic ?? {}) as TopicProto, maskPaths(req))),
    ),
    DeleteTopic: rpc('DeleteTopic', true, (req) => {
      engine.deleteTopic(req.topic);
      return {};
    }),
    ListTopics: rpc('ListTopics', false, (req) => {
      const project = parseProject(req.project);
      const topics = [...engine.topics.values()].filter((t) => t.name.startsWith(`projects/${project}/topics/`));
      const p = page(topics, req, 'ListTopics');
      return { topics: p.items.map(topicToProto), nextPageToken: p.nextPageToken ?? '' };
    }),
    ListTopicSubscriptions: rpc('ListTopicSubscriptions', false, (req) => {
      const p = page(engine.topicSubscriptions(req.topic), req, 'ListTopicSubscriptions');
      return { subscriptions: p.items, nextPageToken: p.nextPageToken ?? '' };
    }),
    ListTopicSnapshots: rpc('ListTopicSnapshots', false, (req) => {
      engine.getTopic(req.topic);
      return { snapshots: [], nextPageToken: '' };
    }),
    Publish: rpc('Publish', true, (req) => {
      const messages = (req.messages ?? []) as Array<{
        data?: Buffer;
        attributes?: Record<string, string>;
        orderingKey?: string;
      }>;
      const ids = engine.publish(
        req.topic,
        messages.map((m) => ({
          data: m.data ?? Buffer.alloc(0),
          attributes: m.attributes ?? {},
          orderingKey: m.orderingKey,
        })),
      );
      return { messageIds: ids };
    }),
    DetachSubscription: rpc('DetachSubscription', true, (req) => {
      const sub = engine.getSubscription(req.subscription);
      sub.config.detached = true;
      sub.pending = [];
      return {};
    }),
  };
}

export function subscriberImplementation(engine: PubsubEngine, ctx: EmulatorContext): UntypedServiceImplementation {
  const rpc = (method: string, write: boolean, h: UnaryHandler) => unary(ctx, `Subscriber/${method}`, write, h);
  const exists = (t: string): boolean => engine.topics.has(t);
  return {
    CreateSubscription: rpc('CreateSubscription', true, (req) =>
      subscriptionToProto(engine.createSubscription(req as SubscriptionProto).config),
    ),
    GetSubscription: rpc('GetSubscription', false, (req) =>
      subscriptionToProto(engine.getSubscription(req.subscription).config),
    ),
    UpdateSubscription: rpc('UpdateSubscription', true, (req) => {
      const update = (req.subscription ?? {}) as SubscriptionProto & Record<string, unknown>;
      const sub = engine.getSubscription(update.name);
      const paths = maskPaths(req);
      if (paths.length === 0) throw invalidArgument('update_mask must be specified and non-empty.');
      const merged = subscriptionToRequest(sub.config) as Record<string, unknown>;
      for (const path of paths) {
        const field = path.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (['name', 'topic', 'enableMessageOrdering', 'filter'].includes(field)) {
          throw invalidArgument(`Field "${path}" of a subscription cannot be updated.`);
        }
        merged[field] = update[field];
      }
      // The current topic may have been deleted; updates of other fields must still validate.
      const config = normalizeSubscription(merged as SubscriptionProto, (t) => t === sub.config.topic || exists(t));
      engine.replaceConfig(sub, config);
      return subscriptionToProto(config);
    }),
    ListSubscriptions: rpc('ListSubscriptions', false, (req) => {
      const project = parseProject(req.project);
      const subs = [...engine.subs.values()].filter((s) =>
        s.config.name.startsWith(`projects/${project}/subscriptions/`),
      );
      const p = page(subs, req, 'ListSubscriptions');
      return {
        subscriptions: p.items.map((s) => subscriptionToProto(s.config)),
        nextPageToken: p.nextPageToken ?? '',
      };
    }),
    DeleteSubscription: rpc('DeleteSubscription', true, (req) => {
      engine.deleteSubscription(req.subscription);
      return {};
    }),
    ModifyPushConfig: rpc('ModifyPushConfig', true, (req) => {
      const sub = engine.getSubscription(req.subscription);
      if (!req.pushConfig) throw invalidArgument('push_config is required.');
      const pushConfig = normalizePushConfig(req.pushConfig as PushConfigProto);
      engine.replaceConfig(sub, { ...sub.config, pushConfig });
      return {};
    }),
    Pull: rpc('Pull', false, (req) => pull(engine, req)),
    Acknowledge: rpc('Acknowledge', false, (req) => {
      engine.acknowledge(req.subscription, (req.ackIds ?? []) as string[]);
      return {};
    }),
    ModifyAckDeadline: rpc('ModifyAckDeadline', false, (req) => {
      const ackIds = (req.ackIds ?? []) as string[];
      if (ackIds.length === 0) throw invalidArgument('No ack ids were specified.');
      engine.modifyAckDeadline(req.subscription, ackIds, Number(req.ackDeadlineSeconds ?? 0));
      return {};
    }),
    StreamingPull: (call: ServerDuplexStream<StreamingPullRequestProto, unknown>) =>
      handleStreamingPull(engine, ctx, call),
    GetSnapshot: rpc('GetSnapshot', false, () => notEmulated('Snapshots')),
    ListSnapshots: rpc('ListSnapshots', false, (req) => {
      parseProject(req.project);
      return { snapshots: [], nextPageToken: '' };
    }),
    CreateSnapshot: rpc('CreateSnapshot', true, () => notEmulated('Snapshots')),
    UpdateSnapshot: rpc('UpdateSnapshot', true, () => notEmulated('Snapshots')),
    DeleteSnapshot: rpc('DeleteSnapshot', true, () => notEmulated('Snapshots')),
    Seek: rpc('Seek', true, () => notEmulated('Seek')),
  };
}

function notEmulated(what: string): never {
  throw unimplemented(`${what} are not emulated.`);
}

/** Unary Pull: what is available now, else waits briefly (long poll) unless returnImmediately. */
async function pull(engine: PubsubEngine, req: Req): Promise<unknown> {
  const sub = engine.getSubscription(req.subscription);
  if (sub.config.detached) throw detachedSubscription(shortId(sub.config.name));
  const max = Number(req.maxMessages ?? 0);
  if (!(max > 0)) throw invalidArgument('max_messages must be a positive integer.');
  const leaseMs = sub.config.ackDeadlineSeconds * 1000;
  const now = engine.take(sub, max, leaseMs, 'pull');
  if (now.length > 0 || req.returnImmediately) return { receivedMessages: now.map(receivedToProto) };
  const name = sub.config.name;
  const batch = await new Promise<Received[]>((resolve) => {
    let done = false;
    const waiter: Consumer = {
      id: `pull-${++pullSeq}`,
      capacity: () => (done ? 0 : max),
      leaseMs: () => leaseMs,
      deliver: (b) => finish(b),
    };
    const timer = setTimeout(() => finish([]), PULL_WAIT_MS);
    timer.unref();
    const finish = (b: Received[]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      engine.removeConsumer(name, waiter);
      resolve(b);
    };
    try {
      engine.addConsumer(name, waiter);
    } catch {
      finish([]);
    }
  });
  return { receivedMessages: batch.map(receivedToProto) };
}
