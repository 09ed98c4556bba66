import type { FaultRule } from '../../emulator/core/faults';
import { testConfig } from '../helpers/stack';
import { answers, LOAD, type OutageRun, runOutage } from './helpers/outage';
import { FULL, secretLeaks, size, writeFigures } from './helpers/report';
import { type ChaosStack, endState, linesOf, settle, startChaosStack, tick, waitFor } from './helpers/stack';

/**
 * The whole outage scenario three times: without faults, with 20 % of Compute, DNS and Monitoring
 * calls failing (429/500/503 + jitter), and with writes whose answer is lost after they were applied
 * (`afterApply`). Functions throw on transient faults and Pub/Sub redelivers. The end state must equal
 * the fault-free run's, no incident may be lost, and every capacity request gets exactly one answer.
 */
jest.setTimeout(FULL ? 900_000 : 120_000);
const config = testConfig();
// Scale-in comes down one cooldown (600 s) at a time: settle over two of them (61 s a tick).
const SETTLE = 22;

interface RunResult {
  run: OutageRun;
  state: Record<string, unknown>;
  answers: Record<string, Array<Record<string, unknown>>>;
  injected: number;
  calls: number;
  byStatus: Record<string, number>;
  settleTicks: number;
  deadLetters: number;
  logLines: number;
  leaks: string[];
}

async function scenario(
  rules: FaultRule[],
  aroundCapacity?: (s: ChaosStack) => <T>(work: () => Promise<T>) => Promise<T>,
): Promise<RunResult> {
  const s: ChaosStack = await startChaosStack(config);
  try {
    await s.w.servedForAWhile();
    const mark = await s.w.control.mark();
    for (const rule of rules) await s.w.control.addFault(rule);
    const run = await runOutage(s, { aroundCapacity: aroundCapacity?.(s) });
    // Past the capacity requests' 10 minutes, so both runs settle with them expired.
    s.w.advance(11 * 60_000);
    const settleTicks = await settle(s, SETTLE, LOAD);
    await s.w.control.clearFaults();
    const { requests } = await s.w.control.requests({ since: mark });
    const apis = requests.filter((r) => r.api === 'compute' || r.api === 'dns' || r.api === 'monitoring');
    const byStatus: Record<string, number> = {};
    for (const r of apis.filter((x) => x.injected)) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    return {
      run,
      state: await endState(s),
      answers: await answers(s, run.requests),
      injected: apis.filter((r) => r.injected).length,
      calls: apis.length,
      byStatus,
      settleTicks,
      deadLetters: (await s.fx.messages(config.pubsub.deadLetter)).length,
      logLines: s.fx.logs.length,
      leaks: secretLeaks(s.fx.logs),
    };
  } finally {
    await s.close();
  }
}

const chaos = (api: 'compute' | 'dns' | 'monitoring'): FaultRule => ({
  api,
  statuses: [429, 500, 503],
  probability: 0.2,
  jitterMs: size(20, 200),
});
/** Writes applied but answered with an error: the answer is lost after the commit. */
const lostAnswers = (rule: FaultRule): FaultRule => ({
  writes: true,
  statuses: [500, 503],
  probability: 0.3,
  afterApply: true,
  ...rule,
});
const BACKEND_SERVICE_WRITE: FaultRule = {
  id: 'bs-lost-answer',
  api: 'compute',
  method: 'PATCH',
  pathPattern: '/global/backendServices/',
};

let clean: RunResult;
const runs: Record<string, RunResult> = {};

beforeAll(async () => {
  clean = await scenario([]);
});

afterAll(() => {
  const summary = (r: RunResult) => ({
    apiCalls: r.calls,
    injectedFailures: r.injected,
    injectedByStatus: r.byStatus,
    handlerRetries: r.run.retries,
    ticks: r.run.ticks + r.settleTicks,
    incidentOpenedAndClosed: r.run.incidentOpened && r.run.incidentClosed,
    drainedThenBack: r.run.eastDrained && r.run.eastBack,
    answersPerRequest: Object.fromEntries(Object.entries(r.answers).map(([k, v]) => [k, v.length])),
    deadLetters: r.deadLetters,
    endStateEqualsFaultFree: JSON.stringify(r.state) === JSON.stringify(clean?.state),
    logLinesScanned: r.logLines,
    secretLeaks: r.leaks.length,
  });
  writeFigures('api-faults', {
    faultFree: clean && summary(clean),
    ...Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, summary(r)])),
  });
});

test('fault-free run: the outage is drained, rerouted and recovered; one answer per request', () => {
  expect(clean.run).toMatchObject({ incidentOpened: true, incidentClosed: true, eastDrained: true, eastBack: true });
  for (const list of Object.values(clean.answers)) expect(list).toHaveLength(1);
  expect(clean.deadLetters).toBe(0);
});

async function expectSameAsFaultFree(r: RunResult): Promise<void> {
  expect(r.injected).toBeGreaterThan(0);
  // No incident lost: it was recorded, drained the region, closed, and the region came back.
  expect(r.run).toMatchObject({ incidentOpened: true, incidentClosed: true, eastDrained: true, eastBack: true });
  expect(r.run.minServing).toBeGreaterThanOrEqual(1);
  // No request lost, none answered twice, and the same answer as without faults.
  const strip = (a: Record<string, unknown> | undefined) => ({ status: a?.status, placements: a?.placements });
  for (const [id, list] of Object.entries(r.answers)) {
    expect({ id, n: list.length }).toEqual({ id, n: 1 });
    expect(strip(list[0])).toEqual(strip(clean.answers[id]?.[0]));
  }
  expect(r.deadLetters).toBe(0);
  expect(r.state).toEqual(clean.state);
  expect(r.leaks).toEqual([]);
}

test('20 % of Compute, DNS and Monitoring calls fail (429/500/503 + jitter) → same end state, nothing lost', async () => {
  const r = await scenario([chaos('compute'), chaos('dns'), chaos('monitoring')]);
  runs.transientFaults = r;
  await expectSameAsFaultFree(r);
});

test('30 % of Compute and DNS writes applied but answered 500/503 (afterApply) → same end state', async () => {
  const r = await scenario([
    lostAnswers({ api: 'compute', pathPattern: '/regions/[^/]+/autoscalers' }),
    lostAnswers(BACKEND_SERVICE_WRITE),
    lostAnswers({ api: 'dns' }),
  ]);
  runs.lostAnswers = r;
  await expectSameAsFaultFree(r);
});

test('a capacity request whose ledger claim is applied but answered 503 is still answered exactly once', async () => {
  const s = await startChaosStack(config);
  try {
    await tick(s); // converged: the next backend-service write is the request's claim
    await s.w.control.addFault({ ...lostAnswers(BACKEND_SERVICE_WRITE), probability: 1, count: 1 });
    const id = await s.fx.publish(config.pubsub.capacityRequests, {
      requestId: 'claim-lost',
      region: 'us-central1',
      accelerator: 'nvidia-l4',
      replicas: 1,
    });
    // The claim's 503 came after the commit: the handler re-reads, finds its own claim token, answers.
    await waitFor(s, () => linesOf(s.fx.logs, 'capacityRequest', id).find((l) => l.decision !== 'retry'), {
      advanceMs: 2_000,
      what: 'the request handled',
    });
    expect((await answers(s, ['claim-lost']))['claim-lost']).toHaveLength(1);
  } finally {
    await s.close();
  }
});
