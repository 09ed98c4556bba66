import type { GeorouteConfig } from '../../../shared/config';
import type { LogEntry } from '../../../shared/core/logger';
import { readRecord } from '../../../shared/gcp/dns-rest';
import { withRetry } from '../../../shared/gcp/retry';
import { readBackendNote } from '../../../shared/state/notes';
import { decodeWeights } from '../../../shared/state/weights-record';
import { eventually } from '../../helpers/eventually';
import { type FunctionsHarness, startFunctions, subscriptionOf } from '../../helpers/functions';
import { startWorld, type World } from '../../helpers/world';

/** The emulator with georoute's stack and the three functions served through push subscriptions. */
export interface ChaosStack {
  w: World;
  fx: FunctionsHarness;
  config: GeorouteConfig;
  close(): Promise<void>;
}

/**
 * Starts the stack. Push subscriptions retry up to 100 deliveries (Google's maximum), as a deployed
 * `--retry` trigger keeps retrying for the message's retention: with 20 % of API calls failing, five
 * attempts (the harness default) would dead-letter a real event now and then.
 */
export async function startChaosStack(config: GeorouteConfig, options: { random?: number } = {}): Promise<ChaosStack> {
  const w = await startWorld(config, options);
  const fx = await startFunctions(w);
  const p = config.pubsub;
  for (const topic of [p.capacityRequests, p.healthAlerts, p.reconcile]) {
    await w.gcp.pubsub.subscription(subscriptionOf(topic)).setMetadata({
      deadLetterPolicy: {
        deadLetterTopic: `projects/${config.project}/topics/${p.deadLetter}`,
        maxDeliveryAttempts: 100,
      },
    });
  }
  return {
    w,
    fx,
    config,
    async close() {
      await w.control.clearFaults();
      await fx.close();
      await w.close();
    },
  };
}

/** The test's own calls (it plays the world: metric writers, operators) retry injected faults, as georoute does. */
export async function retried<T>(call: () => Promise<T>, attempts = 30): Promise<T> {
  return withRetry(call, { policy: { attempts, baseMs: 5, capMs: 5 } });
}

/**
 * Waits (real time) for `check`, moving virtual time on by `advanceMs` between polls so that
 * redeliveries (Pub/Sub backoff runs on the virtual clock) happen.
 */
export function waitFor<T>(
  s: ChaosStack,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; advanceMs?: number; what?: string } = {},
): Promise<T> {
  return eventually(check, {
    timeoutMs: options.timeoutMs ?? 60_000,
    intervalMs: 40,
    what: options.what,
    between: (i) => options.advanceMs && i % 3 === 2 && s.w.advance(options.advanceMs),
  });
}

/** Log lines of one function for one event (the CloudEvent id is the Pub/Sub message id). */
export const linesOf = (logs: LogEntry[], fn: string, eventId: string) =>
  logs.filter((l) => l.function === fn && l.eventId === eventId);

const FINAL = /^(applied|no action|dead-lettered)/;

/** One reconcile tick through Pub/Sub; resolves when the function acked it (after any redeliveries). */
export async function tick(s: ChaosStack): Promise<LogEntry> {
  const id = await retried(() => s.fx.publish(s.config.pubsub.reconcile, { kind: 'tick' }));
  return waitFor(s, () => linesOf(s.fx.logs, 'reconcile', id).find((l) => FINAL.test(String(l.decision))), {
    advanceMs: 2_000,
    what: `tick ${id}`,
  });
}

/** Writes the error-ratio series the alert policy watches. */
export async function writeErrorRatio(s: ChaosStack, metric: string, region: string, value: number): Promise<void> {
  const { w, config } = s;
  await retried(() =>
    w.gcp.monitoring.metrics.createTimeSeries({
      name: `projects/${config.project}`,
      timeSeries: [
        {
          metric: { type: metric, labels: { region } },
          resource: { type: 'global', labels: { project_id: config.project } },
          points: [
            {
              interval: { endTime: { seconds: Math.floor(w.emu.ctx.clock.now() / 1000) } },
              value: { doubleValue: value },
            },
          ],
        },
      ],
    }),
  );
}

/** Reads without faults in the way: the assertions look at the world, not at georoute's luck. */
export async function backendService(s: ChaosStack) {
  const [bs] = await retried(() =>
    s.w.gcp.compute.backendServices.get({
      project: s.config.project,
      backendService: s.config.loadBalancer.backendService,
    }),
  );
  return bs;
}

