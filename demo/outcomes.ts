import type { RequestLogEntry } from '../emulator/core/request-log';
import type { WorldSample } from '../emulator/world';
import { rttMs } from '../emulator/world/model';
import { effectiveResidency, type GeorouteConfig } from '../shared/config';
import { bundledAccelerators } from '../shared/config/gpu-catalog';
import type { StepRecord } from './measure';

/** One minute of a run, from the world's samples that ended in it. */
export interface MinuteOutcome {
  /** Minutes from the scenario start (the minute's start). */
  minute: number;
  requests: number;
  /** Share answered successfully within the SLO latency (0..1; 1 when no request). */
  slo: number;
  /** Share that failed. */
  errors: number;
  /** GPUs on RUNNING VMs (the last sample of the minute). */
  gpus: number;
}

/** How a run served its clients: what `georoute simulate --baseline native --json` writes per run. */
export interface RunOutcome {
  /** Client requests in the scenario window (probes excluded). */
  requests: number;
  /** Share answered successfully within `config.slo.latencyMs`. */
  slo: number;
  /** Share that failed (5xx, shed, or sent where nothing serves). */
  errors: number;
  /** First fault → end of the first minute with ≥ 95 % within SLO after SLO fell below it; 0 if it never fell; null if it never came back. */
  timeToHealthySec: number | null;
  /** GPU-hours of RUNNING VMs over the window (booting ones bill too). */
  gpuHours: number;
  /** Requests of a residency-fenced location served by a region outside its fence. */
  fenceViolations: number;
  /** Mutating Compute, Cloud DNS and Monitoring API calls in the window, by anyone. */
  apiWrites: number;
  minutes: MinuteOutcome[];
}

/** Steps that break something: the first one starts the clock of `timeToHealthySec`. */
const FAULTS = new Set(['failRegion', 'stockout', 'incident']);
const HEALTHY_SHARE = 0.95;

/**
 * The share of a region's successful answers within `objectiveMs`, from the percentiles the world
 * reports for it. The world's latency is a service time plus a queueing wait with an exponential
 * tail (emulator/world/model.ts), so a shifted exponential through p50 and p95 reproduces it:
 * W = (p95 − p50) / ln 10, shift = p50 − W ln 2.
 */
export function shareWithin(p50Ms: number, p95Ms: number, objectiveMs: number): number {
  const w = Math.max(1e-6, (p95Ms - p50Ms) / Math.LN10);
  const shift = p50Ms - w * Math.LN2;
  if (objectiveMs <= shift) return 0;
  return 1 - Math.exp(-(objectiveMs - shift) / w);
}

export function outcomes(input: {
  config: GeorouteConfig;
  samples: readonly WorldSample[];
  steps: readonly StepRecord[];
  requestLog: readonly RequestLogEntry[];
  t0: number;
  end: number;
}): RunOutcome {
  const { config, t0, end } = input;
  const objective = config.slo.latencyMs;
  const gpusPerVm = new Map(
    config.regions.map((r) => [r.name, bundledAccelerators(r.machineType)?.count ?? r.accelerator.count]),
  );
  const fence = new Map(config.clientLocations.map((l) => [l.location, l.residency]));
  const residency = new Map(config.regions.map((r) => [r.name, effectiveResidency(r)]));

  const minutes = new Map<number, { requests: number; ok: number; failed: number; gpus: number }>();
  let requests = 0;
  let ok = 0;
  let failed = 0;
  let gpuHours = 0;
  let fenceViolations = 0;
  for (const sample of input.samples) {
    // A sample covers the interval before it; only its part inside the window counts (runs paced in
    // different steps sample at different instants, and must still count the same window).
    const from = sample.at - sample.intervalSec * 1000;
    const inside = (Math.min(sample.at, end) - Math.max(from, t0)) / 1000;
    if (!(inside > 0)) continue;
    const s = { ...sample, intervalSec: inside };
    const minute = Math.floor((Math.min(sample.at, end) - 1 - t0) / 60_000);
    const m = minutes.get(minute) ?? { requests: 0, ok: 0, failed: 0, gpus: 0 };
    minutes.set(minute, m);
    let gpus = 0;
    for (const [region, r] of Object.entries(s.regions)) gpus += r.running * (gpusPerVm.get(region) ?? 1);
    m.gpus = gpus;
    gpuHours += (gpus * s.intervalSec) / 3600;
    for (const [location, l] of Object.entries(s.locations)) {
      const n = l.rps * s.intervalSec;
      const lost = n * l.errorRatio;
      let good = 0;
      for (const [region, rps] of Object.entries(l.served)) {
        const r = s.regions[region];
        if (!r || rps <= 0) continue;
        const rtt = rttMs(location, region);
        good += rps * s.intervalSec * (1 - r.errorRatio) * shareWithin(r.p50Ms + rtt, r.p95Ms + rtt, objective);
        const fenced = fence.get(location);
        if (fenced && residency.get(region) !== fenced) fenceViolations += rps * s.intervalSec;
      }
      good = Math.min(good, n - lost);
      m.requests += n;
      m.ok += good;
      m.failed += lost;
      requests += n;
      ok += good;
      failed += lost;
    }
  }

  const perMinute: MinuteOutcome[] = [...minutes]
    .sort(([a], [b]) => a - b)
    .map(([minute, m]) => ({
      minute,
      requests: Math.round(m.requests),
      slo: m.requests > 0 ? m.ok / m.requests : 1,
      errors: m.requests > 0 ? m.failed / m.requests : 0,
      gpus: m.gpus,
    }));

  const fault = input.steps.find((s) => FAULTS.has(s.action) && s.at >= t0);
  let timeToHealthySec: number | null = null;
  if (fault) {
    const after = perMinute.filter((m) => t0 + (m.minute + 1) * 60_000 > fault.at);
    const dip = after.findIndex((m) => m.slo < HEALTHY_SHARE);
    if (dip < 0) timeToHealthySec = 0;
    else {
      const back = after.slice(dip).find((m) => m.slo >= HEALTHY_SHARE);
      timeToHealthySec = back ? Math.round((t0 + (back.minute + 1) * 60_000 - fault.at) / 1000) : null;
    }
  }

  const apiWrites = input.requestLog.filter(
    (r) =>
      r.write &&
      r.time >= t0 &&
      r.time <= end &&
      (r.api === 'compute' || r.api === 'dns' || r.api === 'monitoring') &&
      !r.path.endsWith('/wait'),
  ).length;

  return {
    requests: Math.round(requests),
    slo: requests > 0 ? ok / requests : 1,
    errors: requests > 0 ? failed / requests : 0,
    timeToHealthySec,
    gpuHours: Math.round(gpuHours * 1000) / 1000,
    fenceViolations: Math.round(fenceViolations),
    apiWrites,
    minutes: perMinute,
  };
}
