/**
 * One function instance, as Cloud Functions (2nd gen) runs it: the deployed entry, the named
 * functions served over HTTP by functions-framework, configured only by the environment. Writes
 * `{"ports": {name: port}}` on stderr once listening; stdout carries the functions' log lines.
 * argv: function names.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
// The deployed entry: package.json `main` (the bundle), as `functions-framework --target` loads it.
require(path.join(root, (require(path.join(root, 'package.json')) as { main: string }).main));
const { getTestServer } =
  require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');

async function main(): Promise<void> {
  const ports: Record<string, number> = {};
  for (const name of process.argv.slice(2)) {
    const server = getTestServer(name) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    ports[name] = (server.address() as AddressInfo).port;
  }
  process.stderr.write(`${JSON.stringify({ ports })}\n`);
}

void main();
