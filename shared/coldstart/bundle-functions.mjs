// Bundles the three Cloud Functions for deployment: `dist/bundle/index.js` (package.json `main`, what
// `gcloud functions deploy --source=.` runs) registers them; `dist/bundle/core.js` (functions/core.ts:
// shared/ and the Google clients), `gax.js` (google-gax, gRPC) and, when a function publishes,
// `pubsub.js` are read on the first event. Why: a first event that resolves and reads
// ~730 modules from node_modules spends more time in the module loader than in georoute
// (docs/BENCHMARKS.md). Separate files, so loading the entry reads and compiles none of the megabytes.
//
//   node shared/coldstart/bundle-functions.mjs   (part of `npm run build`; BUNDLE_DEBUG=1: not minified, to profile)
//
// It uses tsc's output (the RPC lists, the protos trimmer), so it runs after tsc, and also writes
// dist/shared/coldstart/compute-protos.json for the CLI (trimmed-protos.ts). See README.md here.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));
const {
  COMPUTE_SERVICES,
  FUNCTION_COMPUTE_METHODS,
  FUNCTION_MONITORING_METHODS,
} = require('./dist/shared/coldstart/function-rpcs.js');
const {
  COMPUTE_PROTOS,
  MONITORING_PROTOS,
  installedProtos,
  trimProtos,
} = require('./dist/shared/coldstart/trim-protos.js');

/** The protos trimmed to `services` of `target`, as the JSON text. */
function trimmed(target, services) {
  const { full, version } = installedProtos(target);
  return JSON.stringify(trimProtos(target, full, services, version));
}
// Every Compute service GcpClients builds for the CLI (tsc output; trimmed-protos.ts swaps it in).
writeFileSync(
  path.join(root, 'dist', 'shared', 'coldstart', 'compute-protos.json'),
  `${trimmed(COMPUTE_PROTOS, COMPUTE_SERVICES)}\n`,
);
// Only what the functions call, for the bundle: package directory → its protos.json text.
const forFunctions = {
  [`${path.sep}@google-cloud${path.sep}compute${path.sep}`]: trimmed(COMPUTE_PROTOS, FUNCTION_COMPUTE_METHODS),
  [`${path.sep}@google-cloud${path.sep}monitoring${path.sep}`]: trimmed(MONITORING_PROTOS, FUNCTION_MONITORING_METHODS),
};

/**
 * Large JSON (protos) as `JSON.parse('…')`: V8 parses a JSON string several times faster than the
 * same data as a JavaScript object literal, and the first event parses them all.
 */
const jsonAsString = (text) => ({ contents: `module.exports=JSON.parse(${JSON.stringify(text)})`, loader: 'js' });
const parsedJson = {
  name: 'parsed-json',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return text.length > 10_000 ? jsonAsString(JSON.stringify(JSON.parse(text))) : undefined;
    });
  },
};

/** The Compute and Monitoring client modules require their package's protos.json: the bundle gets the trimmed ones. */
const trimmedProtos = {
  name: 'trimmed-protos',
  setup(b) {
    b.onResolve({ filter: /[\\/]protos[\\/]protos\.json$/ }, (args) => {
      const dir = Object.keys(forFunctions).find((d) => args.importer.includes(d));
      return dir ? { path: dir, namespace: 'georoute-trimmed' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'georoute-trimmed' }, (args) => jsonAsString(forFunctions[args.path]));
  },
};

/** functions/runtime.ts requires './core' on the first event: the entry leaves it to the second file. */
const coreOutside = {
  name: 'core-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/core$/ }, (args) =>
      args.importer === path.join(root, 'functions', 'runtime.ts') ? { path: './core.js', external: true } : undefined,
    );
  },
};

/**
 * google-gax (with gRPC) lives in gax.js, shared by core.js and pubsub.js: one copy to compile, and one
 * grpc-js, whose credentials and channels must come from the same module instance. Pub/Sub (a third
 * of the core's size) is read only by a function that publishes (capacityRequest answers, dead letters).
 */
const GAX_SHARED = {
  'google-gax': '',
  'google-gax/build/src/fallback': '.fallback',
  '@grpc/grpc-js': '.grpc',
};
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const GAX_SHARED_FILTER = new RegExp(`^(${Object.keys(GAX_SHARED).map(escapeRegExp).join('|')})$`);
const sharedChunks = (pubsubOutside) => ({
  name: 'shared-chunks',
  setup(b) {
    b.onResolve({ filter: GAX_SHARED_FILTER }, (args) =>
      args.namespace === 'file' ? { path: args.path, namespace: 'gax-shared' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'gax-shared' }, (args) => ({
      contents: `module.exports = require('./gax.js')${GAX_SHARED[args.path]};`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/(gax|pubsub)\.js$/ }, (args) => ({ path: args.path, external: true }));
    if (pubsubOutside) {
      b.onResolve({ filter: /^@google-cloud\/pubsub$/ }, () => ({ path: './pubsub.js', external: true }));
    }
  },
});

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The framework keeps the registry of functions in module state: the entry must register into the
  // same copy the runtime (`functions-framework --target=…`) loaded from node_modules.
  external: ['@google-cloud/functions-framework'],
  define: { __GEOROUTE_BUNDLE__: 'true' }, // bundle-mode.ts
  minify: !process.env.BUNDLE_DEBUG,
  keepNames: true, // libraries compare constructor names (google-gax, @google-cloud/common); logs stay readable
  sourcemap: 'linked',
  legalComments: 'external',
  metafile: true,
  logLevel: 'warning',
};

/** A chunk that is only `module.exports = require(pkg)`, bundled. */
const reexport = (pkg) => ({ contents: `module.exports = require('${pkg}');`, resolveDir: root, loader: 'js' });

const builds = await Promise.all([
  build({ ...common, entryPoints: ['functions/index.ts'], outfile: 'dist/bundle/index.js', plugins: [coreOutside] }),
  build({
    ...common,
    entryPoints: ['functions/core.ts'],
    outfile: 'dist/bundle/core.js',
    plugins: [sharedChunks(true), trimmedProtos, parsedJson],
  }),
  build({
    ...common,
    stdin: reexport('google-gax'),
    outfile: 'dist/bundle/gax.js',
    plugins: [parsedJson],
  }),
  build({
    ...common,
    stdin: reexport('@google-cloud/pubsub'),
    outfile: 'dist/bundle/pubsub.js',
    plugins: [sharedChunks(false), parsedJson],
  }),
]);
for (const { metafile } of builds) {
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.js'))
      console.log(`${file}: ${Object.keys(out.inputs).length} modules, ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
}