export async function scalers(s: ChaosStack): Promise<Record<string, number>> {
  const bs = await backendService(s);
  return Object.fromEntries(
    (bs.backends ?? []).map((b) => [/regions\/([^/]+)\//.exec(b.group ?? '')?.[1] ?? '?', b.capacityScaler ?? 1]),
  );
}

const rrset = (s: ChaosStack, name: string, type: string) =>
  retried(() => readRecord(s.w.gcp.dns, s.config.dns.managedZone, name, type));

/**
 * Everything georoute controls, normalised (IPs → regions, times dropped, weights rounded): two
 * runs that converged to the same routing compare equal.
 */
export async function endState(s: ChaosStack): Promise<Record<string, unknown>> {
  const { w, config } = s;
  const regionOfIp: Record<string, string> = {};
  for (const r of config.regions) {
    const [a] = await retried(() =>
      w.gcp.compute.addresses.get({ project: config.project, region: r.name, address: r.entry.addressName }),
    );
    regionOfIp[a.address as string] = r.name;
  }
  const bs = await backendService(s);
  // Incident ids are Monitoring's (random per run): compare how many, not which.
  const notes: Record<string, { open: number; closed: number }> = {};
  for (const b of bs.backends ?? []) {
    const region = /regions\/([^/]+)\//.exec(b.group ?? '')?.[1] ?? '?';
    const note = readBackendNote(b.description);
    notes[region] = { open: Object.keys(note.open).length, closed: Object.keys(note.closed).length };
  }
  const floors: Record<string, unknown> = {};
  for (const r of config.regions) {
    const [a] = await retried(() =>
      w.gcp.compute.regionAutoscalers.get({ project: config.project, region: r.name, autoscaler: r.autoscaler }),
    );
    const schedules = Object.entries(a.autoscalingPolicy?.scalingSchedules ?? {})
      .filter(([name]) => name.startsWith('georoute-'))
      // By effect, not by name: requests sharing a schedule may name it after whichever came first.
      .map(([, sc]) => `${sc.minRequiredReplicas}:${sc.disabled ? 'off' : 'on'}`)
      .sort();
    floors[r.name] = { min: a.autoscalingPolicy?.minNumReplicas, schedules };
  }
  const geo = await rrset(s, config.dns.recordName, 'A');
  const answers = Object.fromEntries(
    (geo?.routingPolicy?.geo?.items ?? []).map((i) => [
      i.location,
      (i.rrdatas ?? []).map((ip) => regionOfIp[ip] ?? ip).sort(),
    ]),
  );
  const weightsRecord = await rrset(s, `_georoute-weights.${config.dns.recordName}`, 'TXT');
  const weights = decodeWeights(weightsRecord?.rrdatas);
  const rounded = Object.fromEntries(
    Object.entries(weights).map(([loc, ws]) => [
      loc,
      Object.fromEntries(
        Object.entries(ws)
          .map(([r, v]) => [r, Math.round(v * 20) / 20] as const)
          .filter(([, v]) => v > 0),
      ),
    ]),
  );
  return { scalers: await scalers(s), notes, floors, answers, weights: rounded };
}

/**
 * Ticks (61 s of virtual time apart, writing `load` before each) until `minTicks` have run and the
 * last two made no write: the level-triggered loop has converged. Resolves to the number of ticks.
 */
export async function settle(
  s: ChaosStack,
  minTicks: number,
  load?: Record<string, number>,
  maxTicks = minTicks + 30,
): Promise<number> {
  let quiet = 0;
  for (let i = 1; i <= maxTicks; i++) {
    s.w.advance(61_000);
    // The clients keep sending traffic: without fresh points the metric goes missing and floors hold.
    if (load) await retried(() => s.w.setLoad(load));
    const mark = await s.w.control.mark();
    const done = await tick(s);
    // Quiet = nothing written and nothing unobserved (an unread region is not a converged one).
    quiet = (await s.w.writesSince(mark)) === 0 && done.errors === 0 ? quiet + 1 : 0;
    if (i >= minTicks && quiet >= 2) return i;
  }
  throw new Error(`no convergence after ${maxTicks} ticks`);
}
