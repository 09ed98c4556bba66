import type { GeorouteConfig } from './config';
import { createLogger, type Logger } from './core/logger';
import { endpointsFromEnv, GcpClients } from './gcp/clients';
import type { ObserveDeps } from './observe/observe';

/**
 * The dependencies every entry point (function, CLI, test) hands to the core: the Google clients
 * (pointed at the emulator when GEOROUTE_EMULATOR / PUBSUB_EMULATOR_HOST are set), a logger and a
 * clock. Nothing here is a module-level singleton: tests build their own.
 */
export interface Deps extends ObserveDeps {
  gcp: GcpClients;
  logger: Logger;
  project: string;
  now(): number;
  /** Reserved addresses read so far (observe.ts): owned by these deps, one per function instance. */
  addresses: Map<string, string>;
}

export function createDeps(
  config: GeorouteConfig,
  options: { env?: NodeJS.ProcessEnv; logger?: Logger; now?: () => number; gcp?: GcpClients } = {},
): Deps {
  const gcp = options.gcp ?? new GcpClients(endpointsFromEnv(options.env ?? process.env, config.project));
  return {
    gcp,
    logger: options.logger ?? createLogger(),
    project: config.project,
    now: options.now ?? Date.now,
    addresses: new Map(),
  };
}
