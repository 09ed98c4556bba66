import { readFileSync } from 'node:fs';
import path from 'node:path';
import { handleHealthAlert } from '../../../shared/handlers/health-alert';
import { pubsubEvent, recordingRuntime } from '../../helpers/events';
import { incident } from '../../helpers/incidents';
import { testConfig } from '../../helpers/stack';
import { startWorld, type World } from '../../helpers/world';

/**
 * A notification channel carries whatever incidents are routed to it: other policies', other
 * projects' (a metrics scope). healthAlert acts only on its own (scoping project = the config's, and
 * the policy labels the bootstrap writes); anything else is acknowledged untouched, not dead-lettered.
 */
const config = testConfig();
/** Google's documented schema 1.2 example, verbatim: test/fixtures/google/README.md. */
const googleExample = JSON.parse(
  readFileSync(path.join(__dirname, '../../fixtures/google/monitoring-incident-1.2.json'), 'utf8'),
) as { incident: Record<string, unknown> };
let w: World;

beforeAll(async () => {
  w = await startWorld(config);
  await w.servedForAWhile();
});
afterAll(() => w.close());

async function scalers(): Promise<number[]> {
  const [bs] = await w.gcp.compute.backendServices.get({
    project: config.project,
    backendService: config.loadBalancer.backendService,
  });
  return (bs.backends ?? []).map((b) => b.capacityScaler ?? 1);
}

async function ignored(payload: unknown): Promise<string> {
  const rt = recordingRuntime(config, w.deps);
  const mark = await w.control.mark();
  const before = await scalers();
  const outcome = await handleHealthAlert(rt, pubsubEvent(payload));
  expect(outcome.decision).toBe('ignored');
  expect(rt.published).toEqual([]); // not dead-lettered: it is not malformed
  expect(await w.writesSince(mark)).toBe(0);
  expect(await scalers()).toEqual(before);
  return String(outcome.reason);
}

test("Google's documented example (a CPU policy of another project, a VM in us-central1-c) does not drain us-central1", async () => {
  expect(await ignored(googleExample)).toMatch(/scoping project 'internal-project' is not georoute-test/);
  // The same incident while open: still not ours.
  const open = { ...googleExample, incident: { ...googleExample.incident, state: 'open', ended_at: null } };
  expect(await ignored(open)).toMatch(/not georoute-test/);
});

test('an incident of this project whose policy lacks georoute’s labels is not acted on', async () => {
  const mine = {
    ...googleExample,
    incident: { ...googleExample.incident, state: 'open', scoping_project_id: config.project },
  };
  expect(await ignored(mine)).toMatch(/carries no georoute alert label/);
  const otherRegion = incident('x', 'open', 'us-central1', w.emu.ctx.clock.now(), {
    policy_user_labels: { 'georoute-region': 'asia-east1', 'georoute-alert': 'error-ratio' },
  });
  expect(await ignored(otherRegion)).toMatch(/names no configured region/);
});

test('one of georoute’s own incidents is acted on', async () => {
  const rt = recordingRuntime(config, w.deps);
  const outcome = await handleHealthAlert(
    rt,
    pubsubEvent(incident('ours-1', 'open', 'us-east4', w.emu.ctx.clock.now())),
  );
  expect(outcome).toMatchObject({ region: 'us-east4', state: 'open', capacityScaler: 0 });
});
