import type { v1 } from '@google-cloud/pubsub';

/** The official low-level SubscriberClient (unary Pull, Acknowledge, ModifyAckDeadline) on the twin. */
export function v1Subscriber(pubsubHost: string): v1.SubscriberClient {
  const { v1: api } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
  const { grpc, googleAuthLibrary } = require('google-gax') as typeof import('google-gax');
  const [host, port] = pubsubHost.split(':');
  return new api.SubscriberClient({
    servicePath: host,
    port: Number(port),
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new googleAuthLibrary.PassThroughClient(),
  } as never);
}
