/** The public surface of shared/observe: other modules import from here, not from its files. */

export { migGroupLink, regionOfGroup, resourcePath, zoneOfInstance } from './links';
export { type ObserveDeps, observe } from './observe';
export {
  type Autoscaler,
  type BackendHealth,
  type BackendService,
  failed,
  type ManagedInstance,
  type MigError,
  type ReadError,
  type RegionSnapshot,
  type RegionTraffic,
  type Snapshot,
} from './snapshot';
