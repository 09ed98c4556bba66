import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The gRPC services the official client talks to. */
export interface PubsubServiceDefinitions {
  publisher: grpc.ServiceDefinition;
  subscriber: grpc.ServiceDefinition;
  /** google.iam.v1.IAMPolicy: topic and subscription policies, served on the same endpoint. */
  iamPolicy: grpc.ServiceDefinition;
}

let cached: PubsubServiceDefinitions | undefined;

/**
 * Loads `google/pubsub/v1/pubsub.proto` from the installed client library, so the emulator speaks
 * exactly the schema the client encodes. Paths are resolved through `require.resolve` so this works
 * from the TypeScript sources and from `dist/` alike.
 */
export function loadPubsubProtos(): PubsubServiceDefinitions {
  if (cached) return cached;
  // Both resolve to `<package>/build/src/index.js`.
  const pubsubRoot = path.resolve(path.dirname(require.resolve('@google-cloud/pubsub')), '..', '..');
  const gaxRoot = path.resolve(path.dirname(require.resolve('google-gax')), '..', '..');
  const definition = protoLoader.loadSync('google/pubsub/v1/pubsub.proto', {
    includeDirs: [path.join(pubsubRoot, 'build', 'protos'), path.join(gaxRoot, 'build', 'protos')],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = (name: string): grpc.ServiceDefinition => {
    const def = definition[`google.pubsub.v1.${name}`];
    if (!def) throw new Error(`google.pubsub.v1.${name} missing from pubsub.proto`);
    return def as grpc.ServiceDefinition;
  };
  const iam = protoLoader.loadSync('google/iam/v1/iam_policy.proto', {
    includeDirs: [path.join(gaxRoot, 'build', 'protos')],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const iamPolicy = iam['google.iam.v1.IAMPolicy'];
  if (!iamPolicy) throw new Error('google.iam.v1.IAMPolicy missing from iam_policy.proto');
  cached = {
    publisher: service('Publisher'),
    subscriber: service('Subscriber'),
    iamPolicy: iamPolicy as grpc.ServiceDefinition,
  };
  return cached;
}
