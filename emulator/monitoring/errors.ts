import { ApiError } from '../core/api-error';

/** Monitoring's errors are google.rpc.Status JSON (core/wire.ts); some 400s are FAILED_PRECONDITION. */
export const badRequest = (message: string): ApiError => ApiError.of('INVALID_ARGUMENT', message);
export const failedPrecondition = (message: string): ApiError => ApiError.of('FAILED_PRECONDITION', message);
export const notFound = (message: string): ApiError => ApiError.of('NOT_FOUND', message);
export const conflict = (message: string): ApiError => ApiError.of('ALREADY_EXISTS', message);

/** Google's wording for a bad field: `Field x had an invalid value of "v": why`. */
export function invalidField(field: string, why: string, value?: unknown): ApiError {
  const shown = value === undefined ? '' : ` of "${typeof value === 'string' ? value : JSON.stringify(value)}"`;
  return badRequest(`Field ${field} had an invalid value${shown}: ${why}`);
}
