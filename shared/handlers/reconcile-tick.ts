import { GeorouteError } from '../core';
import { reconcile } from '../reconcile';
import type { CloudEventLike } from './envelope';
import { type Outcome, runHandler } from './run';
import type { FunctionRuntime } from './runtime';

/**
 * `reconcile`: the Cloud Scheduler tick. The message content is irrelevant (any message means
 * "look again"); what matters is that a full reconcile runs. Failed writes that can be retried
 * throw, so Pub/Sub redelivers; the next tick would converge anyway.
 */
export function handleReconcileTick(rt: FunctionRuntime, event: CloudEventLike): Promise<Outcome> {
  return runHandler('reconcile', rt, event, async (delivery) => {
    const result = await reconcile(rt.deps, rt.config, { kind: 'tick', eventId: delivery.eventId });
    const retryable = result.errors.filter((e) => e.retryable && e.actuator !== 'observe');
    if (retryable.length > 0) {
      throw new GeorouteError(
        'reconcile-failed',
        `reconcile: ${retryable.length} write(s) failed: ${retryable[0]?.message}`,
        {
          retryable: true,
        },
      );
    }
    return {
      decision: result.actions.length
        ? `applied ${result.actions.length} change(s)`
        : 'no action: live state matches the plan',
      writes: result.writes,
      reads: result.reads,
      errors: result.errors.length,
    };
  });
}
