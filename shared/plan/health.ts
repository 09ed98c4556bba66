/**
 * Region states: who is drained, who ramps back, who serves — with the drain guardrails
 * (never more than maxDrainFraction drained, never zero serving).
 */

import { failOpen, keepOnePerFence, warmupMs } from './safety';
import type { Topology } from './topology';
import type { PlannerInput, Reason, RegionObservation, RegionState } from './types';

export interface RegionDecision {
  state: RegionState;
  scaler: number;
  reasons: Reason[];
  /** Kept serving only for its residency fence's locations (safety.ts keepOnePerFence). */
  fenceOnly?: boolean;
}

const EPS = 1e-9;

export function isHealthy(obs: RegionObservation): boolean {
  return obs.openIncidents.length === 0 && obs.backendHealthy > 0;
}

/** Starting up, not failing: no incident, none serving yet, every VM new, inside its warm-up window. */
export function isWarming(obs: RegionObservation): boolean {
  return obs.warming && obs.openIncidents.length === 0 && obs.backendHealthy === 0;
}

/** The decisions for all regions; `failOpen` when the evidence of failure was doubted (safety.ts). */
export type Decisions = RegionDecision[] & { failOpen?: boolean };

export function stateOf(scaler: number): RegionState {
  return scaler <= 0 ? 'drained' : scaler >= 1 - EPS ? 'serving' : 'ramping';
}

/** Backends' scaler is 0 or 0.1..1; anything else observed is clamped into that set. */
export function normalise(scaler: number): number {
  if (!(scaler > 0)) return 0;
  return Math.min(1, Math.max(0.1, scaler));
}

/** Health score for choosing whom to keep: healthy fraction, then running VMs. Higher is better. */
export function score(obs: RegionObservation | undefined): [number, number] {
  if (!obs) return [-1, 0];
  const frac = obs.backendTotal > 0 ? obs.backendHealthy / obs.backendTotal : 0;
  return [obs.openIncidents.length > 0 ? frac - 1 : frac, obs.instances.running];
}

export function decideRegions(input: PlannerInput, topo: Topology): Decisions {
  const doubted = failOpen(input, topo);
  if (doubted) return doubted;
  const n = topo.regions.length;
  const t = triage(input, topo);
  const maxDrained = Math.max(0, Math.min(Math.floor(input.config.guardrails.maxDrainFraction * n + EPS), n - 1));
  let slots = maxDrained - t.recovering.length - t.heldAtZero;
  if (slots < 0) {
    rampEarly(input, topo, t, -slots, maxDrained);
    slots = 0;
  }
  drainWorst(input, topo, t, slots, maxDrained);
  keepOnePerFence(input, topo, t.out);
  return t.out;
}

/** Every region's own decision (rules 1, 3, 11, 13), sorted into the lists the drain guardrails weigh. */
interface Triage {
  out: RegionDecision[];
  /** Unhealthy (or unobserved and previously drained): candidates for draining. */
  unhealthy: number[];
  /** Healthy but still at 0 while they wait for their healthy window. */
  recovering: number[];
  /** Warming regions already at 0: they hold a drain slot. */
  heldAtZero: number;
}

function triage(input: PlannerInput, topo: Topology): Triage {
  const g = input.config.guardrails;
  const n = topo.regions.length;
  const t: Triage = { out: new Array(n), unhealthy: [], recovering: [], heldAtZero: 0 };
  for (let i = 0; i < n; i++) {
    const name = topo.regions[i] as string;
    const obs = input.observed[name];
    if (!obs) {
      t.out[i] = holdUnobserved(input, name);
      if (t.out[i]?.state === 'drained') t.unhealthy.push(i);
    } else if (isWarming(obs)) {
      const decision = holdWarming(input, topo, i, obs);
      t.out[i] = decision;
      if (decision.scaler === 0) t.heldAtZero++;
    } else if (!isHealthy(obs)) {
      t.out[i] = { state: 'drained', scaler: 0, reasons: [] };
      t.unhealthy.push(i);
    } else {
      const decision = recover(name, obs, normalise(obs.currentCapacityScaler), input.now, g, g.recoveryRamp);
      decision.reasons.push(...discountReasons(name, obs, input));
      t.out[i] = decision;
      if (decision.scaler === 0) t.recovering.push(i);
    }
  }
  return t;
}

