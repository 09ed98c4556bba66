import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FUNCTION_COMPUTE_METHODS, FUNCTION_MONITORING_METHODS } from '../../../../shared/coldstart/function-rpcs';

/**
 * The functions bundle carries only the RPCs listed in FUNCTION_COMPUTE_METHODS and
 * FUNCTION_MONITORING_METHODS (tests run the sources, where every RPC exists): every RPC shared/ calls
 * must be listed, and every one listed must be called (no dead weight).
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const texts = sources(path.join(__dirname, '../../../../shared')).map((f) => readFileSync(f, 'utf8'));

/** `service.rpc` of every call on a `<group>.<client>` client: direct, or through a `const x = ….<group>.<client>`. */
function calls(group: string, serviceOf: (client: string) => string): string[] {
  const found = new Set<string>();
  const add = (client: string, method: string) =>
    found.add(`${serviceOf(client)}.${method.replace(/(Async|Stream)$/, '')}`);
  for (const text of texts) {
    for (const m of text.matchAll(new RegExp(`\\b${group}\\.(\\w+)\\.(\\w+)\\(`, 'g')))
      add(m[1] as string, m[2] as string);
    for (const alias of text.matchAll(new RegExp(`const (\\w+) = [\\w.]*\\b${group}\\.(\\w+);`, 'g'))) {
      for (const m of text.matchAll(new RegExp(`\\b${alias[1]}\\.(\\w+)\\(`, 'g')))
        add(alias[2] as string, m[1] as string);
    }
  }
  return [...found].sort();
}

const listed = (table: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(table)
    .flatMap(([service, methods]) => methods.map((m) => `${service}.${m}`))
    .sort();

test('shared/ calls exactly the Compute RPCs of FUNCTION_COMPUTE_METHODS', () => {
  const used = calls('compute', (client) => client.charAt(0).toUpperCase() + client.slice(1));
  expect(used).toContain('BackendServices.patch'); // found through `const client = …compute.backendServices`
  expect(used).toEqual(listed(FUNCTION_COMPUTE_METHODS));
});

test('…and exactly the Monitoring RPCs of FUNCTION_MONITORING_METHODS', () => {
  const services: Record<string, string> = {
    metrics: 'MetricService',
    alertPolicies: 'AlertPolicyService',
    notificationChannels: 'NotificationChannelService',
  };
  expect(calls('monitoring', (client) => services[client] ?? client)).toEqual(listed(FUNCTION_MONITORING_METHODS));
});
