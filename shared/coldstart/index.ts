/** The public surface of shared/coldstart: other modules import from here, not from its files. */

export { bundleGuard } from './bundle-guard';
export { IN_BUNDLE } from './bundle-mode';
export {
  COMPUTE_SERVICES,
  FUNCTION_COMPUTE_METHODS,
  FUNCTION_COMPUTE_SERVICES,
  FUNCTION_MONITORING_METHODS,
} from './function-rpcs';
export {
  COMPUTE_PROTOS,
  installedProtos,
  type Json,
  MONITORING_PROTOS,
  rpcName,
  type TrimTarget,
  trimProtos,
} from './trim-protos';
export { requireComputeClient } from './trimmed-protos';
