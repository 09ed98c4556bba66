import { performance } from 'node:perf_hooks';
import { type Emulator, startEmulator } from '../emulator';
import { EmulatorControl } from '../emulator/control-client';
import { FAST_TIMINGS } from '../emulator/core/timings';
import type { WorldEvent, WorldSample } from '../emulator/world';
import { seededRandom } from '../emulator/world/model';
import { bootstrap } from '../infra';
import type { GeorouteConfig } from '../shared/config';
import { loadConfig } from '../shared/config/load';
import type { LogEntry } from '../shared/core/logger';
import { GcpClients } from '../shared/gcp/clients';
import { captureStdout, type FunctionsHost, startFunctionsHost } from './functions-host';
import { describeMeasures, type Measures, measure, type StepRecord } from './measure';
import { writeReport } from './report';
import { actionOf, expandSteps, loadFor, loadScenario, type Scenario, type ScenarioStep } from './scenario';
import { apiLine, clockLabel, dnsLines, formatEntry, LogReader, regionTable, type TimelineEntry } from './timeline';

export interface SimulateOptions {
  scenarioFile: string;
  /** Overrides the scenario's clock speed. */
  speed?: number;
  /** Writes `index.html` there. */
  reportDir?: string;
  /** Only the summary on the console. */
  quiet?: boolean;
  /**
   * Virtual-clock speed while a function has been busy for more than 300 ms (real): on a loaded machine
   * the functions' real latency would otherwise become minutes of simulated time. Default 10.
   */
  busySpeed?: number;
  /** Where console lines go (default: stdout). */
  print?: (line: string) => void;
  color?: boolean;
}

export interface IncidentRecord {
  id: string;
  region: string | null;
  policy: string;
  openedAt: number;
  closedAt: number | null;
}

/** Everything a run recorded: what the report and the tests read. */
export interface SimulationRecord {
  scenario: Scenario;
  config: GeorouteConfig;
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
  /** Real milliseconds the whole run took (setup included). */
  wallMs: number;
}

