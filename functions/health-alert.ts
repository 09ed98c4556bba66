import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-health-alerts` (Monitoring notification channel) → drain / restore a region. */
export const healthAlert = cloudEventHandler(
  () =>
    (require('../shared/functions/health-alert') as typeof import('../shared/functions/health-alert'))
      .handleHealthAlert,
);
