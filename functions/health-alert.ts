import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-health-alerts` (Monitoring notification channel) → drain / restore a region. */
export const healthAlert = cloudEventHandler((core) => core.handleHealthAlert);
