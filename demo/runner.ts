import { performance } from 'node:perf_hooks';
import type { WorldEvent, WorldSample } from '../emulator/world';
import type { GeorouteConfig } from '../shared/config';
import { loadConfig } from '../shared/config/load';
import { Collector, type IncidentRecord } from './collect';
import { captureStdout } from './functions-host';
import { describeMeasures, type Measures, measure, type StepRecord } from './measure';
import { outcomes, type RunOutcome } from './outcomes';
import { fastPacer, livePacer, type Pacer, settle } from './pacer';
import { writeReport } from './report';
import { expandSteps, loadScenario, type Scenario } from './scenario';
import { type RunMode, type Stack, startStack } from './stack';
import { StepPlayer } from './steps';
import { clockLabel, formatEntry, regionTable, type TimelineEntry } from './timeline';

export type { IncidentRecord } from './collect';
export type { RunMode } from './stack';

export interface SimulateOptions {
  scenarioFile: string;
  /** `georoute` (default): the functions run the stack. `native`: Google's own mechanisms only. */
  mode?: RunMode;
  /**
   * `live` (default): the clock runs at `speed` × real time, to be watched. `fast`: time skips ahead
   * whenever nothing is owed (demo/pacer.ts), for benchmarks and comparisons.
   */
  pace?: 'live' | 'fast';
  /** Overrides the scenario's clock speed (live pace). */
  speed?: number;
  /** Writes `index.html` there. */
  reportDir?: string;
  /** Only the summary on the console. */
  quiet?: boolean;
  /**
   * Virtual-clock speed while a function works: in live pace after it has been busy for 300 ms real
   * (default 10), in fast pace always (default 20).
   */
  busySpeed?: number;
  /** Where console lines go (default: stdout). */
  print?: (line: string) => void;
  color?: boolean;
}

/** Everything a run recorded: what the report and the tests read. */
export interface SimulationRecord {
  scenario: Scenario;
  config: GeorouteConfig;
  mode: RunMode;
  speed: number;
  /** Virtual time the scenario started (after the warm-up) and ended. */
  t0: number;
  end: number;
  samples: WorldSample[];
  events: WorldEvent[];
  steps: StepRecord[];
  timeline: TimelineEntry[];
  incidents: IncidentRecord[];
  measures: Measures;
  /** How the clients were served (docs/BENCHMARKS.md). */
  outcome: RunOutcome;
  /** Scheduler ticks published (0 in native mode). */
  ticks: number;
  /** Real milliseconds the whole run took (setup included). */
  wallMs: number;
}

export type SimulateResult =
  | { ok: true; record: SimulationRecord; reportPath?: string }
  | { ok: false; errors: string[] };

/** Virtual step of the fast pace: the twin's timers fire within this of their time. */
const FAST_STEP_MS = 2_000;

