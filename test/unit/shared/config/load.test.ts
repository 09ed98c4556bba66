import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../../../shared/config';
import { EXAMPLE_PATH } from '../fixtures/planner';

/** Smallest valid config, as a plain object, so each test can break one thing. */
function minimal(): Record<string, unknown> {
  return {
    project: 'acme-inference',
    regions: [
      { name: 'us-central1', zones: ['us-central1-a'], maxReplicas: 4, replicaThroughputRps: 2 },
      { name: 'europe-west4', zones: ['europe-west4-a'], maxReplicas: 4, replicaThroughputRps: 2 },
    ],
    clientLocations: [{ location: 'us-west1' }, { location: 'europe-west1', residency: 'eu' }],
    dns: { managedZone: 'acme', recordName: 'infer.acme.ai.' },
    gpuBudget: { maxTotalAccelerators: 8 },
  };
}

function errorsOf(input: unknown): string[] {
  const r = parseConfig(input);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors;
}

describe('parseConfig', () => {
  it('accepts the shipped example', async () => {
    const r = await loadConfig(EXAMPLE_PATH);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.config.regions.map((x) => x.name)).toEqual([
      'us-central1',
      'us-east4',
      'europe-west4',
      'asia-southeast1',
      'asia-northeast1',
    ]);
    expect(r.config.regions.every((x) => x.accelerator.type === 'nvidia-l4' && x.machineType === 'g2-standard-8')).toBe(
      true,
    );
  });

  it('applies defaults, including derived resource names', () => {
    const r = parseConfig(minimal());
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const c = r.config;
    expect(c.dns.ttlSec).toBe(30);
    expect(c.guardrails).toEqual({
      failOpenFraction: 0.5,
      maxDrainFraction: 0.5,
      recoveryRamp: [0.1, 0.5, 1],
      recoveryStepSec: 300,
      scaleOutCooldownSec: 60,
      scaleInCooldownSec: 900,
      minHealthyWindowSec: 120,
      maxWeightShiftPerStep: 0.5,
      targetUtilization: 0.8,
    });
    expect(c.loadBalancer.backendService).toBe('georoute-backend');
    expect(c.latency.overrides).toEqual([]);
    const r0 = c.regions[0]!;
    expect(r0).toMatchObject({
      minReplicas: 1,
      machineType: 'g2-standard-8',
      accelerator: { type: 'nvidia-l4', count: 1 },
      entry: { addressName: 'georoute-entry-us-central1' },
      mig: 'georoute-mig-us-central1',
      autoscaler: 'georoute-as-us-central1',
      backend: 'georoute-be-us-central1',
    });
  });

  it('names the path of a type error', () => {
    const c = minimal();
    (c.regions as Array<Record<string, unknown>>).push({
      name: 'asia-east1',
      zones: ['asia-east1-a'],
      maxReplicas: 'four',
      replicaThroughputRps: 1,
    });
    expect(errorsOf(c)).toEqual(['regions[2].maxReplicas: expected number, received string']);
  });

  it('rejects unknown keys (typos) at their own path', () => {
    const c = minimal();
    (c.regions as Array<Record<string, unknown>>)[0]!.maxReplica = 3;
    c.guardrail = {};
    expect(errorsOf(c).sort()).toEqual(['guardrail: unknown key', 'regions[0].maxReplica: unknown key']);
  });

  it('reports type errors and cross-field errors all at once', () => {
    const c = minimal();
    const regions = c.regions as Array<Record<string, unknown>>;
    regions[0]!.minReplicas = 5; // > max 4
    regions[1]!.zones = ['us-east4-a']; // not in europe-west4
    regions.push({ ...regions[0], name: 'us-central1', minReplicas: 1 }); // duplicate
    (c.dns as Record<string, unknown>).ttlSec = 5;
    c.project = 42;
    const errors = errorsOf(c);
    expect(errors).toEqual(
      expect.arrayContaining([
        'project: expected string, received number',
        'dns.ttlSec: must be ≥ 30, got 5',
        'regions[0].minReplicas: minReplicas (5) must be ≤ maxReplicas (4)',
        "regions[1].zones[0]: zone 'us-east4-a' is not a zone of europe-west4 (zones: europe-west4-a, europe-west4-b, europe-west4-c)",
        "regions[2].name: duplicate region 'us-central1' (also regions[0])",
      ]),
    );
  });

  it('checks regions and locations are real Google Cloud regions', () => {
    const c = minimal();
    (c.regions as Array<Record<string, unknown>>)[0]!.name = 'us-central9';
    (c.clientLocations as Array<Record<string, unknown>>)[0]!.location = 'mars-north1';
    expect(errorsOf(c)).toEqual(
      expect.arrayContaining([
        "regions[0].name: unknown Google Cloud region 'us-central9'",
        "clientLocations[0].location: unknown Google Cloud region 'mars-north1'",
      ]),
    );
  });

  it('requires a region of the residency a client location is fenced to', () => {
    const c = minimal();
    (c.clientLocations as Array<Record<string, unknown>>).push({ location: 'asia-east1', residency: 'apac' });
    expect(errorsOf(c)).toEqual([
      "clientLocations[2].residency: no region has residency 'apac' (regions' residencies: eu, us)",
    ]);
  });

  it('rejects duplicate client locations', () => {
    const c = minimal();
    (c.clientLocations as unknown[]).push({ location: 'us-west1' });
    expect(errorsOf(c)).toEqual([
      "clientLocations[2].location: duplicate client location 'us-west1' (also clientLocations[0])",
    ]);
  });

  it('checks the GPU budget against the minimum replicas', () => {
    const c = minimal();
    const regions = c.regions as Array<Record<string, unknown>>;
    regions[0]!.minReplicas = 3;
    regions[0]!.accelerator = { count: 2 };
    c.gpuBudget = { maxTotalAccelerators: 6, perRegionMax: { 'us-central1': 4, 'us-west1': 2 } };
    expect(errorsOf(c).sort()).toEqual([
      "gpuBudget.maxTotalAccelerators: must be ≥ the accelerators of all regions' minReplicas (7), got 6",
      "gpuBudget.perRegionMax.us-west1: 'us-west1' is not a configured region",
      'regions[0].minReplicas: minReplicas needs 6 accelerators, more than gpuBudget.perRegionMax.us-central1 (4)',
    ]);
  });

  it('checks the recovery ramp and the DNS name', () => {
    const c = minimal();
    c.guardrails = { recoveryRamp: [0.5, 0.2] };
    c.dns = { managedZone: 'acme', recordName: 'infer.acme.ai' };
    expect(errorsOf(c).sort()).toEqual([
      "dns.recordName: must be a lower-case FQDN ending with '.'",
      'guardrails.recoveryRamp[1]: recoveryRamp must be strictly increasing',
    ]);
    c.dns = { managedZone: 'acme', recordName: 'infer.acme.ai.' };
    c.guardrails = { recoveryRamp: [0.1, 0.5] };
    expect(errorsOf(c)).toEqual(['guardrails.recoveryRamp[1]: recoveryRamp must end at 1.0 (full service)']);
  });

  it('reports missing required fields as required', () => {
    const c = minimal();
    delete c.dns;
    expect(errorsOf(c)).toEqual(['dns: required (expected object)']);
  });

  it('reports YAML syntax errors and unreadable files without throwing', async () => {
    expect(errorsOf('project: [unclosed\n')[0]).toMatch(/^line \d+: /);
    const r = await loadConfig('/nonexistent/georoute.yaml');
    expect(r).toEqual({ ok: false, errors: ['/nonexistent/georoute.yaml: ENOENT: cannot read file'] });
  });

  it('loads YAML text from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'georoute-config-'));
    const file = join(dir, 'g.yaml');
    writeFileSync(file, JSON.stringify(minimal()));
    const r = await loadConfig(file);
    expect(r.ok).toBe(true);
  });
});
