import { ApiError } from '../core/api-error';

/** Google's wording, e.g. `5 NOT_FOUND: Resource not found (resource=my-topic).` */
export const resourceNotFound = (id: string): ApiError =>
  ApiError.of('NOT_FOUND', `Resource not found (resource=${id}).`);
export const resourceExists = (id: string): ApiError =>
  ApiError.of('ALREADY_EXISTS', `Resource already exists in the project (resource=${id}).`);
export const invalidArgument = (message: string): ApiError => ApiError.of('INVALID_ARGUMENT', message);
export const unimplemented = (message: string): ApiError => ApiError.of('UNIMPLEMENTED', message);

/** Anything a handler throws, as the gRPC status it answers with (a bug is INTERNAL). */
export const asApiError = (err: unknown): ApiError =>
  err instanceof ApiError ? err : ApiError.of('INTERNAL', `emulator bug: ${(err as Error).message}`);
