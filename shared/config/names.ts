/** Names georoute gives the things it creates, shared by the bootstrap (infra/) and the runtime (shared/). */
/**
 * The user labels the bootstrap writes on every georoute alert policy (infra/desired-monitoring.ts); a
 * notification's `policy_user_labels` carry them. healthAlert acts only on incidents that have them.
 */
export const ALERT_LABELS = { region: 'georoute-region', kind: 'georoute-alert', path: 'georoute-path' } as const;

/** The alert kinds the bootstrap creates per region. */
export const ALERT_KINDS = ['backend-unhealthy', 'error-ratio', 'latency', 'global-error-ratio'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
