import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Outcome } from '../shared/handlers/run';
import type { FunctionRuntime } from '../shared/handlers/runtime';

type Core = typeof import('./core');

/** The core (shared/ and the Google clients), loaded on the first event only. */
const core = (): Core => require('./core') as Core;

/**
 * One runtime per function instance, built on the first event (not at load: a cold start pays
 * only for registering the functions) and reused by every later invocation of the instance.
 */
let runtime: Promise<FunctionRuntime> | undefined;

function getRuntime(): Promise<FunctionRuntime> {
  if (!runtime) {
    runtime = core()
      .runtimeFromEnv()
      .catch((err: unknown) => {
        runtime = undefined; // a fixed deployment (or a transient read error) gets another chance
        // One clear line for Cloud Logging, not a stack trace; thrown so the message is kept for retry.
        console.log(JSON.stringify({ severity: 'CRITICAL', message: (err as Error).message }));
        throw err;
      });
  }
  return runtime;
}

/** Wraps a shared/ handler as a functions-framework CloudEvent function: resolve = ack, throw = retry. */
export function cloudEventHandler(
  pick: (core: Core) => (rt: FunctionRuntime, event: CloudEvent<unknown>) => Promise<Outcome>,
): (event: CloudEvent<unknown>) => Promise<void> {
  return async (event) => {
    const rt = await getRuntime();
    await rt.beforeInvocation?.();
    await pick(core())(rt, event);
  };
}
