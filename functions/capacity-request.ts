import { cloudEventHandler } from './runtime';

/** Pub/Sub `georoute-capacity-requests` → raise GPU floors where the planner places them → one result. */
export const capacityRequest = cloudEventHandler(
  () =>
    (require('../shared/functions/capacity-request') as typeof import('../shared/functions/capacity-request'))
      .handleCapacityRequest,
);
