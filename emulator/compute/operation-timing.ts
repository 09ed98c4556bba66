import type { Timings } from '../core/timings';
import type { EmulatorContext } from '../core/world';
import { COMPUTE_BASE } from './links';
import { type NewOperation, Operations } from './operations';
import type { ComputeState } from './state';

/** The collection of an operation's target (`…/global/backendServices/x` → `backendServices`). */
export function targetKind(targetLink: string): string {
  const parts = targetLink.split('/');
  return parts[parts.length - 2] ?? '';
}

export function runningMs(timings: Timings, targetLink: string): number {
  return timings.operationRunningByKind[targetKind(targetLink)] ?? timings.operationRunningMs;
}

/**
 * Operations whose RUNNING time depends on the kind of resource they change (timings.ts): a
 * backend service takes longer than a health check. Kept beside `Operations` so that file keeps
 * one duration for all.
 */
export class TimedOperations extends Operations {
  constructor(
    private readonly stateOf: () => ComputeState,
    private readonly context: EmulatorContext,
  ) {
    super(stateOf, context);
  }

  override create(spec: NewOperation, requestId: string | null): Record<string, unknown> {
    const created = super.create(spec, requestId);
    const record = this.stateOf().operations[String(created.selfLink).slice(COMPUTE_BASE.length)];
    if (!record) return created;
    record.doneAt = record.runningAt + runningMs(this.context.timings, spec.targetLink);
    return this.view(record);
  }
}
