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
