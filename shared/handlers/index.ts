/** The public surface of shared/handlers: other modules import from here, not from its files. */

export type { CapacityResult } from './capacity-batch';
export { handleCapacityRequest } from './capacity-request';
export { type CloudEventLike, decodeEnvelope, MAX_MESSAGE_BYTES, type PubsubDelivery, parseJson } from './envelope';
export { handleHealthAlert, regionOf, whyNotOurs } from './health-alert';
export {
  type CapacityRequestMessage,
  CapacityRequestSchema,
  type IncidentNotification,
  IncidentNotificationSchema,
  parseMessage,
} from './messages';
export { handleReconcileTick } from './reconcile-tick';
export { type Outcome, runHandler } from './run';
export {
  ConfigError,
  createRuntime,
  emulatorClock,
  FOLLOW_UP_MAX_DEFER_MS,
  type FunctionRuntime,
  type Publish,
  pubsubPublisher,
  runtimeFromEnv,
} from './runtime';
