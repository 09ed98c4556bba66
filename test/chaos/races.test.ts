import { handleHealthAlert } from '../../shared/handlers/health-alert';
import { type ReconcileResult, reconcile } from '../../shared/reconcile/reconcile';
import { readBackendNote } from '../../shared/state/notes';
import { deliver, incidentEvent, recordingRuntime } from '../helpers/events';
import { testConfig } from '../helpers/stack';
import { startWorld, type World } from '../helpers/world';
import { FULL, size, writeFigures } from './helpers/report';

/**
 * 4 reconciles and 2 healthAlert handlers at once against the same project, round after round, while
 * the world changes under them (backends go unhealthy and recover, incidents open and close).
 * Writes are held a little so that they overlap. Nothing may be lost: every incident sent is in the
 * backend notes as sent, every precondition race (412/409) is resolved by re-reading, and the end
 * state is the plan.
 */
jest.setTimeout(FULL ? 900_000 : 60_000);
const config = testConfig();
const ROUNDS = size(12, 200);
const REGIONS = config.regions.map((r) => r.name);
const MAX_DRAINED = Math.min(Math.floor(config.guardrails.maxDrainFraction * REGIONS.length), REGIONS.length - 1);
let w: World;

beforeAll(async () => {
  w = await startWorld(config);
});
afterAll(async () => {
  await w?.close();
});

async function backendNotes() {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return Object.fromEntries(
    (bs.backends ?? []).map((b) => [
      /regions\/([^/]+)\//.exec(b.group ?? '')?.[1] as string,
      { scaler: b.capacityScaler ?? 1, note: readBackendNote(b.description) },
    ]),
  );
}

test(`${ROUNDS} rounds of 4 reconciles + 2 event handlers: no lost update, the end state is the plan`, async () => {
  const rt = recordingRuntime(config, w.deps);
  const figures = {
    rounds: ROUNDS,
    reconciles: 0,
    handlers: 0,
    preconditionFailures: 0,
    resolvedByReRead: 0,
    reconcileErrors: 0,
    handlerRedeliveries: 0,
    lostIncidents: 0,
    maxDrained: 0,
    minServing: REGIONS.length,
  };
  await reconcile(w.deps, config, { kind: 'tick', eventId: 'warm-up' });
  // Every Compute write waits a moment: the six writers read the same fingerprint before any writes.
  await w.control.addFault({ api: 'compute', method: 'PATCH', latencyMs: 15, jitterMs: 25 });
  const mark = await w.control.mark();
  let previous: { id: string; region: string } | undefined;

  for (let round = 0; round < ROUNDS; round++) {
    w.advance(61_000);
    // The world moves: one region's backends flip health now and then.
    if (round % 3 === 0) {
      const region = REGIONS[(round / 3) % REGIONS.length] as string;
      const health = round % 2 === 0 ? 'UNHEALTHY' : 'auto';
      await w.control.setHealth({ region, health });
    }
    const opened = { id: `race-${round}`, region: REGIONS[(round * 7) % REGIONS.length] as string };
    const now = w.emu.ctx.clock.now();
    const ticks = Array.from({ length: 4 }, (_, k) =>
      reconcile(w.deps, config, { kind: 'tick', eventId: `r${round}-t${k}` }),
    );
    const events = [
      deliver(() => handleHealthAlert(rt, incidentEvent(opened.id, 'open', opened.region, now))),
      previous
        ? deliver(() => handleHealthAlert(rt, incidentEvent(previous!.id, 'closed', previous!.region, now)))
        : deliver(() => handleHealthAlert(rt, incidentEvent('race-warm', 'closed', opened.region, now))),
    ];
    const results: ReconcileResult[] = await Promise.all(ticks);
    const handled = await Promise.all(events);
    figures.reconciles += 4;
    figures.handlers += 2;
    figures.resolvedByReRead += results.reduce((n, r) => n + r.retries, 0);
    figures.reconcileErrors += results.reduce((n, r) => n + r.errors.length, 0);
    figures.handlerRedeliveries += handled.reduce((n, h) => n + h.redeliveries, 0);
    for (const h of handled) expect(h.result.decision).toMatch(/^incident (open|closed)/);

    // No lost update: the incident opened this round is open, the one closed is closed.
    const notes = await backendNotes();
    const lost =
      !(opened.id in (notes[opened.region]?.note.open ?? {})) ||
      (previous !== undefined && !(previous.id in (notes[previous.region]?.note.closed ?? {})));
    if (lost) figures.lostIncidents++;
    expect(lost).toBe(false);
    const drained = Object.values(notes).filter((n) => n.scaler === 0).length;
    figures.maxDrained = Math.max(figures.maxDrained, drained);
    figures.minServing = Math.min(figures.minServing, REGIONS.length - drained);
    expect(drained).toBeLessThanOrEqual(MAX_DRAINED);
    previous = opened;
  }

  const { requests } = await w.control.requests({ since: mark });
  figures.preconditionFailures = requests.filter((r) => r.status === 412 || r.status === 409).length;
  await w.control.clearFaults();
  // The end state is the plan: one more reconcile finds nothing to do and the live scalers are its plan.
  w.advance(2_000);
  // Weights move toward the plan by at most maxWeightShiftPerStep per reconcile: a few steps.
  let settleSteps = 0;
  for (let i = 0; i < 10; i++) {
    w.advance(61_000);
    const step = await reconcile(w.deps, config, { kind: 'tick', eventId: `settle-${i}` });
    expect(step.errors).toEqual([]);
    settleSteps++;
    if (step.actions.length === 0) break;
  }
  const check = await reconcile(w.deps, config, { kind: 'tick', eventId: 'check' });
  expect(check.errors).toEqual([]);
  expect(check.actions).toEqual([]);
  const live = await backendNotes();
  for (const region of REGIONS) expect(live[region]?.scaler).toBe(check.plan.regions[region]?.capacityScaler);
  expect(figures.preconditionFailures).toBeGreaterThan(0); // the races really happened…
  expect(figures.resolvedByReRead).toBeGreaterThan(0); // …and were resolved by re-reading
  writeFigures('races', { ...figures, settleSteps, finalChangesNeeded: check.actions.length });
});
