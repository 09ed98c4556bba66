/** The public surface of shared/actuate: other modules import from here, not from its files. */

export { AnswerLedger } from './answer-ledger';
export { applyCapacity, type CapacityDesired, type ScheduleSpec } from './capacity';
export {
  MAX_SCHEDULES_PER_AUTOSCALER,
  type Placed,
  type ScheduleWrite,
  type ScheduleWriteResult,
  writeSchedules,
} from './capacity-schedules';
export { applyDns, type DnsDesired, desiredRecord, type GeoItem } from './dns';
export { applyLb, type LbDesired } from './lb';
export { type ActuationContext, type ActuationResult, type ActuatorDeps, emptyResult } from './types';
