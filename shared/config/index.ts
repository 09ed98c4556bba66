export { effectiveResidency } from './checks';
export { formatIssues, formatPath } from './format-issues';
export { type ConfigResult, loadConfig, parseConfig } from './load';
export { ALERT_KINDS, ALERT_LABELS, type AlertKind } from './names';
export { isKnownRegion, REGIONS, type RegionInfo, regionInfo, zonesOf } from './regions';
export { buildRttModel, estimateRttMs, greatCircleKm, type RttModel, type RttOverride } from './rtt';
export {
  type ClientLocationConfig,
  ConfigSchema,
  type GeorouteConfig,
  type GeorouteConfigInput,
  type Guardrails,
  type RegionConfig,
} from './schema';
