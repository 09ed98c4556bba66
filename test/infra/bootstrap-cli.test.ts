import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bootstrapCommand } from '../../cli/commands/bootstrap';
import type { Emulator } from '../../emulator';
import type { EmulatorControl } from '../../emulator/control-client';
import { startTwin, type Twin } from '../helpers/twin';

const config = {
  project: 'georoute-cli',
  regions: [
    { name: 'us-central1', zones: ['us-central1-a'], maxReplicas: 2, replicaThroughputRps: 4 },
    { name: 'europe-west4', zones: ['europe-west4-a'], maxReplicas: 2, replicaThroughputRps: 4 },
  ],
  clientLocations: [{ location: 'us-central1' }, { location: 'europe-west1' }],
  dns: { managedZone: 'cli-zone', recordName: 'llm.example.org.' },
  gpuBudget: { maxTotalAccelerators: 8 },
};

describe('georoute bootstrap (CLI)', () => {
  let twin: Twin;
  let emu: Emulator;
  let control: EmulatorControl;
  let dir: string;
  let out: string[];
  let err: string[];
  const saved = { ...process.env };

  beforeAll(async () => {
    // The CLI's flow is under test, not Google's delays.
    twin = await startTwin({ timings: 'instant' });
    ({ emu, control } = twin);
    process.env.GEOROUTE_EMULATOR = emu.restUrl;
    process.env.PUBSUB_EMULATOR_HOST = emu.pubsubHost;
    dir = mkdtempSync(join(tmpdir(), 'georoute-bootstrap-'));
  });
  afterAll(async () => {
    process.env = saved;
    await twin.close();
  });
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : stringify(content));
    return path;
  };

  test('an invalid config is refused with every error and its path, before any API call', async () => {
    const mark = await control.mark();
    const bad = file('bad.yaml', {
      ...config,
      regions: [{ ...config.regions[0], maxReplicas: 'many' }],
      alerts: { errorRatio: 3 },
      serving: { timeoutSec: 0 },
    });
    expect(await bootstrapCommand.run(['--config', bad, '--yes'])).toBe(1);
    const text = err.join('\n');
    expect(text).toMatch(/regions\[0\]\.maxReplicas/);
    expect(text).toMatch(/alerts\.errorRatio/);
    expect(text).toMatch(/serving\.timeoutSec/);
    expect(text).toMatch(/3 errors/);
    expect((await control.requests({ since: mark })).requests).toEqual([]);
  });

  test('without --yes and without a terminal it refuses to write', async () => {
    const mark = await control.mark();
    expect(await bootstrapCommand.run(['--config', file('ok.yaml', config), '--destroy'])).toBe(2);
    expect(err.join('\n')).toMatch(
      /refusing to delete resources in project georoute-cli without confirmation: pass --yes/,
    );
    expect((await control.requests({ since: mark })).requests).toEqual([]);
  });

  test('prints progress, then --plan exits 0 when nothing is pending and 2 when something is', async () => {
    const path = file('ok.yaml', config);
    expect(await bootstrapCommand.run(['--plan', '--config', path])).toBe(2);
    expect(out.some((l) => l.startsWith('+ create healthCheck/global/georoute-health'))).toBe(true);
    expect(out.at(-1)).toMatch(/^Plan: \d+ to create, 0 to update, 0 unchanged\.$/);
    out.length = 0;
    expect(await bootstrapCommand.run(['--config', path, '--yes'])).toBe(0);
    expect(out).toContain('+ create regionInstanceGroupManager/europe-west4/georoute-mig-europe-west4');
    expect(
      out.some((l) =>
        /regionInstanceGroupManager\/europe-west4\/georoute-mig-europe-west4: insert, waiting on operation operation-/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(out.at(-1)).toMatch(/^Apply complete: \d+ created, 0 updated, 0 unchanged\.$/);
    out.length = 0;
    expect(await bootstrapCommand.run(['--config', path, '--plan'])).toBe(0);
    expect(out.at(-1)).toMatch(/^Plan: 0 to create, 0 to update, \d+ unchanged\.$/);
    expect(await bootstrapCommand.run(['--config', path, '--destroy', '--yes'])).toBe(0);
  });
});
