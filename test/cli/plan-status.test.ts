import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/spawn-emulator';
import { testConfig } from '../helpers/stack';
import { startWorld, type World } from '../helpers/world';

const config = testConfig();
let w: World;
let file: string;

beforeAll(async () => {
  w = await startWorld(config);
  file = path.join(mkdtempSync(path.join(os.tmpdir(), 'georoute-cli-')), 'georoute.yaml');
  writeFileSync(file, stringify(config));
});
afterAll(async () => {
  await w.close();
});

async function georoute(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/georoute.js'), ...args],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          GEOROUTE_EMULATOR: w.emu.restUrl,
          PUBSUB_EMULATOR_HOST: w.emu.pubsubHost,
        },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('`georoute status` prints one row per region from the live state', async () => {
  const { code, stdout } = await georoute('status', '--config', file);
  expect(code).toBe(0);
  expect(stdout).toMatch(/region\s+health\s+running\/booting\/target\s+floor\s+capacityScaler/);
  for (const r of config.regions) expect(stdout).toMatch(new RegExp(`${r.name}\\s+1/1 healthy\\s+1/0/1\\s+1\\s+1\\s`));
  expect(stdout).toMatch(/us-central1\s.*us-central1,us-west1/);
});

test('`georoute plan` shows what would change, and writes nothing', async () => {
  await w.setHealth({ region: 'us-east4' }, 'UNHEALTHY');
  const mark = await w.control.mark();
  const { code, stdout } = await georoute('plan', '--config', file);
  expect(code).toBe(0);
  expect(stdout).toMatch(/us-east4\s+drained\s+0/);
  expect(stdout).toMatch(/region\/us-east4 capacityScaler: 1 → 0/);
  expect(stdout).toMatch(/\[drain-unhealthy\]/);
  expect(await w.writesSince(mark)).toBe(0);
});

test('an invalid config is refused with every error and its path, before any API call', async () => {
  const bad = path.join(path.dirname(file), 'bad.yaml');
  writeFileSync(bad, stringify({ ...config, regions: [{ ...config.regions[0], maxReplicas: 'many' }], dns: {} }));
  const mark = await w.control.mark();
  const { code, stderr } = await georoute('plan', '--config', bad);
  expect(code).toBe(1);
  expect(stderr).toMatch(/regions\[0\]\.maxReplicas/);
  expect(stderr).toMatch(/dns\.managedZone/);
  expect((await w.control.requests({ since: mark })).requests).toEqual([]);
});

test('`georoute plan --json` right after a bootstrap, every VM still starting: no drain, no absorbed load', async () => {
  const fresh = await startWorld(config, { boot: false });
  try {
    fresh.advance(45_000); // VMs created and booting: none serves yet
    const { code, stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/georoute.js'), 'plan', '--config', file, '--json'],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          GEOROUTE_EMULATOR: fresh.emu.restUrl,
          PUBSUB_EMULATOR_HOST: fresh.emu.pubsubHost,
        },
        timeout: 60_000,
      },
    ).then((r) => ({ code: 0, ...r }));
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      plan: { regions: Record<string, { state: string; reasons: string[]; minReplicas: number }> };
      reasons: Array<{ code: string }>;
    };
    for (const r of config.regions) {
      expect(out.plan.regions[r.name]).toMatchObject({ state: 'serving' });
      expect(out.plan.regions[r.name]?.reasons).toContain('warming');
    }
    const codes = out.reasons.map((x) => x.code);
    expect(codes).not.toContain('drain-unhealthy');
    expect(codes).not.toContain('absorb-load');
  } finally {
    await fresh.close();
  }
});
