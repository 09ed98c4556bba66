/** The public surface of shared/reconcile: other modules import from here, not from its files. */

export { type CapacityStep, desiredCapacity, desiredDns, desiredLb, floorChange } from './desired';
export {
  type Action,
  type Failure,
  type IncidentUpdate,
  type ReconcileOptions,
  type ReconcileResult,
  reconcile,
  type Skip,
  type Trigger,
} from './reconcile';
