import { isPlainObject } from '../../core/merge-patch';
import { canonicalPath } from '../links';
import type { ComputeState, SimInstance } from '../state';
import { autoHealing, MIG_KIND, projectOf } from './mig-util';

/** The probing fields of a HealthCheck resource. */
export interface ProbeSettings {
  checkIntervalSec: number;
  timeoutSec: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/**
 * Google's defaults for a health check that leaves the fields out: "checkIntervalSec … default value
 * is 5", "timeoutSec … default value is 5", "healthyThreshold … default value is 2",
 * "unhealthyThreshold … default value is 2" (https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks).
 */
export const PROBE_DEFAULTS: ProbeSettings = {
  checkIntervalSec: 5,
  timeoutSec: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

export type HealthState = 'HEALTHY' | 'UNHEALTHY';
/** A health check's verdict: UNKNOWN until enough probes agree. */
export type ProbeVerdict = HealthState | 'UNKNOWN';

/**
 * The health check that judges a MIG's VMs: its autohealing health check, else the one of a backend
 * service that has the MIG's instance group as a backend, else Google's defaults.
 */
export function probeSettings(state: ComputeState, migPath: string): ProbeSettings {
  const mig = state.resources[migPath];
  const project = projectOf(migPath);
  let hcRef = mig ? autoHealing(mig)?.healthCheck : undefined;
  if (typeof hcRef !== 'string' && mig?.kind === MIG_KIND) {
    const group = migPath.replace('/instanceGroupManagers/', '/instanceGroups/');
    for (const r of Object.values(state.resources)) {
      if (r.kind !== 'compute#backendService' || !Array.isArray(r.backends)) continue;
      const uses = r.backends.some(
        (b) => isPlainObject(b) && typeof b.group === 'string' && safePath(b.group, project) === group,
      );
      const first = Array.isArray(r.healthChecks) ? r.healthChecks[0] : undefined;
      if (uses && typeof first === 'string') {
        hcRef = first;
        break;
      }
    }
  }
  const hc = typeof hcRef === 'string' ? state.resources[safePath(hcRef, project)] : undefined;
  const field = (k: keyof ProbeSettings): number => {
    const v = Number(hc?.[k]);
    return Number.isFinite(v) && v > 0 ? v : PROBE_DEFAULTS[k];
  };
  return {
    checkIntervalSec: field('checkIntervalSec'),
    timeoutSec: field('timeoutSec'),
    healthyThreshold: field('healthyThreshold'),
    unhealthyThreshold: field('unhealthyThreshold'),
  };
}

function safePath(ref: string, project: string): string {
  try {
    return canonicalPath(ref, project, 'ref');
  } catch {
    return '';
  }
}

/** Whether the VM's server answers a probe sent at `t`: forced health first, else once it serves. */
export function answers(i: SimInstance, t: number): boolean {
  if (i.healthOverride) return i.healthOverride === 'HEALTHY';
  return t >= i.servingAt;
}

/**
 * Runs the probes of a RUNNING VM up to `now` and returns the health check's verdict. A probe goes
 * every `checkIntervalSec` from the time the VM is RUNNING; a good one counts when sent, a failed one
 * when its `timeoutSec` runs out (a hung or booting server does not answer). `healthyThreshold`
 * consecutive good probes make the VM HEALTHY, `unhealthyThreshold` failed ones UNHEALTHY; before
 * either it is UNKNOWN. Forced health (control API) must be set only after probing up to the change.
 */
export function probe(i: SimInstance, settings: ProbeSettings, now: number): ProbeVerdict {
  const interval = settings.checkIntervalSec * 1000;
  const timeout = Math.min(settings.timeoutSec * 1000, interval);
  i.probe ??= { next: i.runningAt, verdict: 'UNKNOWN', good: 0, bad: 0 };
  const p = i.probe;
  for (;;) {
    const ok = answers(i, p.next);
    const counted = ok ? p.next : p.next + timeout;
    if (counted > now) break;
    if (p.verdict === (ok ? 'HEALTHY' : 'UNHEALTHY')) {
      // Answers that agree with the verdict change nothing: skip to the last one counted by now.
      const n = Math.floor((now - counted) / interval) + 1;
      if (answers(i, p.next + (n - 1) * interval) === ok) {
        p.good = ok ? p.good + n : 0;
        p.bad = ok ? 0 : p.bad + n;
        p.next += n * interval;
        continue;
      }
    }
    p.good = ok ? p.good + 1 : 0;
    p.bad = ok ? 0 : p.bad + 1;
    if (p.good >= settings.healthyThreshold) p.verdict = 'HEALTHY';
    if (p.bad >= settings.unhealthyThreshold) p.verdict = 'UNHEALTHY';
    p.next += interval;
  }
  return p.verdict;
}