/**
 * Plays a scenario end to end on the local twin: an in-process emulator, the stack bootstrapped from
 * the scenario's config, the three functions behind push subscriptions (georoute mode), the world
 * simulation sending the load, Cloud Scheduler's reconcile tick, and the scenario's steps on the
 * virtual clock.
 */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const started = performance.now();
  const loaded = await loadScenario(options.scenarioFile);
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map((e) => `${options.scenarioFile}: ${e}`) };
  const { scenario, configPath } = loaded;
  const configResult = await loadConfig(configPath);
  if (!configResult.ok) return { ok: false, errors: configResult.errors.map((e) => `${configPath}: ${e}`) };
  const config = configResult.config;
  const mode = options.mode ?? 'georoute';
  const pace = options.pace ?? 'live';
  const speed = options.speed ?? scenario.speed;

  let collector: Collector | undefined;
  let clockNow = () => 0;
  const capture = captureStdout((entry) => collector?.pending.push({ entry, at: clockNow() }));
  const print = options.print ?? ((line: string) => capture.write(`${line}\n`));
  const say = options.quiet ? () => undefined : print;
  const color = options.color ?? false;
  let stack: Stack | undefined;
  try {
    say(`georoute simulate — ${scenario.name}${mode === 'native' ? ' (native: Google only, georoute off)' : ''}`);
    if (scenario.description) say(`  ${scenario.description.trim().split('\n').join('\n  ')}`);
    say(
      `  config ${config.project}: ${config.regions.length} regions, ${config.clientLocations.length} client locations; ` +
        `${Math.round(scenario.duration / 60_000)} simulated minutes${pace === 'live' ? ` at ${speed}× real time` : ', fast-forward'}`,
    );
    // The bootstrap takes the virtual time Google's would (demo/pacer.ts bootstrapClock), in both paces.
    stack = await startStack({ scenario, config, configPath, mode, speed });
    const s = stack;
    const e = s.emulator;
    clockNow = () => e.ctx.clock.now();
    collector = new Collector(s, config.project);
    const c = collector;
    say(`  bootstrap: the whole stack created in ${(s.bootstrapMs / 1000).toFixed(1)} s (real)`);
    say(
      mode === 'georoute'
        ? '  functions: capacityRequest, healthAlert, reconcile served by functions-framework, fed by push subscriptions'
        : '  functions: none — Cloud DNS health checks, load-balancer health checks, outlier detection and autoscalers only',
    );
    const warmStart = e.ctx.clock.now();
    const player = new StepPlayer(s, config, scenario, warmStart + scenario.warmup);
    player.applyLoad(warmStart);

    let ticks = 0;
    const tick = async () => {
      ticks++;
      await s.gcp.pubsub
        .topic(config.pubsub.reconcile)
        .publishMessage({ json: { tick: ticks, source: 'cloud-scheduler' } });
    };
    const warmPacer = fastPacer(e, { stepMs: FAST_STEP_MS, busySpeed: options.busySpeed ?? 20 });
    const pacer: Pacer = pace === 'fast' ? warmPacer : livePacer(e, speed, options.busySpeed ?? 10);

    // Warm-up: the stack runs under the initial load (VMs boot, floors and weights settle) before T+0,
    // metered like any other time: a cold stack's first minutes must not look like an outage to georoute
    // (docs/PLANNER.md, warming regions), and here nothing hides them from it.
    say(`  warm-up: ${Math.round(scenario.warmup / 60_000)} simulated minutes under the initial load`);
    const warmEnd = warmStart + scenario.warmup;
    let nextTick = e.ctx.clock.now();
    for (;;) {
      const now = e.ctx.clock.now();
      if (now >= nextTick && mode === 'georoute') {
        await tick();
        nextTick += scenario.tick;
      }
      c.collect(false);
      if (now >= warmEnd) break;
      await warmPacer.wait(Math.min(warmEnd, mode === 'georoute' ? nextTick : warmEnd));
    }
    const t0 = e.ctx.clock.now();
    say('');

    const timeline: TimelineEntry[] = [];
    const steps: StepRecord[] = [];
    const emit = (entries: TimelineEntry[]) => {
      for (const x of entries) {
        timeline.push(x);
        say(formatEntry(x, t0, color));
      }
    };
    const queue = expandSteps(scenario.steps);
    nextTick = t0;
    let nextTable = t0;
    let nextLoad = t0 + (scenario.diurnal?.every ?? Number.POSITIVE_INFINITY);
    let sampleIndex = e.world.samples.length;
    const end = t0 + scenario.duration;
    for (;;) {
      const now = e.ctx.clock.now();
      while (queue[0] && t0 + queue[0].at <= now) {
        const { step } = queue.shift()!;
        const rec = await player.play(step, e.ctx.clock.now());
        steps.push(rec);
        emit([{ at: rec.at, kind: 'step', region: rec.region, text: rec.text }]);
      }
      if (now >= nextTick && now < end && mode === 'georoute') {
        await tick();
        nextTick += scenario.tick;
      }
      if (now >= nextLoad) {
        player.applyLoad(now);
        nextLoad += scenario.diurnal?.every ?? Number.POSITIVE_INFINITY;
      }
      emit(c.collect());
      const latest = e.world.samples.slice(sampleIndex).at(-1);
      sampleIndex = e.world.samples.length;
      if (latest && latest.at >= nextTable) {
        for (const line of regionTable(latest, t0, color)) say(line);
        nextTable += scenario.tableEvery;
      }
      // Run on until a sample covers the end: the outcome counts the whole window in both runs.
      if (now >= end && (e.world.samples.at(-1)?.at ?? 0) >= end) break;
      const nextStep = queue[0] ? t0 + queue[0].at : end;
      const owed =
        now >= end
          ? end + scenario.sampleEvery
          : Math.min(nextStep, mode === 'georoute' ? nextTick : end, nextLoad, end);
      await pacer.wait(owed);
    }
    await settle(e, options.busySpeed ?? 20);
    emit(c.collect());
    const samples = e.world.samples.filter((x) => x.at > t0 && x.at <= end + scenario.sampleEvery);
    const events = [...e.world.events];
    const record: SimulationRecord = {
      scenario,
      config,
      mode,
      speed,
      t0,
      end,
      samples,
      events,
      steps,
      timeline,
      incidents: [...c.incidents.values()].sort((a, b) => a.openedAt - b.openedAt),
      measures: measure(steps, e.world.samples, events),
      outcome: outcomes({ config, samples, steps, requestLog: e.ctx.log.list(), t0, end }),
      ticks,
      wallMs: 0,
    };
    await s.close();
    stack = undefined;
    record.wallMs = Math.round(performance.now() - started);
    printSummary(record, print);
    let reportPath: string | undefined;
    if (options.reportDir) {
      reportPath = writeReport(record, options.reportDir);
      print(`  report: ${reportPath}`);
    }
    return { ok: true, record, reportPath };
  } finally {
    capture.restore();
    await stack?.close();
  }
}

function printSummary(r: SimulationRecord, print: (line: string) => void): void {
  const o = r.outcome;
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  print('');
  print(
    `Summary — ${r.scenario.name} (${clockLabel(r.end, r.t0)} simulated in ${(r.wallMs / 1000).toFixed(1)} s real)`,
  );
  print(
    `  ${r.incidents.length} incident(s), ${r.timeline.filter((x) => x.kind === 'action').length} georoute write(s) ` +
      `(${o.apiWrites} API write calls), ${r.ticks} scheduler ticks, ${r.steps.length} scenario events`,
  );
  print(
    `  clients: ${o.requests} requests, ${pct(o.slo)} within SLO (${r.config.slo.latencyMs} ms), ${pct(o.errors)} failed; ` +
      `${o.gpuHours.toFixed(2)} GPU-hours; ${o.fenceViolations} fence violations`,
  );
  for (const line of describeMeasures(r.measures)) print(`  ${line}`);
}
