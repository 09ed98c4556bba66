/**
 * Everything a function needs after its first event arrives, behind one module boundary: runtime.ts
 * requires this file lazily, so loading the entry only registers the functions. The deployed bundle
 * builds this module into its own file for the same reason (shared/coldstart/README.md).
 */
import '../shared/coldstart/one-shot-parsing';

export { handleCapacityRequest } from '../shared/handlers/capacity-request';
export { handleHealthAlert } from '../shared/handlers/health-alert';
export { handleReconcileTick } from '../shared/handlers/reconcile-tick';
export { runtimeFromEnv } from '../shared/handlers/runtime';
