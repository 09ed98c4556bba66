import { incident } from '../helpers/incidents';
import { testConfig } from '../helpers/stack';
import { answers, LOAD } from './helpers/outage';
import { FULL, secretLeaks, size, writeFigures } from './helpers/report';
import { type ChaosStack, endState, retried, settle, startChaosStack, waitFor } from './helpers/stack';

/**
 * The same burst of messages (capacity requests, an incident opening and closing, ticks) delivered
 * once in order, then with every message pushed 3× and shuffled: same end state, exactly one
 * answer per capacity request.
 */
jest.setTimeout(FULL ? 600_000 : 90_000);
// A GPU budget that never binds: with a binding budget, which of two racing requests gets the last
// GPUs depends on arrival order, by design — that is not what this suite is about.
const config = testConfig({ gpuBudget: { maxTotalAccelerators: 200 } });
const REQUESTS = size(5, 24);

/** Requests that never touch us-east4 (the incident's region), so their placement cannot depend on order. */
function requests(): Array<Record<string, unknown>> {
  const shapes = [
    { region: 'us-central1', replicas: 1 },
    { near: 'us-west1', replicas: 1 },
    { region: 'europe-west4', replicas: 1 },
    { near: 'europe-west1', replicas: 2 },
  ];
  return Array.from({ length: REQUESTS }, (_, i) => ({
    requestId: `burst-${i}`,
    accelerator: 'nvidia-l4',
    reason: 'delivery chaos',
    ...shapes[i % shapes.length],
  }));
}

interface Run {
  state: Record<string, unknown>;
  answers: Record<string, Array<Record<string, unknown>>>;
  published: number;
  delivered: number;
  handled: Record<string, number>;
  leaks: number;
}

async function burst(duplicates: number, shuffle: boolean): Promise<Run> {
  const s: ChaosStack = await startChaosStack(config);
  try {
    await s.w.control.setDelivery({ duplicates, shuffle });
    await retried(() => s.w.setLoad(LOAD));
    const { fx } = s;
    const now = s.w.emu.ctx.clock.now();
    const p = config.pubsub;
    const ids: string[] = [];
    for (const r of requests()) {
      ids.push(r.requestId as string);
      await fx.publish(p.capacityRequests, r);
    }
    await fx.publish(p.healthAlerts, incident('burst-incident', 'open', 'us-east4', now - 60_000));
    await fx.publish(p.reconcile, { kind: 'tick' });
    // Every copy handled (each logs one decision line).
    const handledAll = (count: number) =>
      waitFor(
        s,
        () => {
          const done = fx.logs.filter((l) => typeof l.function === 'string' && /^[a-zA-Z]+: /.test(l.message));
          return done.filter((l) => l.decision !== 'retry').length >= count * duplicates || undefined;
        },
        { advanceMs: 2_000, timeoutMs: 60_000, what: 'every copy handled' },
      );
    await handledAll(REQUESTS + 2);
    // The incident ends a minute later (a close shuffled before its open would never drain: a
    // different, equally valid history — so the two are not published in the same burst).
    s.w.advance(61_000);
    await retried(() => s.w.setLoad(LOAD));
    await fx.publish(p.healthAlerts, incident('burst-incident', 'closed', 'us-east4', s.w.emu.ctx.clock.now()));
    await fx.publish(p.reconcile, { kind: 'tick' });
    const published = REQUESTS + 4;
    await handledAll(published);
    // Past the scale-in cooldown (600 s), with fresh load: the absorbing floors come back down.
    s.w.advance(11 * 60_000);
    await retried(() => s.w.setLoad(LOAD));
    // Scale-in comes down one cooldown (600 s) at a time: settle over two of them.
    await settle(s, 22, LOAD);
    const subs = await fx.subscriptions();
    const handled: Record<string, number> = {};
    for (const l of fx.logs) {
      if (typeof l.function !== 'string' || l.decision === undefined || !/^[a-zA-Z]+: /.test(l.message)) continue;
      const key = `${l.function}: ${String(l.decision)
        .split(':')[0]
        ?.replace(/ \d+ change\(s\)/, '')}`;
      handled[key] = (handled[key] ?? 0) + 1;
    }
    return {
      state: await endState(s),
      answers: await answers(s, ids),
      published,
      delivered: subs.reduce((n, x) => n + Number(x.delivered ?? 0), 0),
      handled,
      leaks: secretLeaks(fx.logs).length,
    };
  } finally {
    await s.w.control.setDelivery({ duplicates: 1, shuffle: false });
    await s.close();
  }
}

test('every message pushed 3× and shuffled: same end state, exactly one answer per capacity request', async () => {
  const once = await burst(1, false);
  const chaos = await burst(3, true);
  writeFigures('delivery', {
    messagesPublished: chaos.published,
    capacityRequests: REQUESTS,
    duplicates: 3,
    shuffle: true,
    pushDeliveries: chaos.delivered,
    decisions: chaos.handled,
    answersPerRequest: [...new Set(Object.values(chaos.answers).map((a) => a.length))],
    endStateEqualsSingleDelivery: JSON.stringify(chaos.state) === JSON.stringify(once.state),
    secretLeaks: chaos.leaks,
  });
  expect(chaos.delivered).toBeGreaterThanOrEqual(3 * chaos.published);
  for (const [id, list] of Object.entries(chaos.answers)) {
    expect({ id, n: list.length }).toEqual({ id, n: 1 });
    expect(list[0]?.placements).toEqual(once.answers[id]?.[0]?.placements);
  }
  expect(chaos.state).toEqual(once.state);
  expect(chaos.leaks).toBe(0);
});
