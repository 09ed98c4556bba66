import { type ChaosStack, retried, scalers, tick, waitFor, writeErrorRatio } from './stack';

export const ERROR_RATIO = 'custom.googleapis.com/georoute/error_ratio';
export const LOAD = { 'us-central1': 4, 'us-east4': 8, 'us-west1': 2, 'europe-west4': 4, 'europe-west1': 2 };

/** What one run of the outage scenario saw. */
export interface OutageRun {
  ticks: number;
  /** Smallest number of serving regions seen at any check, and the largest drained count. */
  minServing: number;
  maxDrained: number;
  incidentOpened: boolean;
  incidentClosed: boolean;
  eastDrained: boolean;
  eastBack: boolean;
  requests: string[];
  /** Handler attempts that failed and were redelivered, per function. */
  retries: Record<string, number>;
}

/** The alert policy on us-east4's error ratio, notifying the health-alerts topic (as bootstrap's do). */
async function alertPolicy(s: ChaosStack): Promise<void> {
  const { w, config } = s;
  const [channel] = await retried(() =>
    w.gcp.monitoring.notificationChannels.createNotificationChannel({
      name: `projects/${config.project}`,
      notificationChannel: {
        type: 'pubsub',
        displayName: 'georoute chaos',
        labels: { topic: `projects/${config.project}/topics/${config.pubsub.healthAlerts}` },
      },
    }),
  );
  await retried(() =>
    w.gcp.monitoring.alertPolicies.createAlertPolicy({
      name: `projects/${config.project}`,
      alertPolicy: {
        displayName: 'georoute us-east4 error ratio (chaos)',
        combiner: 'OR',
        userLabels: { 'georoute-region': 'us-east4', 'georoute-alert': 'error-ratio' },
        conditions: [
          {
            displayName: 'error ratio > 0.05',
            conditionThreshold: {
              filter: `metric.type = "${ERROR_RATIO}" AND resource.type = "global" AND metric.labels.region = "us-east4"`,
              aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MEAN' }],
              comparison: 'COMPARISON_GT',
              thresholdValue: 0.05,
              duration: { seconds: 60 },
              trigger: { count: 1 },
            },
          },
        ],
        notificationChannels: [channel.name as string],
        alertStrategy: { autoClose: { seconds: 1800 } },
      },
    }),
  );
}

/**
 * The e2e outage (test/e2e/outage.test.ts) end to end through Monitoring → Pub/Sub → push →
 * functions, with two capacity requests on the way: alert policy → incident → healthAlert → drain →
 * recovery → ramp, with reconcile ticks. Every step waits for georoute to get there, however many
 * redeliveries the injected faults cost.
 */
export async function runOutage(
  s: ChaosStack,
  options: { aroundCapacity?: <T>(work: () => Promise<T>) => Promise<T> } = {},
): Promise<OutageRun> {
  const { w, fx, config } = s;
  const run: OutageRun = {
    ticks: 0,
    minServing: config.regions.length,
    maxDrained: 0,
    incidentOpened: false,
    incidentClosed: false,
    eastDrained: false,
    eastBack: false,
    requests: [],
    retries: {},
  };
  const look = async () => {
    const sc = await scalers(s);
    const drained = Object.values(sc).filter((v) => v === 0).length;
    run.maxDrained = Math.max(run.maxDrained, drained);
    run.minServing = Math.min(run.minServing, Object.values(sc).length - drained);
    return sc;
  };
  const doTick = async () => {
    run.ticks++;
    await tick(s);
    await look();
  };
  const hold = async (value: number, seconds: number) => {
    for (let t = 0; t < seconds; t += 30) {
      w.advance(30_000);
      await writeErrorRatio(s, ERROR_RATIO, 'us-east4', value);
    }
  };
  const around = options.aroundCapacity ?? (<T>(work: () => Promise<T>) => work());
  const capacity = (requestId: string, body: Record<string, unknown>) => around(() => request(requestId, body));
  const request = async (requestId: string, body: Record<string, unknown>) => {
    run.requests.push(requestId);
    await retried(() =>
      fx.publish(config.pubsub.capacityRequests, { requestId, accelerator: 'nvidia-l4', reason: 'chaos', ...body }),
    );
    await waitFor(
      s,
      async () =>
        (await fx.messages(config.pubsub.capacityResults)).find((m) => JSON.parse(m.text).requestId === requestId),
      { advanceMs: 2_000, what: `an answer to ${requestId}` },
    );
  };

  await alertPolicy(s);
  await retried(() => w.setLoad(LOAD));
  await hold(0.01, 60);
  await doTick();
  await capacity('chaos-before', { region: 'us-central1', replicas: 2, durationMinutes: 10 });

  // The outage: the policy opens an incident, Monitoring publishes it, healthAlert records it.
  await hold(0.6, 150);
  await waitFor(
    s,
    () =>
      fx.logs.find(
        (l) =>
          l.function === 'healthAlert' && String(l.decision).startsWith('incident open') && l.region === 'us-east4',
      ),
    { advanceMs: 2_000, what: 'the open incident handled' },
  );
  run.incidentOpened = true;
  for (let i = 0; i < 10 && !run.eastDrained; i++) {
    run.eastDrained = (await look())['us-east4'] === 0;
    if (!run.eastDrained) await doTick();
  }
  await capacity('chaos-during', { near: 'us-east4', replicas: 2, durationMinutes: 10 });

  // Recovery: the closing incident, then the ramp.
  await retried(() => w.setLoad(LOAD));
  await hold(0.0, 150);
  await waitFor(
    s,
    () =>
      fx.logs.find(
        (l) =>
          l.function === 'healthAlert' && String(l.decision).startsWith('incident closed') && l.region === 'us-east4',
      ),
    { advanceMs: 2_000, what: 'the closing incident handled' },
  );
  run.incidentClosed = true;
  for (let i = 0; i < 20 && !run.eastBack; i++) {
    w.advance(61_000);
    await doTick();
    run.eastBack = (await look())['us-east4'] === 1;
  }
  for (const fn of ['capacityRequest', 'healthAlert', 'reconcile']) {
    run.retries[fn] = fx.logs.filter((l) => l.function === fn && l.decision === 'retry').length;
  }
  return run;
}

/** Every answer published per capacity request id. */
export async function answers(s: ChaosStack, ids: string[]): Promise<Record<string, Array<Record<string, unknown>>>> {
  const all = (await s.fx.messages(s.config.pubsub.capacityResults)).map(
    (m) => JSON.parse(m.text) as Record<string, unknown>,
  );
  return Object.fromEntries(ids.map((id) => [id, all.filter((a) => a.requestId === id)]));
}
