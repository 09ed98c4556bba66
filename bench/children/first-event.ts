/**
 * A fresh "function instance": loads the deployed entry (or, with `usual`, the usual pattern first),
 * handles ONE healthAlert CloudEvent end to end against the emulator named by its environment,
 * prints `{"ms": …, "heapMiB": …}` and exits. argv: `georoute|usual`, the event as JSON.
 */
import path from 'node:path';

const start = process.hrtime.bigint();
const mode = process.argv[2];
const event = JSON.parse(process.argv[3] ?? '{}') as { id: string };
const root = path.resolve(__dirname, '..', '..', '..');

if (mode === 'usual') {
  // tsc's output, unbundled, with the package roots loaded and the clients built up front.
  require('./usual-pattern');
  require(path.join(root, 'dist', 'functions', 'index.js'));
} else {
  // The deployed entry: package.json `main` (the bundle), as `functions-framework --target` loads it.
  require(path.join(root, (require(path.join(root, 'package.json')) as { main: string }).main));
}
const { getFunction } =
  require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
const handler = getFunction('healthAlert') as (e: unknown) => Promise<void>;
const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
handler(event).then(
  () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const mem = process.memoryUsage();
    process.stderr.write(
      `${JSON.stringify({ ms, loadMs, heapMiB: mem.heapUsed / 2 ** 20, rssMiB: mem.rss / 2 ** 20 })}\n`,
    );
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`${JSON.stringify({ error: String((err as Error)?.message ?? err) })}\n`);
    process.exit(1);
  },
);