/** Rule 1: a region that could not be observed holds its previous plan state (serving at 1.0 if none). */
function holdUnobserved(input: PlannerInput, name: string): RegionDecision {
  const prev = input.current?.regions[name];
  const scaler = prev ? prev.capacityScaler : 1;
  const reason: Reason = {
    subject: name,
    code: 'region-unobserved',
    message: `could not observe ${name}: holding its previous state (${stateOf(scaler)}, scaler ${scaler})`,
  };
  if (scaler > 0) return { state: stateOf(scaler), scaler, reasons: [reason] };
  return { state: 'drained', scaler: 0, reasons: [reason] };
}

/** Rule 11: a start-up is not an outage: hold the region as it is (no drain, its clients stay, nobody absorbs). */
function holdWarming(input: PlannerInput, topo: Topology, i: number, obs: RegionObservation): RegionDecision {
  const name = topo.regions[i] as string;
  const scaler = normalise(obs.currentCapacityScaler);
  const left = Math.ceil(((obs.warmingSince ?? input.now) + warmupMs(topo, i) - input.now) / 1000);
  return {
    state: stateOf(scaler),
    scaler,
    reasons: [
      {
        subject: name,
        code: 'warming',
        message: `${name} is warming up (${obs.instances.booting + obs.instances.running} VMs, none serving yet; ${left}s left of its warm-up window): held, not drained`,
      },
      ...discountReasons(name, obs, input),
    ],
  };
}

/** Rule 2: too many healthy regions still waiting at 0: start the longest-healthy `count` ramping now. */
function rampEarly(input: PlannerInput, topo: Topology, t: Triage, count: number, maxDrained: number): void {
  const n = topo.regions.length;
  const ramp = input.config.guardrails.recoveryRamp;
  const since = (i: number) => input.observed[topo.regions[i] as string]?.lastHealthyTransitionAt ?? -Infinity;
  t.recovering.sort((a, b) => (since(a) < since(b) ? -1 : since(a) > since(b) ? 1 : a - b));
  for (const i of t.recovering.slice(0, count)) {
    const name = topo.regions[i] as string;
    t.out[i] = {
      state: stateOf(ramp[0] as number),
      scaler: ramp[0] as number,
      reasons: [
        {
          subject: name,
          code: 'max-drain-fraction',
          message: `${name} is healthy but inside its healthy window; un-draining early to keep ≤ ${maxDrained} of ${n} regions drained`,
        },
      ],
    };
  }
}

/**
 * Rule 2: drain in order: already drained first (no flapping), then worst health, then name — while
 * drain slots last; the rest keep serving.
 */
function drainWorst(input: PlannerInput, topo: Topology, t: Triage, slots: number, maxDrained: number): void {
  const wasDrained = (i: number) => {
    const name = topo.regions[i] as string;
    const obs = input.observed[name];
    return obs ? obs.currentCapacityScaler <= 0 : (input.current?.regions[name]?.capacityScaler ?? 1) <= 0;
  };
  const keyOf = t.unhealthy.map((i) => ({
    i,
    drained: wasDrained(i),
    s: score(input.observed[topo.regions[i] as string]),
  }));
  keyOf.sort((a, b) => Number(b.drained) - Number(a.drained) || a.s[0] - b.s[0] || a.s[1] - b.s[1] || a.i - b.i);
  const anyServing = t.out.some((d, i) => d !== undefined && d.scaler > 0 && !t.unhealthy.includes(i));
  keyOf.forEach(({ i }, rank) => {
    const name = topo.regions[i] as string;
    const obs = input.observed[name];
    const decision = t.out[i] as RegionDecision;
    if (rank < slots) drain(name, obs, decision);
    else keepServing(input, topo, name, obs, decision, !anyServing && rank === slots, maxDrained);
  });
}

function drain(name: string, obs: RegionObservation | undefined, decision: RegionDecision): void {
  decision.state = 'drained';
  decision.scaler = 0;
  if (!obs) return;
  const why =
    obs.openIncidents.length > 0
      ? `open incident ${obs.openIncidents.map((x) => x.id).join(', ')}`
      : `${obs.backendHealthy}/${obs.backendTotal} backends healthy`;
  decision.reasons.push({ subject: name, code: 'drain-unhealthy', message: `${name} drained: ${why}` });
}

