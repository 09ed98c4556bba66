import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-reconcile` (Cloud Scheduler tick) → a full level-triggered reconcile. */
export const reconcile = cloudEventHandler(
  () =>
    (require('../shared/functions/reconcile-tick') as typeof import('../shared/functions/reconcile-tick'))
      .handleReconcileTick,
);
