import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-capacity-requests` → raise GPU floors where the planner places them → one result. */
export const capacityRequest = cloudEventHandler((core) => core.handleCapacityRequest);
