import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ApiError } from '../core/api-error';
import { grpcStatus } from '../core/wire';
import type { EmulatorContext } from '../core/world';
import type { Consumer, PubsubEngine, Received } from './engine';
import { asApiError, detachedSubscription, invalidArgument, resourceNotFound } from './errors';
import { parseSubscriptionName, shortId } from './model';
import { receivedToProto } from './wire';

export interface StreamingPullRequestProto {
  subscription?: string;
  ackIds?: string[];
  modifyDeadlineSeconds?: number[];
  modifyDeadlineAckIds?: string[];
  streamAckDeadlineSeconds?: number;
  clientId?: string;
  maxOutstandingMessages?: string | number;
  maxOutstandingBytes?: string | number;
}

let streamSeq = 0;

/**
 * One StreamingPull stream, as the Node client uses it: the first request names the subscription
 * and the stream ack deadline; the server then streams `{receivedMessages}`; later requests carry
 * acks, modacks (0 = nack), deadline changes or nothing (keep-alives). The client may also ack with
 * the unary Acknowledge / ModifyAckDeadline RPCs (the Node client does).
 */
export function handleStreamingPull(
  engine: PubsubEngine,
  ctx: EmulatorContext,
  call: ServerDuplexStream<StreamingPullRequestProto, unknown>,
): void {
  let subName: string | undefined;
  let consumer: Consumer | undefined;
  let deadline = 0;
  let ended = false;
  const onDeleted = (name: string): void => {
    if (name === subName) end(resourceNotFound(shortId(name)));
  };

  const end = (error?: ApiError): void => {
    if (ended) return;
    ended = true;
    engine.deletedHooks.delete(onDeleted);
    if (subName && consumer) engine.removeConsumer(subName, consumer);
    if (call.cancelled) return;
    if (error) call.emit('error', grpcStatus(error));
    else call.end();
  };

  const open = (req: StreamingPullRequestProto): void => {
    const rpc = 'Subscriber/StreamingPull';
    const entry = {
      time: ctx.clock.now(),
      api: 'pubsub' as const,
      method: 'POST',
      path: `/google.pubsub.v1.${rpc}`,
      rpc,
    };
    try {
      if (!req.subscription) throw invalidArgument('The first StreamingPull request must name a subscription.');
      const name = parseSubscriptionName(req.subscription).name;
      if (engine.getSubscription(name).config.detached) throw detachedSubscription(shortId(name));
      deadline = req.streamAckDeadlineSeconds ?? 0;
      if (deadline < 10 || deadline > 600) {
        throw invalidArgument(
          `Invalid stream_ack_deadline_seconds: ${deadline}. It must be between 10 and 600 seconds.`,
        );
      }
      const maxOutstanding = Number(req.maxOutstandingMessages ?? 0) || 1000;
      const id = `stream-${++streamSeq}`;
      subName = name;
      consumer = {
        id,
        capacity: () => {
          const sub = engine.subs.get(name);
          if (!sub || call.cancelled || ended) return 0;
          return maxOutstanding - sub.pending.filter((p) => p.lease?.consumer === id).length;
        },
        leaseMs: () => deadline * 1000,
        deliver: (batch: Received[]) => {
          if (call.cancelled || ended) return;
          // Every response says how the subscription delivers: the client turns on exactly-once
          // acking (ackWithResponse, receipt modacks) and ordered dispatch from these flags.
          const config = engine.subs.get(name)?.config;
          call.write({
            receivedMessages: batch.map(receivedToProto),
            subscriptionProperties: {
              exactlyOnceDeliveryEnabled: config?.enableExactlyOnceDelivery === true,
              messageOrderingEnabled: config?.enableMessageOrdering === true,
            },
          });
        },
      };
      ctx.log.record({ ...entry, write: false, status: 200 });
      engine.deletedHooks.add(onDeleted);
      engine.addConsumer(name, consumer);
    } catch (err) {
      const e = asApiError(err);
      ctx.log.record({ ...entry, write: false, status: e.status });
      end(e);
    }
  };

  call.on('data', (req: StreamingPullRequestProto) => {
    if (ended) return;
    if (!consumer) {
      open(req);
      if (!consumer) return;
    } else if (req.streamAckDeadlineSeconds) {
      // A later request may change the deadline used for new leases.
      const s = req.streamAckDeadlineSeconds;
      if (s >= 10 && s <= 600) deadline = s;
    }
    try {
      const ackIds = req.ackIds ?? [];
      if (ackIds.length > 0) engine.acknowledge(subName, ackIds);
      const modIds = req.modifyDeadlineAckIds ?? [];
      const modSeconds = req.modifyDeadlineSeconds ?? [];
      if (modIds.length !== modSeconds.length) {
        throw invalidArgument('modify_deadline_seconds and modify_deadline_ack_ids must have the same length.');
      }
      modIds.forEach((ackId, i) => {
        engine.modifyAckDeadline(subName, [ackId], modSeconds[i] as number);
      });
    } catch (err) {
      end(asApiError(err));
    }
  });
  call.on('end', () => end());
  call.on('cancelled', () => end());
  call.on('error', () => end());
}
