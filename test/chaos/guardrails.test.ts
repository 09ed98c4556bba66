import { handleHealthAlert } from '../../shared/handlers/health-alert';
import { reconcile } from '../../shared/reconcile/reconcile';
import { deliver, incidentEvent, recordingRuntime } from '../helpers/events';
import { testConfig } from '../helpers/stack';
import { startWorld, type World } from '../helpers/world';
import { FULL, size, writeFigures } from './helpers/report';

/**
 * Guardrails under the worst inputs: every region alerting at once (never more than
 * maxDrainFraction drained, never zero serving) and a flapping region (routing changes at most once
 * per healthy window).
 */
jest.setTimeout(FULL ? 600_000 : 60_000);
const config = testConfig();
const REGIONS = config.regions.map((r) => r.name);
const MAX_DRAINED = Math.min(Math.floor(config.guardrails.maxDrainFraction * REGIONS.length), REGIONS.length - 1);
const figures: Record<string, unknown> = {};
let w: World;
let n = 0;
const tick = () => reconcile(w.deps, config, { kind: 'tick', eventId: `g-${++n}` });

beforeEach(async () => {
  w = await startWorld(config);
  await tick();
});
afterEach(async () => {
  await w.close();
});
afterAll(() => writeFigures('guardrails', figures));

async function scalers(): Promise<Record<string, number>> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return Object.fromEntries(
    (bs.backends ?? []).map((b) => [/regions\/([^/]+)\//.exec(b.group ?? '')?.[1] as string, b.capacityScaler ?? 1]),
  );
}

test('all regions alert at once (and their backends fail): ≤ maxDrainFraction drained, never zero serving', async () => {
  const rt = recordingRuntime(config, w.deps);
  const rounds = size(3, 20);
  let maxDrained = 0;
  let minServing = REGIONS.length;
  let checks = 0;
  for (let round = 0; round < rounds; round++) {
    w.advance(61_000);
    const now = w.emu.ctx.clock.now();
    if (round === 1) for (const region of REGIONS) await w.control.setHealth({ region, health: 'UNHEALTHY' });
    // Every region's incident at once, with ticks racing them.
    await Promise.all([
      ...REGIONS.map((region) =>
        deliver(() => handleHealthAlert(rt, incidentEvent(`all-${round}-${region}`, 'open', region, now))),
      ),
      tick(),
      tick(),
    ]);
    const sc = await scalers();
    const drained = Object.values(sc).filter((v) => v === 0).length;
    maxDrained = Math.max(maxDrained, drained);
    minServing = Math.min(minServing, REGIONS.length - drained);
    checks++;
    expect(drained).toBeLessThanOrEqual(MAX_DRAINED);
    expect(Object.values(sc).some((v) => v > 0)).toBe(true);
  }
  // Every location is still answered: a serving region, or (a fenced one whose only region is
  // drained) the anycast address.
  const plan = (await tick()).plan;
  for (const loc of config.clientLocations) {
    const lp = plan.locations[loc.location];
    expect(Object.keys(lp?.weights ?? {}).length > 0 || lp?.fallback === 'anycast').toBe(true);
  }
  figures.allRegionsAlert = {
    regions: REGIONS.length,
    maxDrainFraction: config.guardrails.maxDrainFraction,
    allowedDrained: MAX_DRAINED,
    rounds,
    incidentsOpened: rounds * REGIONS.length,
    checks,
    maxDrained,
    minServing,
  };
});

test('flapping health (open/close every 30 s): routing changes at most once per healthy window', async () => {
  const rt = recordingRuntime(config, w.deps);
  const minutes = size(10, 60);
  const windowMs = config.guardrails.minHealthyWindowSec * 1000;
  const mark = await w.control.mark();
  const changes: Array<{ at: number; scaler: number }> = [];
  let last = (await scalers())['us-east4'] as number;
  const start = w.emu.ctx.clock.now();
  for (let i = 0; i < minutes * 2; i++) {
    w.advance(30_000);
    const now = w.emu.ctx.clock.now();
    const id = `flap-${Math.floor(i / 2)}`;
    await deliver(() => handleHealthAlert(rt, incidentEvent(id, i % 2 === 0 ? 'open' : 'closed', 'us-east4', now)));
    await tick();
    const s = (await scalers())['us-east4'] as number;
    if (s !== last) changes.push({ at: now - start, scaler: s });
    last = s;
  }
  const { requests } = await w.control.requests({ since: mark });
  const dnsWrites = requests.filter((r) => r.api === 'dns' && r.write && r.status === 200).length;
  // At most one change per healthy window, counted in any window: here the drain, then nothing,
  // because the region is never healthy for a whole window while it flaps.
  for (const c of changes) {
    const inWindow = changes.filter((d) => d.at > c.at - windowMs && d.at <= c.at);
    expect(inWindow.length).toBeLessThanOrEqual(1);
  }
  expect(changes.length).toBeLessThanOrEqual(Math.ceil((minutes * 60_000) / windowMs));
  expect(changes[0]?.scaler).toBe(0);
  expect(dnsWrites).toBeLessThanOrEqual(changes.length + 1);
  figures.flapping = {
    minutes,
    flips: minutes * 2,
    healthyWindowSec: config.guardrails.minHealthyWindowSec,
    scalerChanges: changes.length,
    dnsChanges: dnsWrites,
  };
});