/**
 * Rule 2: an unhealthy region past the drain limit keeps its current scaler; when nothing else can
 * serve (`lastResort`), the best candidate serves at 1.0.
 */
function keepServing(
  input: PlannerInput,
  topo: Topology,
  name: string,
  obs: RegionObservation | undefined,
  decision: RegionDecision,
  lastResort: boolean,
  maxDrained: number,
): void {
  const n = topo.regions.length;
  const current = obs ? normalise(obs.currentCapacityScaler) : 0;
  const scaler = current > 0 ? current : lastResort ? 1 : (input.config.guardrails.recoveryRamp[0] as number);
  decision.scaler = scaler;
  decision.state = stateOf(scaler);
  decision.reasons.push(
    lastResort
      ? {
          subject: name,
          code: 'keep-last-healthy',
          message: `${name} is unhealthy but kept serving: no other region can serve`,
        }
      : {
          subject: name,
          code: 'max-drain-fraction',
          message: `${name} is unhealthy but kept serving: draining it would exceed ${maxDrained} of ${n} regions drained`,
        },
  );
}

/** A healthy region: wait out the healthy window, then climb the ramp one step per recoveryStepSec. */
function recover(
  name: string,
  obs: RegionObservation,
  scaler: number,
  now: number,
  g: PlannerInput['config']['guardrails'],
  ramp: readonly number[],
): RegionDecision {
  if (scaler >= 1 - EPS) return { state: 'serving', scaler: 1, reasons: [] };
  const since = obs.lastHealthyTransitionAt ?? Number.NEGATIVE_INFINITY;
  const afterWindow = now - since - g.minHealthyWindowSec * 1000;
  if (afterWindow < 0) {
    const left = Math.ceil(-afterWindow / 1000);
    return {
      state: stateOf(scaler),
      scaler,
      reasons: [
        {
          subject: name,
          code: 'awaiting-healthy-window',
          message: `${name} healthy for less than ${g.minHealthyWindowSec}s (${left}s to go): holding scaler ${scaler}`,
        },
      ],
    };
  }
  const allowed = Number.isFinite(since) ? Math.floor(afterWindow / (g.recoveryStepSec * 1000)) : Infinity;
  const next = ramp.findIndex((step) => step > scaler + EPS);
  if (next >= 0 && next <= allowed) {
    const to = ramp[next] as number;
    return {
      state: stateOf(to),
      scaler: to,
      reasons: [{ subject: name, code: 'ramp-step', message: `${name} recovering: scaler ${scaler} → ${to}` }],
    };
  }
  return {
    state: stateOf(scaler),
    scaler,
    reasons: [
      {
        subject: name,
        code: 'ramp-wait',
        message: `${name} recovering: next ramp step after ${g.recoveryStepSec}s at scaler ${scaler}`,
      },
    ],
  };
}

/** Why an open incident did not drain the region (plan/evidence.ts). */
function discountReasons(name: string, obs: RegionObservation, input: PlannerInput): Reason[] {
  return (obs.discountedIncidents ?? []).map((inc) => {
    const t = obs.traffic;
    const region = input.config.regions.find((r) => r.name === name);
    const capacity = obs.backendHealthy * (region?.replicaThroughputRps ?? 0);
    return {
      subject: name,
      code: inc.why === 'start-up' ? 'incident-start-up' : 'incident-overload',
      message:
        inc.why === 'start-up'
          ? `${name}: incident ${inc.id} opened while it was starting up (before it first served): not a failure, not drained`
          : !obs.overloaded
            ? `${name}: incident ${inc.id} opened while it was overloaded, which has ended (capacity caught up): not a failure, not drained`
            : `${name}: incident ${inc.id} is its overload (offered ${t?.rps.toFixed(1)} rps, serves ${capacity.toFixed(1)}, ${((t?.errorRatio ?? 0) * 100).toFixed(0)}% 5xx ≈ the excess it sheds): it needs capacity, not a drain`,
    };
  });
}
