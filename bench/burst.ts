import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { BURST_REGIONS, burstConfig } from './configs';
import type { Section } from './report';
import { msSince, summarize } from './stats';
import { type BenchWorld, startBenchWorld } from './world';

const REQUESTS = 1_000;
const WRITE_TARGET_PER_REGION = 3;

interface Instance {
  child: ChildProcess;
  url: string;
  logs: string[];
}

/** Starts a function instance (a child process serving `capacityRequest`) against the world. */
function startInstance(w: BenchWorld): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'children', 'serve.js'), 'capacityRequest'], {
      env: { ...process.env, ...w.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('{')) logs.push(l);
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /\{"ports".*\}/.exec(err);
      if (m)
        resolve({
          child,
          url: `http://127.0.0.1:${(JSON.parse(m[0]) as { ports: { capacityRequest: number } }).ports.capacityRequest}/`,
          logs,
        });
    });
    child.on('exit', (code) => reject(new Error(`function instance exited ${code}: ${err.slice(-1000)}`)));
  });
}

async function subscribe(w: BenchWorld, url: string): Promise<void> {
  const p = w.config.pubsub;
  for (const topic of [p.capacityRequests, p.capacityResults, p.deadLetter]) {
    const [exists] = await w.gcp.pubsub.topic(topic).exists();
    if (!exists) await w.gcp.pubsub.createTopic(topic);
  }
  await w.gcp.pubsub.topic(p.capacityRequests).createSubscription(`${p.capacityRequests}-push`, {
    pushConfig: { pushEndpoint: url },
    ackDeadlineSeconds: 60,
    deadLetterPolicy: {
      deadLetterTopic: `projects/${w.config.project}/topics/${p.deadLetter}`,
      maxDeliveryAttempts: 5,
    },
    retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } },
  });
}

async function results(w: BenchWorld): Promise<Array<{ requestId: string; status: string }>> {
  const messages = await w.control.topicMessages(w.config.pubsub.capacityResults, w.config.project);
  return messages.map((m) => JSON.parse(m.text) as { requestId: string; status: string });
}

const request = (run: number, i: number) => ({
  requestId: `burst-${run}-${i}`,
  region: BURST_REGIONS[i % BURST_REGIONS.length],
  accelerator: 'nvidia-l4',
  replicas: 1 + (i % 3),
  durationMinutes: 60,
  reason: 'benchmark burst',
});

interface BurstRun {
  singleMs: number;
  burstMs: number;
  answered: number;
  answeredTwice: number;
  lost: number;
  statuses: Record<string, number>;
  writesPerRegion: Record<string, number>;
  ledgerWrites: number;
  conflicts: number;
  schedulesPerRegion: Record<string, number>;
  reconciles: number;
  duplicatesDecided: number;
}

