import type { RequestLogEntry } from '../emulator/core/request-log';
import { recordedDemand } from '../emulator/world/metrics';
import { regionalLb } from '../shared/config';
import { handleHealthAlert } from '../shared/handlers/health-alert';
import { createRuntime } from '../shared/handlers/runtime';
import { reconcile } from '../shared/reconcile/reconcile';
import { exampleConfig } from './configs';
import { incidentNotification, pubsubEvent } from './incident';
import type { Section } from './report';
import { msSince, summarize } from './stats';
import { type BenchWorld, countCalls, startBenchWorld } from './world';

const LATENCY_MS = 50;
const FAULTED_APIS = ['compute', 'dns', 'monitoring'] as const;

function callSummary(requests: RequestLogEntry[]): string {
  const calls = countCalls(requests);
  return Object.entries(calls)
    .map(
      ([api, c]) => `${api} ${c.reads} read(s), ${c.writes} write(s)${c.polls ? `, ${c.polls} operation poll(s)` : ''}`,
    )
    .join('; ');
}

/** Per resource (path without the query), reads and writes, for the "one read, at most one write" check. */
function perResource(requests: RequestLogEntry[]): Map<string, { reads: number; writes: number }> {
  const out = new Map<string, { reads: number; writes: number }>();
  for (const r of requests) {
    // getHealth is one read per instance group (the group is in the body, not the path).
    if (r.api === 'pubsub' || r.path.includes('/operations/') || r.path.endsWith('/getHealth')) continue;
    // A DNS record set is named in the query (name, type); a Compute resource by its path.
    const key = r.api === 'dns' ? r.path : (r.path.split('?')[0] as string);
    const c = out.get(key) ?? { reads: 0, writes: 0 };
    if (r.write) c.writes++;
    else c.reads++;
    out.set(key, c);
  }
  return out;
}

async function converge(w: BenchWorld, before: () => Promise<void> = async () => undefined): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await before();
    const r = await reconcile(w.deps, w.config, { kind: 'manual', eventId: `converge-${Date.now()}-${i}` });
    if (r.actions.length === 0 && r.errors.length === 0) return;
    w.advance(320_000);
  }
  throw new Error('the stack did not converge');
}

/** 5. A reconcile with nothing to change: API calls and wall time vs one backend-service GET. */
export async function atRest(reps: number): Promise<Section> {
  const w = await startBenchWorld(exampleConfig());
  try {
    await converge(w);
    const get = () =>
      w.gcp.compute.backendServices.get({
        project: w.config.project,
        backendService: w.config.loadBalancer.backendService,
      });
    await get();
    const runs = Math.max(5, reps * 3);
    const gets: number[] = [];
    const times: number[] = [];
    let calls = '';
    let writes = 0;
    const callCounts: number[] = [];
    const writeCounts: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint();
      await get();
      gets.push(msSince(t));
      const mark = w.mark();
      t = process.hrtime.bigint();
      const r = await reconcile(w.deps, w.config, { kind: 'tick', eventId: `rest-${i}` });
      times.push(msSince(t));
      const requests = w.requestsSince(mark);
      const w_ = requests.filter((q) => q.write).length + r.writes;
      writes += w_;
      writeCounts.push(w_);
      callCounts.push(requests.length);
      calls = `${requests.length} API calls: ${callSummary(requests)}`;
    }
    return {
      id: 'at-rest',
      title: '5. Reconcile at rest',
      method:
        'The 5-region example converged, then a full `reconcile()` (observe → plan → three actuators) with nothing ' +
        'to change, in-process against the emulator (no injected latency). Baseline: one `backendServices.get` ' +
        'round trip through the same official client, measured alternately in the same loop.',
      rows: [
        { label: 'backendServices.get round trip', unit: 'ms', samples: gets },
        {
          label: 'reconcile, nothing to change',
          unit: 'ms',
          samples: times,
          baseline: 'backendServices.get round trip',
        },
        { label: 'API calls per reconcile', unit: 'calls', absolute: true, samples: callCounts },
        {
          label: 'writes per reconcile',
          unit: '',
          absolute: true,
          samples: writeCounts,
          target: '0',
          met: writes === 0,
        },
      ],
      notes: [`per reconcile: ${calls}`, `writes over ${runs} reconciles at rest: ${writes} (target 0)`],
    };
  } finally {
    await w.close();
  }
}

