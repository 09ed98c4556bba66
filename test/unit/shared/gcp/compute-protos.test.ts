import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FUNCTION_MONITORING_SERVICES } from '../../../../shared/gcp/clients';
import { COMPUTE_SERVICES, FUNCTION_COMPUTE_SERVICES } from '../../../../shared/gcp/compute-protos';

/** Every file under dir (recursively) ending in .ts. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const shared = sources(path.join(__dirname, '../../../../shared')).map((f) => readFileSync(f, 'utf8'));
const clientOf = (service: string) => service.charAt(0).toLowerCase() + service.slice(1);

/** The clients of `group` (compute, monitoring) that shared/ uses among `known`. */
function used(group: string, known: string[]): string[] {
  const found = new Set<string>();
  for (const text of shared) {
    for (const m of text.matchAll(new RegExp(`\\b${group}\\.(\\w+)\\b`, 'g'))) {
      if (known.includes(m[1] as string)) found.add(m[1] as string);
    }
  }
  return [...found];
}

test('shared/ (what the functions bundle carries) calls only the Compute services of FUNCTION_COMPUTE_SERVICES', () => {
  const calls = used('compute', COMPUTE_SERVICES.map(clientOf));
  expect(calls).toContain('backendServices');
  expect(calls.filter((c) => !FUNCTION_COMPUTE_SERVICES.map(clientOf).includes(c as never))).toEqual([]);
});

test('…and only the Monitoring services of FUNCTION_MONITORING_SERVICES', () => {
  const calls = used('monitoring', ['alertPolicies', 'metrics', 'notificationChannels']);
  expect(calls).toEqual(['metrics']);
  expect(FUNCTION_MONITORING_SERVICES).toEqual(['MetricService']);
});
