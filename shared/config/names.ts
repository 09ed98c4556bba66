/** Names georoute gives the things it creates, shared by the bootstrap (infra/) and the runtime (shared/). */
import type { RegionConfig } from './schema';

/**
 * Names of a region's regional external Application Load Balancer (what Cloud DNS answers for the
 * region), all derived from `regions[].backend`: the bootstrap creates them, the runtime reads their
 * health and metrics.
 */
export const regionalLb = (r: Pick<RegionConfig, 'backend'>) => ({
  healthCheck: `${r.backend}-hc`,
  backendService: r.backend,
  urlMap: `${r.backend}-um`,
  proxy: `${r.backend}-proxy`,
  forwardingRule: `${r.backend}-fr`,
});

/**
 * The user labels the bootstrap writes on every georoute alert policy (infra/desired-monitoring.ts); a
 * notification's `policy_user_labels` carry them. healthAlert acts only on incidents that have them.
 */
export const ALERT_LABELS = { region: 'georoute-region', kind: 'georoute-alert', path: 'georoute-path' } as const;

/** The alert kinds the bootstrap creates per region. */
export const ALERT_KINDS = ['backend-unhealthy', 'error-ratio', 'latency', 'global-error-ratio'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
