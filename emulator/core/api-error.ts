/**
 * The one error every emulated API answers with. It carries the HTTP status, the canonical gRPC
 * status (google.rpc.Code), Google's `errors[].reason` and an optional location; `wire.ts` writes it
 * in each API's flavour (Compute, Cloud DNS / IAM, Monitoring's google.rpc.Status, Pub/Sub's gRPC).
 */

/** google.rpc.Code: https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto */
export const GRPC_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatus = keyof typeof GRPC_CODES;

/** The HTTP status of each gRPC code, per the "HTTP Mapping" lines of code.proto. */
const HTTP_OF_GRPC: Record<GrpcStatus, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/** The gRPC status for an HTTP status (injected faults and REST errors are given in HTTP terms). */
const GRPC_OF_HTTP: Record<number, GrpcStatus> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Default `errors[].reason` per HTTP status, as the Google v1 REST APIs report them. */
const REASON_OF_HTTP: Record<number, string> = {
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

/** One entry of google.rpc.BadRequest.fieldViolations. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** google.rpc.ErrorInfo: the machine-readable cause Google attaches to some errors. */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

export interface ApiErrorOptions {
  reason?: string;
  /** `errors[].domain` of the REST flavours (default `global`; quota errors say `usageLimits`). */
  domain?: string;
  location?: string;
  /** Sent as a google.rpc.ErrorInfo detail (REST `details`, gRPC `grpc-status-details-bin`). */
  errorInfo?: ErrorInfo;
  /** The gRPC status when it is not the usual one for the HTTP status (Monitoring: 400 FAILED_PRECONDITION). */
  grpc?: GrpcStatus;
  /** Set by Google's API front end (the JSON transcoder), which also adds `status` and `details`. */
  violations?: FieldViolation[];
}

export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  readonly grpc: GrpcStatus;
  readonly reason: string;
  readonly domain: string;
  readonly location: string | undefined;
  readonly violations: FieldViolation[] | undefined;
  readonly errorInfo: ErrorInfo | undefined;

  constructor(status: number, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.status = status;
    this.grpc = options.grpc ?? GRPC_OF_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN');
    this.reason = options.reason ?? REASON_OF_HTTP[status] ?? 'unknown';
    this.domain = options.domain ?? 'global';
    this.location = options.location;
    this.violations = options.violations;
    this.errorInfo = options.errorInfo;
  }

  /** An error given by its gRPC status (Pub/Sub, Monitoring); the HTTP status follows code.proto. */
  static of(grpc: GrpcStatus, message: string, options: Omit<ApiErrorOptions, 'grpc'> = {}): ApiError {
    return new ApiError(HTTP_OF_GRPC[grpc], message, { ...options, grpc });
  }

  get grpcCode(): number {
    return GRPC_CODES[this.grpc];
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, `The resource '${what}' was not found`);
export const invalid = (message: string, location?: string): ApiError =>
  new ApiError(400, message, { reason: 'invalid', location });
export const conditionNotMet = (message: string, location?: string): ApiError =>
  new ApiError(412, message, { reason: 'conditionNotMet', location });
export const alreadyExists = (what: string): ApiError =>
  new ApiError(409, `The resource '${what}' already exists`, { reason: 'alreadyExists' });
