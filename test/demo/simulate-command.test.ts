import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulateCommand } from '../../cli/commands/simulate';

/** The command's argument and scenario errors, before anything starts. */
let errors: string[];
let spy: jest.SpyInstance;
beforeEach(() => {
  errors = [];
  spy = jest.spyOn(console, 'error').mockImplementation((line: string) => {
    errors.push(String(line));
  });
});
afterEach(() => spy.mockRestore());

test('usage errors exit 2', async () => {
  expect(await simulateCommand.run([])).toBe(2);
  expect(await simulateCommand.run(['--scenario', 'x.yaml', '--speed', '0'])).toBe(2);
  expect(await simulateCommand.run(['--bogus'])).toBe(2);
  expect(errors.join('\n')).toMatch(/usage: georoute simulate --scenario FILE/);
});

test('--baseline takes native only, and --json needs it', async () => {
  expect(await simulateCommand.run(['--scenario', 'x.yaml', '--baseline', 'aws'])).toBe(2);
  expect(errors.at(-1)).toBe("--baseline takes 'native' (Google's own failover), got 'aws'");
  expect(await simulateCommand.run(['--scenario', 'x.yaml', '--json', 'out.json'])).toBe(2);
  expect(errors.at(-1)).toBe('--json writes the comparison: give it with --baseline native');
});

test('an invalid scenario prints every error with its path and exits 1', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'scenario-')), 'bad.yaml');
  writeFileSync(
    file,
    'name: bad\nconfig: nowhere.yaml\nduration: 1m\nsteps:\n  - at: 1m\n    failRegion: {region: us-east4}\n',
  );
  expect(await simulateCommand.run(['--scenario', file])).toBe(1);
  expect(errors[0]).toBe(`${file}: steps[0].failRegion: give kill, health and/or errorRate`);
  expect(errors.at(-1)).toBe('1 error: nothing was simulated');
});