export type SimulateResult =
  | { ok: true; record: SimulationRecord; reportPath?: string }
  | { ok: false; errors: string[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays a scenario end to end on the local twin: an in-process emulator, the stack bootstrapped from
 * the scenario's config, the three functions behind push subscriptions, the world simulation sending
 * the load, Cloud Scheduler's reconcile tick, and the scenario's steps on the virtual clock.
 */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const started = performance.now();
  const loaded = await loadScenario(options.scenarioFile);
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map((e) => `${options.scenarioFile}: ${e}`) };
  const { scenario, configPath } = loaded;
  const configResult = await loadConfig(configPath);
  if (!configResult.ok) return { ok: false, errors: configResult.errors.map((e) => `${configPath}: ${e}`) };
  const config = configResult.config;
  const speed = options.speed ?? scenario.speed;

  let emu: Emulator | undefined;
  const pending: Array<{ entry: LogEntry; at: number }> = [];
  const capture = captureStdout((entry) => pending.push({ entry, at: emu?.ctx.clock.now() ?? 0 }));
  const print = options.print ?? ((line: string) => capture.write(`${line}\n`));
  const say = options.quiet ? () => undefined : print;
  const color = options.color ?? false;
  let gcp: GcpClients | undefined;
  let host: FunctionsHost | undefined;
  try {
    emu = await startEmulator({
      clockSpeed: speed,
      // The scenarios' scripts (examples/scenarios/) are timed for this faster cloud, not Google's
      // clock (a GPU VM serves ~15 min after creation there, metrics show 90–210 s late): kept as
      // they were until the scenarios are re-timed.
      timings: { ...FAST_TIMINGS, operationPendingMs: 100, operationRunningMs: 300, dnsChangeMs: 2_000 },
      random: seededRandom(scenario.seed * 7919 + 1),
    });
    const e = emu;
    const control = new EmulatorControl(e.restUrl);
    gcp = new GcpClients({ projectId: config.project, emulator: e.restUrl, pubsubHost: e.pubsubHost });
    say(`georoute simulate — ${scenario.name}`);
    if (scenario.description) say(`  ${scenario.description.trim().split('\n').join('\n  ')}`);
    say(
      `  config ${config.project}: ${config.regions.length} regions, ${config.clientLocations.length} client locations; ` +
        `${Math.round(scenario.duration / 60_000)} simulated minutes at ${speed}× real time`,
    );

    const bootStart = performance.now();
    const boot = await bootstrap(gcp, config, { out: () => undefined });
    if (boot.exitCode !== 0) throw new Error(`bootstrap failed at ${boot.failure?.id}: ${boot.failure?.message}`);
    say(`  bootstrap: the whole stack created in ${((performance.now() - bootStart) / 1000).toFixed(1)} s (real)`);
    const [policies] = await gcp.monitoring.alertPolicies.listAlertPolicies({ name: `projects/${config.project}` });
    const policyInfo = new Map(
      policies.map((p) => [
        p.name ?? '',
        { name: p.displayName ?? '', region: p.userLabels?.['georoute-region'] ?? null },
      ]),
    );

    host = await startFunctionsHost(config, configPath, { restUrl: e.restUrl, pubsubHost: e.pubsubHost }, gcp);
    say(
      '  functions: capacityRequest, healthAlert, reconcile served by functions-framework, fed by push subscriptions',
    );

    e.world.configure({
      project: config.project,
      recordName: config.dns.recordName,
      backendService: config.loadBalancer.backendService,
      locations: config.clientLocations.map((l) => l.location),
      sampleSec: scenario.sampleEvery / 1000,
      seed: scenario.seed,
    });
    e.world.setLbMetrics(false);
    e.world.setLoad(loadFor(scenario.load, config.clientLocations));

    const reader = new LogReader();
    const timeline: TimelineEntry[] = [];
    const steps: StepRecord[] = [];
    const incidents = new Map<string, IncidentRecord>();
    let t0 = e.ctx.clock.now();
    let reconciles = 0;
    let ticks = 0;
    const tick = async () => {
      ticks++;
      await gcp!.pubsub
        .topic(config.pubsub.reconcile)
        .publishMessage({ json: { tick: ticks, source: 'cloud-scheduler' } });
    };
    const readLogs = (keep: boolean) => {
      for (const { entry, at } of pending.splice(0)) {
        if (entry.function === 'reconcile' && entry.message.startsWith('reconcile: ')) reconciles++;
        // Read even when not kept: the warm-up's reasons are not news at T+0.
        const line = reader.read(entry, at);
        if (line && keep) timeline.push(line);
      }
    };

    // Warm-up: the stack runs under the initial load (VMs boot, floors and weights settle) before T+0,
    // without the load balancer's metrics (a cold stack's first minutes are not an incident).
    say(`  warm-up: ${Math.round(scenario.warmup / 60_000)} simulated minutes under the initial load`);
    for (let t = 0; t < scenario.warmup; t += 30_000) {
      e.ctx.clock.advance(30_000);
      e.tick();
      if (t % 120_000 === 0) {
        const want = reconciles + 1;
        await tick();
        const deadline = performance.now() + 15_000;
        while (reconciles < want && performance.now() < deadline) {
          await sleep(10);
          readLogs(false);
        }
      }
    }
    readLogs(false);
    e.world.setLbMetrics(true);
    t0 = e.ctx.clock.now();
    let logMark = e.ctx.log.mark;
    let eventIndex = e.world.events.length;
    let sampleIndex = e.world.samples.length;
    say('');

    const emit = (entries: TimelineEntry[]) => {
      entries.sort((a, b) => a.at - b.at);
      for (const x of entries) {
        timeline.push(x);
        say(formatEntry(x, t0, color));
      }
    };
    const collect = () => {
      const batch: TimelineEntry[] = [];
      for (const { entry, at } of pending.splice(0)) {
        if (entry.function === 'reconcile' && entry.message.startsWith('reconcile: ')) reconciles++;
        const line = reader.read(entry, at);
        if (line) batch.push(line);
      }
      for (const r of e.ctx.log.list({ since: logMark })) {
        const line = apiLine(r, config.project);
        if (line) batch.push(line);
      }
      logMark = e.ctx.log.mark;
      const fresh = e.world.events.slice(eventIndex);
      eventIndex = e.world.events.length;
      batch.push(...dnsLines(fresh));
      for (const inc of e.monitoring.incidents()) {
        const info = policyInfo.get(inc.policy);
        const known = incidents.get(inc.incidentId);
        if (!known) {
          const rec: IncidentRecord = {
            id: inc.incidentId,
            region: info?.region ?? null,
            policy: info?.name ?? inc.policy,
            openedAt: inc.startedAt,
            closedAt: null,
          };
          incidents.set(inc.incidentId, rec);
          batch.push({
            at: inc.startedAt,
            kind: 'alert',
            region: rec.region ?? undefined,
            text: `Monitoring opened incident ${inc.incidentId}: ${rec.policy} (value ${Number(inc.observedValue).toFixed(2)})`,
          });
        }
        const rec = incidents.get(inc.incidentId)!;
        if (inc.endedAt !== null && rec.closedAt === null) {
          rec.closedAt = inc.endedAt;
          batch.push({
            at: inc.endedAt,
            kind: 'alert',
            region: rec.region ?? undefined,
            text: `Monitoring closed incident ${inc.incidentId}: ${rec.policy}`,
          });
        }
      }
      emit(batch);
    };

    const openIds = new Map<string, string>();
    let incidentSeq = 0;
    const runStep = async (step: ScenarioStep, at: number) => {
      const action = actionOf(step);
      let region: string | undefined;
      let text = '';
      if (step.setLoad) {
        const load = loadFor(step.setLoad, config.clientLocations);
        e.world.setLoad(load);
        const total = Object.values(e.world.load).reduce((s, v) => s + v, 0);
        text = `load: ${step.setLoad.scale !== undefined ? `×${step.setLoad.scale} of expected` : ''}${
          step.setLoad.locations
            ? ` ${Object.entries(step.setLoad.locations)
                .map(([l, v]) => `${l} ${v} rps`)
                .join(', ')}`
            : ''
        } (total ${total.toFixed(0)} rps)`;
      } else if (step.failRegion) {
        const f = step.failRegion;
        region = f.region;
        const what: string[] = [];
        if (f.health) {
          await control.call('POST', '/__emulator/compute/instances/health', { region: f.region, health: f.health });
          what.push('model server broken (health checks fail)');
        }
        if (f.kill) {
          const { killed } = await control.call<{ killed: string[] }>('POST', '/__emulator/compute/instances/kill', {
            region: f.region,
          });
          what.push(`${killed.length} VMs killed`);
        }
        if (f.errorRate !== undefined) {
          e.world.setFault(f.region, f.errorRate);
          what.push(`${Math.round(f.errorRate * 100)}% of requests fail`);
        }
        text = `FAILURE ${f.region}: ${what.join(', ')}`;
      } else if (step.recoverRegion) {
        region = step.recoverRegion.region;
        await control.call('POST', '/__emulator/compute/instances/health', { region, health: 'auto' });
        e.world.setFault(region, 0);
        text = `RECOVERY ${region}: the model server is fixed`;
      } else if (step.stockout) {
        const s = step.stockout;
        await control.call('POST', '/__emulator/compute/stockouts', {
          zone: s.zone,
          acceleratorType: s.accelerator,
          outOfStock: s.outOfStock,
        });
        region = s.zone.replace(/-[a-z]$/, '');
        text = `${s.outOfStock ? 'STOCKOUT' : 'stock back'}: ${s.zone}${s.accelerator ? ` (${s.accelerator})` : ''}`;
      } else if (step.capacityRequest) {
        const c = step.capacityRequest;
        await gcp!.pubsub.topic(config.pubsub.capacityRequests).publishMessage({ json: c });
        region = c.region;
        text = `capacity request ${c.requestId}: ${c.replicas} × ${c.accelerator} ${c.region ? `in ${c.region}` : `near ${c.near}`}${
          c.durationMinutes ? ` for ${c.durationMinutes} min` : ''
        }${c.reason ? ` (${c.reason})` : ''}`;
      } else if (step.incident) {
        const { region: r, state } = step.incident;
        region = r;
        const id =
          state === 'open' || !openIds.has(r) ? `0.demo${String(++incidentSeq).padStart(6, '0')}` : openIds.get(r)!;
        if (state === 'open') openIds.set(r, id);
        else openIds.delete(r);
        await gcp!.pubsub
          .topic(config.pubsub.healthAlerts)
          .publishMessage({ json: notification(config, r, id, state, at) });
        text = `alert policy notification: incident ${id} ${state} for ${r}`;
      }
      if (step.note) text += ` — ${step.note}`;
      steps.push({ at, action, region, text });
      emit([{ at, kind: 'step', region, text }]);
    };

    const queue = expandSteps(scenario.steps);
    let nextTick = t0;
    let nextTable = t0;
    const end = t0 + scenario.duration;
    const busySpeed = Math.min(speed, options.busySpeed ?? 10);
    let busySince: number | undefined;
    const pace = async () => {
      const { subscriptions } = await control.call<{ subscriptions: Array<{ name: string; outstanding: number }> }>(
        'GET',
        '/__emulator/pubsub/subscriptions',
      );
      const busy = subscriptions.some((s) => s.name.endsWith('-push') && s.outstanding > 0);
      busySince = busy ? (busySince ?? performance.now()) : undefined;
      const want = busySince !== undefined && performance.now() - busySince > 300 ? busySpeed : speed;
      if (want !== e.ctx.clock.speed) e.ctx.clock.setSpeed(want);
    };
    for (;;) {
      await pace();
      const now = e.ctx.clock.now();
      while (queue[0] && t0 + queue[0].at <= now) {
        const { step } = queue.shift()!;
        await runStep(step, e.ctx.clock.now());
      }
      if (now >= nextTick) {
        await tick();
        nextTick += scenario.tick;
      }
      collect();
      const fresh = e.world.samples.slice(sampleIndex);
      sampleIndex = e.world.samples.length;
      const latest = fresh.at(-1);
      if (latest && latest.at >= nextTable) {
        for (const line of regionTable(latest, t0, color)) say(line);
        nextTable += scenario.tableEvery;
      }
      if (now >= end) break;
      await sleep(20);
    }
    await control.call('POST', '/__emulator/pubsub/flush').catch(() => undefined);
    collect();
    const samples = e.world.samples.filter((s) => s.at > t0 && s.at <= end + scenario.sampleEvery);
    const events = [...e.world.events];
    const measures = measure(steps, e.world.samples, events);
    const record: SimulationRecord = {
      scenario,
      config,
      speed,
      t0,
      end,
      samples,
      events,
      steps,
      timeline,
      incidents: [...incidents.values()].sort((a, b) => a.openedAt - b.openedAt),
      measures,
      wallMs: 0,
    };

    await host.close();
    host = undefined;
    await gcp.close();
    gcp = undefined;
    await e.stop();
    emu = undefined;
    record.wallMs = Math.round(performance.now() - started);

    print('');
    print(
      `Summary — ${scenario.name} (${clockLabel(end, t0)} simulated in ${(record.wallMs / 1000).toFixed(1)} s real)`,
    );
    const writes = timeline.filter((x) => x.kind === 'api').length;
    print(
      `  ${record.incidents.length} incident(s), ${timeline.filter((x) => x.kind === 'action').length} georoute write(s) ` +
        `(${writes} API write calls), ${ticks} scheduler ticks, ${steps.length} scenario events`,
    );
    for (const line of describeMeasures(measures)) print(`  ${line}`);
    let reportPath: string | undefined;
    if (options.reportDir) {
      reportPath = writeReport(record, options.reportDir);
      print(`  report: ${reportPath}`);
    }
    return { ok: true, record, reportPath };
  } finally {
    await host?.close().catch(() => undefined);
    capture.restore();
    await gcp?.close().catch(() => undefined);
    await emu?.stop().catch(() => undefined);
  }
}

/** A Monitoring notification (schema 1.2) like the one a pubsub channel delivers, for a policy of `region`. */
function notification(config: GeorouteConfig, region: string, id: string, state: 'open' | 'closed', at: number) {
  const seconds = Math.floor(at / 1000);
  return {
    version: '1.2',
    incident: {
      incident_id: id,
      scoping_project_id: config.project,
      started_at: seconds,
      ended_at: state === 'closed' ? seconds : null,
      state,
      summary: `5xx share for ${region} ${state === 'open' ? 'is above' : 'returned below'} the threshold.`,
      resource: { type: 'https_lb_rule', labels: { project_id: config.project, backend_scope: region } },
      metric: { type: 'loadbalancing.googleapis.com/https/backend_request_count', labels: {} },
      policy_name: `georoute ${region} flapping`,
      policy_user_labels: { 'georoute-region': region, 'georoute-alert': 'error-ratio' },
      condition_name: '5xx share',
    },
  };
}
