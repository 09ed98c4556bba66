import { AnswerLedger } from '../actuate';
import type { GeorouteConfig } from '../config';
import { loadConfig } from '../config';
import { createLogger, FollowUp, GeorouteError, GroupCommit, type Logger } from '../core';
import { createDeps, type Deps } from '../deps';
import type { ReconcileResult } from '../reconcile';
import { type Answer, type Pending, placeBatch } from './capacity-batch';

/** Publishes one JSON message to a topic of the project; resolves to the message id. */
export type Publish = (topic: string, payload: unknown, attributes?: Record<string, string>) => Promise<string>;

/**
 * How long a burst may hold back the reconcile its batches owe (their floors are written already;
 * what waits is the rest of the plan: load balancer, DNS, other regions). Below a Cloud Scheduler
 * tick's minute, so a steady stream of requests still reconciles at least as often as the tick.
 */
export const FOLLOW_UP_MAX_DEFER_MS = 30_000;

/**
 * What every function handler gets, built once per function instance: the config, the core's deps,
 * a publisher, and the instance's shared machinery as explicit fields (never module state): the
 * capacity coalescers and the answer ledger.
 */
export interface FunctionRuntime {
  config: GeorouteConfig;
  deps: Deps;
  publish: Publish;
  /** Called before each invocation (against the emulator: adopt its virtual clock). */
  beforeInvocation?: () => Promise<void>;
  capacity: {
    /** Capacity requests arriving while a batch is placed form the next batch (capacity-batch.ts). */
    batches: GroupCommit<'capacity', Pending, Answer>;
    /** The reconcile owed by batches that wrote schedules. */
    reconciles: FollowUp<ReconcileResult>;
  };
  ledger: AnswerLedger;
}

export function createRuntime(
  parts: Pick<FunctionRuntime, 'config' | 'deps' | 'publish' | 'beforeInvocation'>,
): FunctionRuntime {
  const rt: FunctionRuntime = {
    ...parts,
    ledger: new AnswerLedger(parts.deps.gcp, parts.deps.project, parts.config.loadBalancer.backendService),
    capacity: {
      batches: new GroupCommit(async (_key, items: Pending[]) => {
        const { answers, changed } = await placeBatch(rt, items);
        if (changed) rt.capacity.reconciles.owe();
        return answers;
      }),
      reconciles: new FollowUp<ReconcileResult>(FOLLOW_UP_MAX_DEFER_MS, () => parts.deps.now()),
    },
  };
  return rt;
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
  return createRuntime({ config: result.config, deps, publish: pubsubPublisher(deps), beforeInvocation: clock?.sync });
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
