/**
 * Everything a function needs after its first event arrives, behind one module boundary: runtime.ts
 * requires this file lazily, so loading the entry only registers the functions. The deployed bundle
 * (scripts/bundle-functions.mjs) builds this module into its own file for the same reason.
 */
import { config } from 'zod';

// zod compiles a parser per object schema on its first parse: a function instance parses its config
// once and each message once, so compiling costs more than it saves (~25 ms of the first event).
config({ jitless: true });

export { handleCapacityRequest } from '../shared/handlers/capacity-request';
export { handleHealthAlert } from '../shared/handlers/health-alert';
export { handleReconcileTick } from '../shared/handlers/reconcile-tick';
export { runtimeFromEnv } from '../shared/handlers/runtime';
