export { type CapacityWindow, capacityWindow, MIN_SCHEDULE_MS, scheduleFor } from './capacity-window';
export { type DemandSource, type LocationDemand, locationDemand } from './demand';
export { diffPlans, formatChange, type PlanChange } from './diff';
export { type Decisions, isHealthy, isWarming } from './health';
export { backendOf, currentPlan, type DerivedInput, floorsOf, type IncidentUpdate, plannerInput } from './input';
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
