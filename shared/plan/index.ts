export { diffPlans, formatChange, type PlanChange } from './diff';
export { isHealthy } from './health';
export { type CapacityRequest, type Placement, type PlacementResult, placeCapacity } from './place-capacity';
export { plan } from './plan';
export { WEIGHT_UNITS } from './round';
export type {
  CapacityFloor,
  LocationPlan,
  PlannerInput,
  PlanResult,
  Reason,
  ReasonCode,
  RegionObservation,
  RegionPlan,
  RegionState,
  TrafficPlan,
} from './types';
