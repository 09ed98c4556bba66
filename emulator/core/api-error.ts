/** gRPC canonical status names, used in the `status` field of Google JSON errors. */
const STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Default `errors[].reason` per status, as the Google v1 REST APIs report them. */
const REASON_BY_HTTP: Record<number, string> = {
  400: 'invalid',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  409: 'alreadyExists',
  412: 'conditionNotMet',
  429: 'rateLimitExceeded',
  500: 'backendError',
  501: 'notImplemented',
  503: 'backendError',
  504: 'deadlineExceeded',
};

/**
 * An error the emulator answers with. Serialised in the Google JSON error format
 * (`{error: {code, message, errors: [{domain, reason, message, location?}], status}}`), which is
 * what Compute and Cloud DNS return and what google-gax's REST fallback decodes for Monitoring.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly location: string | undefined;

  constructor(status: number, message: string, options: { reason?: string; location?: string } = {}) {
    super(message);
    this.status = status;
    this.reason = options.reason ?? REASON_BY_HTTP[status] ?? 'unknown';
    this.location = options.location;
  }

  toJSON(): unknown {
    const detail: Record<string, string> = { domain: 'global', reason: this.reason, message: this.message };
    if (this.location) {
      detail.locationType = 'other';
      detail.location = this.location;
    }
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [detail],
        status: STATUS_BY_HTTP[this.status] ?? 'UNKNOWN',
      },
    };
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, `The resource '${what}' was not found`);
export const invalid = (message: string, location?: string): ApiError =>
  new ApiError(400, message, { reason: 'invalid', location });
export const conditionNotMet = (message: string, location?: string): ApiError =>
  new ApiError(412, message, { reason: 'conditionNotMet', location });
export const alreadyExists = (what: string): ApiError =>
  new ApiError(409, `The resource '${what}' already exists`, { reason: 'alreadyExists' });
