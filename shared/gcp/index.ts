/** The public surface of shared/gcp: other modules import from here, not from its files. */
export {
  type ComputeClients,
  endpointsFromEnv,
  GcpClients,
  type GcpEndpoints,
  type MonitoringClients,
} from './clients';
export {
  type BackendServicePatch,
  type ConditionalWrite,
  conditionalWrite,
  patchBackendService,
  type WriteOutcome,
} from './conditional-write';
export { type ChangeJson, dnsRequest, type RrsetJson, readRecord } from './dns-rest';
export {
  type IamBinding,
  IamClient,
  type IamClientOptions,
  type IamPolicyJson,
  type ServiceAccountJson,
} from './iam-rest';
export { lastSegment, type MutationResult, type Operation, waitForOperation } from './operations';
export { plain } from './plain';
export {
  backoffMs,
  CONTENDED_POLICY,
  isConflict,
  READ_POLICY,
  type RetryOptions,
  type RetryPolicy,
  WRITE_POLICY,
  withRetry,
} from './retry';