/** 2. Incident → drain + DNS + neighbours' floors, with 0 and 50 ms injected on every API call. */
export async function failover(reps: number): Promise<Section> {
  const w = await startBenchWorld(exampleConfig());
  const rt = createRuntime({ config: w.config, deps: w.deps, publish: async () => 'unused' });
  const region = 'us-east4';
  // Load that the remaining US regions can absorb only with more replicas: the failover raises their floors.
  const first = w.config.regions[0] as (typeof w.config.regions)[number];
  const setLoad = async () => {
    const load = Object.fromEntries(w.config.clientLocations.map((l) => [l.location, (l.expectedRps ?? 4) * 1.5]));
    const at = { region: first.name, forwardingRule: regionalLb(first).forwardingRule };
    w.emu.monitoring.write(w.config.project, recordedDemand(w.config.project, at, load, w.emu.ctx.clock.now()));
  };
  const rows = { base: [] as number[], slow: [] as number[] };
  // Per failover: resources read more than once, written more than once, and writes of the same event again.
  const economy = { multiRead: [] as number[], multiWrite: [] as number[], repeatWrites: [] as number[] };
  const notes: string[] = [];
  try {
    const runs = Math.max(3, reps);
    for (let i = 0; i < runs; i++) {
      for (const latency of [0, LATENCY_MS]) {
        await converge(w, setLoad); // the load metric is fresh at every step (it covers the last 5 minutes)
        w.advance(1_000_000); // past every cooldown, so the failover may move every floor it wants
        await converge(w, setLoad);
        const ids = latency ? FAULTED_APIS.map((api) => w.emu.ctx.faults.add({ api, latencyMs: latency })) : [];
        const incidentId = `bench-${i}-${latency}`;
        const event = pubsubEvent(
          incidentNotification(w.config.project, incidentId, 'open', region, w.emu.ctx.clock.now()),
        );
        const mark = w.mark();
        const t = process.hrtime.bigint();
        const outcome = await handleHealthAlert(rt, event);
        const ms = msSince(t);
        const requests = w.requestsSince(mark);
        const mark2 = w.mark();
        const logMark = w.logs.length;
        const again = await handleHealthAlert(rt, event); // the same delivery again (Pub/Sub at-least-once)
        const repeated = w.requestsSince(mark2);
        const repeatedWrites = w.logs
          .slice(logMark)
          .filter((l) => l.decision === 'write')
          .map((l) => `${String(l.actuator)}: ${l.message.slice(0, 160)}`);
        for (const id of ids) w.emu.ctx.faults.remove(id);
        (latency ? rows.slow : rows.base).push(ms);
        const res = perResource(requests);
        // The request log drops the query, so the geo record and its weights TXT (one read each) share
        // the `…/rrsets` path, and the regional and global load balancers' request counts (one query per
        // metric type: timeSeries.list takes exactly one) share `…/timeSeries`: not counted as one
        // resource read twice.
        const multiRead = [...res]
          .filter(([k, c]) => c.reads > 1 && !k.endsWith('/rrsets') && !(k.endsWith('/timeSeries') && c.reads <= 2))
          .map(([k, c]) => `${k.split('/').slice(-2).join('/')} ×${c.reads}`);
        const multiWrite = [...res].filter(([, c]) => c.writes > 1).map(([k]) => k);
        economy.multiRead.push(multiRead.length);
        economy.multiWrite.push(multiWrite.length);
        economy.repeatWrites.push(repeated.filter((r) => r.write).length);
        if (i === 0) {
          notes.push(
            `${latency} ms injected — decision: ${String(outcome.decision)}, ${String(outcome.actions)} action(s); ` +
              `${requests.length} API calls: ${callSummary(requests)}; resources read more than once: ` +
              `${multiRead.length ? multiRead.join(', ') : 'none'}; written more than once: ${multiWrite.length ? multiWrite.join(', ') : 'none'}`,
            `${latency} ms injected — the same event again: ${String(again.decision)}; ${repeated.filter((r) => r.write).length} write(s) (target 0); ${callSummary(repeated)}${repeatedWrites.length ? ` — written: ${repeatedWrites.join(' / ')}` : ''}`,
          );
        }
        // Back to the start: the incident closes and the region ramps back in.
        await handleHealthAlert(
          rt,
          pubsubEvent(incidentNotification(w.config.project, incidentId, 'closed', region, w.emu.ctx.clock.now())),
        );
        w.advance(1_000_000);
      }
    }
    const target = 4 * LATENCY_MS + 100;
    const slow = summarize(rows.slow).median;
    return {
      id: 'failover',
      title: '2. Failover reaction',
      method:
        `The 5-region example with load that needs the neighbours to grow; an open incident on ${region} handled by ` +
        'the `healthAlert` handler in-process (from the CloudEvent to the return: the backend drained, the geo record ' +
        "rewritten, the neighbours' floors raised, every Compute operation waited for). The emulator injects a fixed " +
        `${LATENCY_MS} ms on every Compute, Cloud DNS and Monitoring call (fault rule \`{latencyMs: ${LATENCY_MS}}\`). ` +
        'Baseline: the same failover with 0 ms injected, alternated with it in the same run; the stack is restored and ' +
        'converged before each run. API calls are counted from the emulator request log.',
      rows: [
        { label: 'failover, 0 ms injected', unit: 'ms', samples: rows.base },
        {
          label: `failover, ${LATENCY_MS} ms per call`,
          unit: 'ms',
          samples: rows.slow,
          baseline: 'failover, 0 ms injected',
          target: `≤ ${target} ms`,
          met: slow <= target,
        },
        {
          label: 'resources read more than once, per failover',
          unit: '',
          absolute: true,
          samples: economy.multiRead,
          target: 'one read per touched resource (0)',
          met: Math.max(...economy.multiRead) === 0,
        },
        {
          label: 'resources written more than once, per failover',
          unit: '',
          absolute: true,
          samples: economy.multiWrite,
          target: 'at most one write per resource (0)',
          met: Math.max(...economy.multiWrite) === 0,
        },
        {
          label: 'writes for the same event again',
          unit: '',
          absolute: true,
          samples: economy.repeatWrites,
          target: '0',
          met: Math.max(...economy.repeatWrites) === 0,
        },
      ],
      notes,
    };
  } finally {
    await w.close();
  }
}
