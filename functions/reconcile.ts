import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-reconcile` (Cloud Scheduler tick) → a full level-triggered reconcile. */
export const reconcile = cloudEventHandler((core) => core.handleReconcileTick);
