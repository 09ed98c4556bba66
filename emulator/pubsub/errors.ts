import { status } from '@grpc/grpc-js';

/** An error answered as a gRPC status (Pub/Sub speaks gRPC, not Google's JSON errors). */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** Google's wording, e.g. `5 NOT_FOUND: Resource not found (resource=my-topic).` */
export const resourceNotFound = (id: string): GrpcError =>
  new GrpcError(status.NOT_FOUND, `Resource not found (resource=${id}).`);
export const resourceExists = (id: string): GrpcError =>
  new GrpcError(status.ALREADY_EXISTS, `Resource already exists in the project (resource=${id}).`);
export const invalidArgument = (message: string): GrpcError => new GrpcError(status.INVALID_ARGUMENT, message);

/** HTTP status recorded in the request log for a gRPC code (the log is shared with the REST APIs). */
const HTTP_BY_CODE: Partial<Record<status, number>> = {
  [status.OK]: 200,
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 500,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 500,
  [status.UNAVAILABLE]: 503,
  [status.UNAUTHENTICATED]: 401,
};

export function httpStatusOf(code: status): number {
  return HTTP_BY_CODE[code] ?? 500;
}

/** The gRPC code Google's front end gives for an HTTP status (injected faults are given in HTTP terms). */
export function grpcCodeOf(httpStatus: number): status {
  switch (httpStatus) {
    case 400:
      return status.INVALID_ARGUMENT;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.NOT_FOUND;
    case 409:
      return status.ALREADY_EXISTS;
    case 412:
      return status.FAILED_PRECONDITION;
    case 429:
      return status.RESOURCE_EXHAUSTED;
    case 499:
      return status.CANCELLED;
    case 501:
      return status.UNIMPLEMENTED;
    case 503:
      return status.UNAVAILABLE;
    case 504:
      return status.DEADLINE_EXCEEDED;
    default:
      return status.INTERNAL;
  }
}
