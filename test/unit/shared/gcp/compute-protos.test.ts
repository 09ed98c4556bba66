import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPUTE_SERVICES } from '../../../../shared/gcp/compute-protos';

type Json = { nested?: Record<string, Json>; methods?: Record<string, unknown>; georoute?: { version: string } };

test('compute-protos.json matches the installed @google-cloud/compute and has every service GcpClients builds', () => {
  const file = path.join(__dirname, '../../../../shared/gcp/compute-protos.json');
  const trimmed = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const { version } = require('@google-cloud/compute/package.json') as { version: string };
  // Stale after an upgrade: regenerate with `node dist/shared/gcp/trim-compute-protos.js`.
  expect(trimmed.georoute?.version).toBe(version);
  const v1 = trimmed.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {};
  for (const service of COMPUTE_SERVICES) expect(Object.keys(v1[service]?.methods ?? {}).length).toBeGreaterThan(0);
  // The services' messages are there (e.g. what observe and the actuators read and write).
  for (const type of ['BackendService', 'Autoscaler', 'Operation', 'ManagedInstance', 'InstanceManagedByIgmError'])
    expect(v1[type]).toBeDefined();
});