async function oneRun(run: number, duplicates: number): Promise<BurstRun> {
  const w = await startBenchWorld(burstConfig());
  const instance = await startInstance(w);
  try {
    await subscribe(w, instance.url);
    const topic = w.gcp.pubsub.topic(w.config.pubsub.capacityRequests);
    const waitFor = async (ids: Set<string>, timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = new Set((await results(w)).map((r) => r.requestId));
        if ([...ids].every((id) => got.has(id))) return;
        if (Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // Baseline: one request alone, publish → answer (the instance warmed up by it: clients built).
    let t = process.hrtime.bigint();
    await topic.publishMessage({
      json: { ...request(run, 0), requestId: `single-${run}`, region: BURST_REGIONS[0], replicas: 1 },
    });
    await waitFor(new Set([`single-${run}`]), 60_000);
    const singleMs = msSince(t);
    const single = (await results(w)).find((r) => r.requestId === `single-${run}`);
    if (single?.status !== 'granted')
      throw new Error(`the baseline request was not granted: ${JSON.stringify(single)}`);
    await w.control.flush();
    if (duplicates > 1) await w.control.setDelivery({ duplicates });

    const mark = w.mark();
    const logMark = instance.logs.length;
    const ids = new Set<string>();
    t = process.hrtime.bigint();
    const publishes: Array<Promise<string>> = [];
    for (let i = 0; i < REQUESTS; i++) {
      const body = request(run, i);
      ids.add(body.requestId);
      publishes.push(topic.publishMessage({ json: body }));
    }
    await Promise.all(publishes);
    const publishMs = msSince(t);
    if (publishMs > 1_000) process.stderr.write(`warning: publishing took ${publishMs.toFixed(0)} ms (> 1 s)\n`);
    await waitFor(ids, 8 * 60_000);
    const burstMs = msSince(t);
    await w.control.flush(); // duplicates still in flight finish
    await w.control.setDelivery({ duplicates: 1 });

    const answers = (await results(w)).filter((r) => ids.has(r.requestId));
    const per = new Map<string, number>();
    for (const a of answers) per.set(a.requestId, (per.get(a.requestId) ?? 0) + 1);
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const requests = w.requestsSince(mark);
    const writesPerRegion: Record<string, number> = {};
    for (const r of BURST_REGIONS) writesPerRegion[r] = 0;
    for (const q of requests) {
      const m = /\/regions\/([^/]+)\/autoscalers/.exec(q.path);
      if (m && q.write && q.method === 'PATCH')
        writesPerRegion[m[1] as string] = (writesPerRegion[m[1] as string] ?? 0) + 1;
    }
    const bsPatches = requests.filter(
      (q) =>
        q.write && q.method === 'PATCH' && q.path.includes(`/backendServices/${w.config.loadBalancer.backendService}`),
    );
    const ledgerWrites = bsPatches.filter((q) => q.status < 300).length;
    const conflicts = bsPatches.filter((q) => q.status === 412).length;
    const schedulesPerRegion: Record<string, number> = {};
    for (const region of w.config.regions) {
      const [a] = await w.gcp.compute.regionAutoscalers.get({
        project: w.config.project,
        region: region.name,
        autoscaler: region.autoscaler,
      });
      schedulesPerRegion[region.name] = Object.keys(a.autoscalingPolicy?.scalingSchedules ?? {}).length;
    }
    const logs = instance.logs.slice(logMark).map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      singleMs,
      burstMs,
      answered: per.size,
      answeredTwice: [...per.values()].filter((n) => n > 1).length,
      lost: [...ids].filter((id) => !per.has(id)).length,
      statuses,
      writesPerRegion,
      ledgerWrites,
      conflicts,
      schedulesPerRegion,
      reconciles: logs.filter((l) => l.decision === 'summary').length,
      duplicatesDecided: logs.filter((l) => l.function === 'capacityRequest' && l.decision === 'duplicate').length,
    };
  } finally {
    instance.child.kill();
    await w.close();
  }
}

/** 3. 1,000 capacity requests for the L4 regions published within 1 s to one function instance. */
export async function burst(reps: number): Promise<Section> {
  const runs: BurstRun[] = [];
  const count = Math.max(1, Math.min(2, reps));
  for (let i = 0; i < count; i++) runs.push(await oneRun(i, 2));
  const writes = runs.map((r) => Object.values(r.writesPerRegion).reduce((s, n) => s + n, 0));
  const maxPerRegion = Math.max(...runs.flatMap((r) => Object.values(r.writesPerRegion)));
  const perRequest = runs.map((r) => r.burstMs / REQUESTS);
  const notes = runs.flatMap((r, i) => [
    `run ${i + 1}: ${r.answered} of ${REQUESTS} requests answered (${r.lost} lost, ${r.answeredTwice} answered more than once); ` +
      `statuses ${JSON.stringify(r.statuses)}; ${r.duplicatesDecided} duplicate deliveries recognised`,
    `run ${i + 1}: autoscaler writes per region ${JSON.stringify(r.writesPerRegion)}; scaling schedules per autoscaler after the burst ${JSON.stringify(r.schedulesPerRegion)}; ` +
      `backend-service writes (ledger claims + the reconciles' LB writes) ${r.ledgerWrites}, plus ${r.conflicts} refused with 412 (lost fingerprint races, re-read and retried); reconciles run ${r.reconciles}`,
  ]);
  return {
    id: 'burst',
    title: '3. Burst of capacity requests',
    method:
      `${REQUESTS} capacity requests (the ${BURST_REGIONS.length} L4 regions of bench/configs.ts \`burstConfig\`, round-robin; 1–3 replicas; ` +
      '60 minutes) published within 1 s through the official Pub/Sub client, delivered by the emulator’s push ' +
      'subscription (at most 16 in flight, as Eventarc-style push) to ONE function instance (a child process running ' +
      'functions-framework on the deployed entry), with every message delivered twice (`duplicates: 2`). Answers ' +
      'are counted on the results topic; writes from the emulator request log. Baseline: one request alone, ' +
      `publish → answer, on the same instance just before the burst. Without coalescing each request makes its own ` +
      'autoscaler patch and its own ledger claim (≈ 1 write per request and region placed).',
    rows: [
      { label: 'one request alone, publish → answer', unit: 'ms', samples: runs.map((r) => r.singleMs) },
      {
        label: `${REQUESTS} requests, first publish → last answer`,
        unit: 'ms',
        samples: runs.map((r) => r.burstMs),
        baseline: 'one request alone, publish → answer',
      },
      {
        label: 'burst time per request',
        unit: 'ms',
        samples: perRequest,
        baseline: 'one request alone, publish → answer',
      },
      {
        label: 'autoscaler writes (all regions)',
        unit: 'writes',
        absolute: true,
        samples: writes,
        target: `≤ ${WRITE_TARGET_PER_REGION} per region (max ${maxPerRegion})`,
        met: maxPerRegion <= WRITE_TARGET_PER_REGION,
      },
      {
        label: 'requests answered exactly once',
        unit: '',
        absolute: true,
        samples: runs.map((r) => r.answered - r.answeredTwice),
        target: `${REQUESTS}, none lost`,
        met: runs.every((r) => r.answered === REQUESTS && r.answeredTwice === 0 && r.lost === 0),
      },
    ],
    notes: [...notes, `median burst: ${summarize(runs.map((r) => r.burstMs)).median.toFixed(0)} ms`],
  };
}
