import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfigCommand } from '../../../../cli/commands/validate-config';
import { EXAMPLE_PATH } from '../../shared/fixtures/planner';

describe('georoute validate-config', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    out = jest.spyOn(console, 'log').mockImplementation(() => {});
    err = jest.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => jest.restoreAllMocks());

  it('exits 0 with a one-line summary for a valid file', async () => {
    expect(await validateConfigCommand.run([EXAMPLE_PATH])).toBe(0);
    expect(out).toHaveBeenCalledTimes(1);
    expect(out.mock.calls[0]![0]).toMatch(/ok — project acme-inference-prod, 5 regions, 13 client locations/);
  });

  it('prints every error with its path and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'georoute-validate-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'project: acme-inference',
        'regions:',
        '  - { name: us-central1, zones: [us-central1-z], maxReplicas: "3", replicaThroughputRps: 1 }',
        'clientLocations: [{ location: us-west1 }]',
        'dns: { managedZone: acme, recordName: infer.acme.ai. }',
        'gpuBudget: { maxTotalAccelerators: 4 }',
        'colour: blue',
      ].join('\n'),
    );
    expect(await validateConfigCommand.run([file])).toBe(1);
    const lines = err.mock.calls.map((c) => String(c[0]));
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}: regions[0].maxReplicas: expected number, received string`,
        `${file}: colour: unknown key`,
        `${file}: regions[0].zones[0]: zone 'us-central1-z' is not a zone of us-central1 (zones: us-central1-a, us-central1-b, us-central1-c, us-central1-f)`,
        '3 errors',
      ]),
    );
  });

  it('exits 2 without a file', async () => {
    expect(await validateConfigCommand.run([])).toBe(2);
  });
});
