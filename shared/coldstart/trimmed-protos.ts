/**
 * Every Compute v1 client module does `require('../../protos/protos.json')` (11.7 MB: v1, v1beta and
 * v1small) and builds a protobuf Root of all of it on its first construction: ~2 s of a cold start
 * here, for the handful of services georoute calls. The build (bundle-functions.mjs) writes
 * the same protos trimmed to the services georoute calls and the messages they reach
 * (trim-protos.ts): the functions bundle carries them in place of the package's file, and
 * `dist/shared/coldstart/compute-protos.json` serves the CLI. `requireComputeClient` loads a client module
 * while that require resolves to the trimmed file, then puts the original resolution back, so any
 * other code that requires the package's protos still gets the full file. Without the trimmed file
 * (not built, or made for another package version), or when the module system is not Node's (jest),
 * the client loads the normal way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { IN_BUNDLE } from './bundle-mode';

let trimmed: { exports: unknown; path: string } | null | undefined;

function trimmedProtos(): { exports: unknown; path: string } | null {
  if (trimmed !== undefined) return trimmed;
  trimmed = null;
  if (IN_BUNDLE) return null; // the bundle carries the trimmed protos already
  try {
    // Written beside this file by the build (dist/shared/coldstart/); absent when running from source.
    const file = path.join(__dirname, 'compute-protos.json');
    const full = require.resolve('@google-cloud/compute/build/protos/protos.json');
    if (!existsSync(file) || !require.cache) return null;
    const json = require(file) as { georoute?: { version?: string } };
    const { version } = require('@google-cloud/compute/package.json') as { version: string };
    if (json.georoute?.version !== version) return null; // a stale build: `npm run build` remakes it
    trimmed = { exports: json, path: full };
  } catch {
    trimmed = null;
  }
  return trimmed;
}

/** Runs `load` (a `require` of a Compute v1 client module) with the trimmed protos when possible. */
export function requireComputeClient(load: () => Record<string, unknown>): Record<string, unknown> {
  const protos = trimmedProtos();
  if (!protos) return load();
  const cache = require.cache;
  const previous = cache[protos.path];
  const module = new (require('node:module') as typeof import('node:module'))(protos.path);
  Object.assign(module, { filename: protos.path, loaded: true, exports: protos.exports });
  cache[protos.path] = module;
  try {
    return load();
  } finally {
    if (previous) cache[protos.path] = previous;
    else delete cache[protos.path];
  }
}
