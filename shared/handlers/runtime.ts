import type { GeorouteConfig } from '../config';
import { loadConfig } from '../config/load';
import { GeorouteError } from '../core/errors';
import { createLogger, type Logger } from '../core/logger';
import { createDeps, type Deps } from '../deps';

/** Publishes one JSON message to a topic of the project; resolves to the message id. */
export type Publish = (topic: string, payload: unknown, attributes?: Record<string, string>) => Promise<string>;

/** What every function handler gets: the config, the core's deps, and a publisher. */
export interface FunctionRuntime {
  config: GeorouteConfig;
  deps: Deps;
  publish: Publish;
  /** Called before each invocation (against the emulator: adopt its virtual clock). */
  beforeInvocation?: () => Promise<void>;
}

/** The publisher over the official Pub/Sub client the deps already hold. */
export function pubsubPublisher(deps: Deps): Publish {
  return async (topic, payload, attributes) =>
    deps.gcp.pubsub.topic(topic).publishMessage({ data: Buffer.from(JSON.stringify(payload)), attributes });
}

/**
 * Builds the runtime of a deployed function from its environment: the config file named by
 * GEOROUTE_CONFIG (deployed with the source), clients pointed at the emulator when
 * GEOROUTE_EMULATOR / PUBSUB_EMULATOR_HOST are set. A missing or invalid config is one clear error.
 */
export async function runtimeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createLogger(),
): Promise<FunctionRuntime> {
  const file = env.GEOROUTE_CONFIG;
  if (!file)
    throw new ConfigError(
      'GEOROUTE_CONFIG is not set: deploy the function with --set-env-vars=GEOROUTE_CONFIG=<path of georoute.yaml in the source>',
    );
  const result = await loadConfig(file);
  if (!result.ok) throw new ConfigError(`invalid config ${file}: ${result.errors.join('; ')}`);
  const emulator = env.GEOROUTE_EMULATOR;
  const clock = emulator ? emulatorClock(emulator) : undefined;
  const deps = createDeps(result.config, { env, logger, now: clock?.now });
  return { config: result.config, deps, publish: pubsubPublisher(deps), beforeInvocation: clock?.sync };
}

/**
 * Against the local twin, "now" is its virtual clock (tests and the demo run simulated time faster
 * than real time). Read it once per invocation and extrapolate; in Google Cloud it is Date.now.
 */
export function emulatorClock(restUrl: string): { now: () => number; sync: () => Promise<void> } {
  let base = { virtual: Date.now(), real: Date.now(), speed: 1 };
  return {
    now: () => base.virtual + (Date.now() - base.real) * base.speed,
    sync: async () => {
      const res = await fetch(`${restUrl.replace(/\/$/, '')}/__emulator/clock`);
      const body = (await res.json()) as { now: number; speed: number };
      base = { virtual: body.now, real: Date.now(), speed: body.speed };
    },
  };
}

/**
 * A deployment fault (not the message's): the function cannot work until it is redeployed. It is
 * thrown, so Pub/Sub keeps the messages (retry with backoff, then the dead-letter topic) instead of
 * acking them unprocessed.
 */
export class ConfigError extends GeorouteError {
  constructor(message: string) {
    super('config', message, { retryable: true });
  }
}
