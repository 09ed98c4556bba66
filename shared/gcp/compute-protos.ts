/**
 * Every Compute v1 client module does `require('../../protos/protos.json')` (11.7 MB: v1, v1beta and
 * v1small) and builds a protobuf Root of all of it on its first construction: ~2 s of a cold start
 * here, for the handful of services georoute calls. `requireComputeClient` loads a client module
 * while that require resolves to `compute-protos.json` (the same protos, trimmed to the services of
 * COMPUTE_SERVICES and the messages they reach; see trim-compute-protos.ts), then puts the original
 * resolution back, so any other code that requires the package's protos still gets the full file.
 * When the trimmed file does not match the installed package version, or the module system is not
 * Node's (jest), the client loads the normal way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The Compute v1 services GcpClients can build (keep in sync with COMPUTE_MODULES in clients.ts). */
export const COMPUTE_SERVICES = [
  'Addresses',
  'BackendServices',
  'ForwardingRules',
  'GlobalAddresses',
  'GlobalForwardingRules',
  'GlobalOperations',
  'HealthChecks',
  'InstanceTemplates',
  'RegionAutoscalers',
  'RegionBackendServices',
  'RegionHealthChecks',
  'RegionInstanceGroupManagers',
  'RegionOperations',
  'TargetHttpProxies',
  'TargetHttpsProxies',
  'UrlMaps',
] as const;

const CLIENT_DIR = '@google-cloud/compute/build/src/v1/';
let trimmed: { exports: unknown; path: string } | null | undefined;

function trimmedProtos(): { exports: unknown; path: string } | null {
  if (trimmed !== undefined) return trimmed;
  trimmed = null;
  try {
    // Next to this file in the source tree (dist/shared/gcp → shared/gcp) or copied beside it.
    const candidates = [
      path.join(__dirname, 'compute-protos.json'),
      path.resolve(__dirname, '..', '..', '..', 'shared', 'gcp', 'compute-protos.json'),
    ];
    const file = candidates.find((f) => existsSync(f));
    const full = require.resolve('@google-cloud/compute/build/protos/protos.json');
    if (!file || !require.cache) return null;
    const json = require(file) as { georoute?: { version?: string } };
    const { version } = require('@google-cloud/compute/package.json') as { version: string };
    if (json.georoute?.version !== version) return null; // stale: regenerate (see trim-compute-protos.ts)
    trimmed = { exports: json, path: full };
  } catch {
    trimmed = null;
  }
  return trimmed;
}

/** `require` of `@google-cloud/compute/build/src/v1/<file>`, with the trimmed protos when possible. */
export function requireComputeClient(file: string): Record<string, unknown> {
  const id = `${CLIENT_DIR}${file}`;
  const protos = trimmedProtos();
  if (!protos) return require(id) as Record<string, unknown>;
  const cache = require.cache;
  const previous = cache[protos.path];
  const module = new (require('node:module') as typeof import('node:module'))(protos.path);
  Object.assign(module, { filename: protos.path, loaded: true, exports: protos.exports });
  cache[protos.path] = module;
  try {
    return require(id) as Record<string, unknown>;
  } finally {
    if (previous) cache[protos.path] = previous;
    else delete cache[protos.path];
  }
}
