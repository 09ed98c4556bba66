/** The public surface of shared/state: other modules import from here, not from its files. */
export { decodeState, encodeState, MAX_DESCRIPTION, numberMap, numberOrNull, STATE_PREFIX } from './codec';
export { type Ledger, ledgerKey, readLedger, writeLedger } from './ledger';
export {
  type AutoscalerNote,
  applyIncident,
  type BackendNote,
  emptyAutoscalerNote,
  emptyBackendNote,
  readAutoscalerNote,
  readBackendNote,
  writeAutoscalerNote,
  writeBackendNote,
} from './notes';
export {
  decodeScheduleMeta,
  encodeScheduleMeta,
  expiredSchedules,
  isGeorouteSchedule,
  type LiveSchedule,
  liveSchedules,
  SCHEDULE_PREFIX,
  type Schedule,
  type ScheduleMeta,
  scheduleName,
  schedulesOf,
} from './schedules';
export {
  DNS_MIN_SHARE,
  decodeMovedAt,
  decodeWeights,
  encodeWeights,
  servingSet,
  type Weights,
  weightsRecordName,
} from './weights-record';
