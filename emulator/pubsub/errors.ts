import { ApiError } from '../core/api-error';

/** Google's wording, e.g. `5 NOT_FOUND: Resource not found (resource=my-topic).` */
export const resourceNotFound = (id: string): ApiError =>
  ApiError.of('NOT_FOUND', `Resource not found (resource=${id}).`);
export const resourceExists = (id: string): ApiError =>
  ApiError.of('ALREADY_EXISTS', `Resource already exists in the project (resource=${id}).`);
export const invalidArgument = (message: string): ApiError => ApiError.of('INVALID_ARGUMENT', message);
export const unimplemented = (message: string): ApiError => ApiError.of('UNIMPLEMENTED', message);

/**
 * "Detached subscriptions don't receive messages from their topic and don't retain any backlog. `Pull`
 * and `StreamingPull` requests will return FAILED_PRECONDITION" (google/pubsub/v1/pubsub.proto,
 * Subscription.detached). The wording is the twin's.
 */
export const detachedSubscription = (id: string): ApiError =>
  ApiError.of('FAILED_PRECONDITION', `Subscription is detached from its topic (resource=${id}).`);

/** Per ack id, why an exactly-once ack failed (`PERMANENT_FAILURE_INVALID_ACK_ID`, `TRANSIENT_…`). */
export type AckFailure = Record<string, string>;

/**
 * An exactly-once ack or modack with ids that are not (or no longer) valid: INVALID_ARGUMENT with a
 * google.rpc.ErrorInfo `EXACTLY_ONCE_ACKID_FAILURE` whose metadata maps each failed id to its cause.
 * The client libraries read exactly that (@google-cloud/pubsub `build/src/ack-metadata.js`;
 * google-cloud-php's exactly-once tests use the same body); the message is Google's as quoted
 * from a Python subscriber's log in public code.
 */
export const exactlyOnceAckFailure = (failed: AckFailure): ApiError =>
  ApiError.of(
    'INVALID_ARGUMENT',
    'Some acknowledgement ids in the request were invalid. This could be because the acknowledgement ids have expired or the acknowledgement ids were malformed.',
    { errorInfo: { reason: 'EXACTLY_ONCE_ACKID_FAILURE', domain: 'pubsub.googleapis.com', metadata: failed } },
  );

/** Anything a handler throws, as the gRPC status it answers with (a bug is INTERNAL). */
export const asApiError = (err: unknown): ApiError =>
  err instanceof ApiError ? err : ApiError.of('INTERNAL', `emulator bug: ${(err as Error).message}`);
