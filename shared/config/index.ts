export { effectiveResidency } from './checks';
export { formatIssues, formatPath } from './format-issues';
export { acceleratorZones, bundledAccelerators, MACHINE_SERIES, type MachineSeries, seriesOf } from './gpu-catalog';
export { deployabilityIssues, parseCidr } from './infra-checks';
export { type ConfigResult, loadConfig, parseConfig } from './load';
export { ALERT_KINDS, ALERT_LABELS, type AlertKind, regionalLb } from './names';
export { countryOf, isKnownRegion, REGIONS, type RegionInfo, regionInfo, zonesOf } from './regions';
export { buildRttModel, estimateRttMs, greatCircleKm, type RttModel, type RttOverride } from './rtt';
export {
  type ClientLocationConfig,
  ConfigSchema,
  type GeorouteConfig,
  type GeorouteConfigInput,
  type Guardrails,
  type RegionConfig,
  type SubnetConfig,
} from './schema';
