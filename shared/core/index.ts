/** The public surface of shared/core: other modules import from here, not from its files. */

export { FollowUp, GroupCommit, type Settled, SingleFlight } from './coalesce';
export {
  ApiCallError,
  GeorouteError,
  httpStatusOf,
  InvalidInputError,
  isRetryable,
  isRetryableStatus,
  reasonOf,
  toApiError,
} from './errors';
export { GEOROUTE_NAMESPACE, requestIdFor, uuidv5 } from './idempotency';
export { createLogger, type LogEntry, type Logger, memoryLogger, redact, type Severity } from './logger';
