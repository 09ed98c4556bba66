import { ApiError } from '../core/api-error';

/**
 * Monitoring answers in the google.rpc.Status JSON shape. Some of its 400s carry FAILED_PRECONDITION
 * rather than INVALID_ARGUMENT (e.g. deleting a channel still in use), so the status is explicit here.
 */
export class MonitoringError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly grpcStatus: string,
  ) {
    super(status, message);
  }

  override toJSON(): unknown {
    return { error: { code: this.status, message: this.message, status: this.grpcStatus } };
  }
}

export const badRequest = (message: string): MonitoringError => new MonitoringError(400, message, 'INVALID_ARGUMENT');
export const failedPrecondition = (message: string): MonitoringError =>
  new MonitoringError(400, message, 'FAILED_PRECONDITION');
export const notFound = (message: string): MonitoringError => new MonitoringError(404, message, 'NOT_FOUND');
export const conflict = (message: string): MonitoringError => new MonitoringError(409, message, 'ALREADY_EXISTS');

/** Google's wording for a bad field: `Field x had an invalid value of "v": why`. */
export function invalidField(field: string, why: string, value?: unknown): MonitoringError {
  const shown = value === undefined ? '' : ` of "${typeof value === 'string' ? value : JSON.stringify(value)}"`;
  return badRequest(`Field ${field} had an invalid value${shown}: ${why}`);
}
