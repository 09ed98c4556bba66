import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../../../helpers/functions';
import { incident } from '../../../helpers/incidents';
import { testConfig } from '../../../helpers/stack';
import { startWorld, type World } from '../../../helpers/world';

/**
 * The deployed artifact, not the sources: package.json `main` (the bundle `npm run build` makes) served
 * by functions-framework in its own process, as a Cloud Functions instance runs it, against the twin.
 * It must handle events end to end and load the Google client stack from the bundle, not node_modules.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const MAIN = path.join(
  ROOT,
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main,
);
const config = testConfig();

/** Serves the named functions on ephemeral ports; answers 'modules' over IPC with its loaded files. */
const CHILD = `
require(${JSON.stringify(MAIN)});
const { getTestServer } = require(require.resolve('@google-cloud/functions-framework/testing', { paths: [${JSON.stringify(ROOT)}] }));
const ports = {};
Promise.all(['healthAlert', 'capacityRequest', 'reconcile'].map((name) => new Promise((resolve) => {
  const server = getTestServer(name);
  server.listen(0, '127.0.0.1', () => { ports[name] = server.address().port; resolve(); });
}))).then(() => process.send({ ports }));
process.on('message', () => process.send({ modules: Object.keys(require.cache) }));
`;

let w: World;
let child: ChildProcess;
let ports: Record<string, number>;
const logs: string[] = [];

function ask<T>(predicate: (m: Record<string, unknown>) => boolean, send?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const exit = (code: number | null) => reject(new Error(`the function instance exited (${code})`));
    const on = (m: Record<string, unknown>) => {
      if (!predicate(m)) return;
      child.off('message', on);
      child.off('exit', exit);
      resolve(m as T);
    };
    child.on('message', on);
    child.once('exit', exit);
    if (send) child.send(send);
  });
}

beforeAll(async () => {
  w = await startWorld(config);
  await w.servedForAWhile();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'georoute-bundle-'));
  const file = path.join(dir, 'georoute.yaml');
  writeFileSync(file, stringify(config));
  child = spawn(process.execPath, ['-e', CHILD], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      GEOROUTE_CONFIG: file,
      GEOROUTE_EMULATOR: w.emu.restUrl,
      PUBSUB_EMULATOR_HOST: w.emu.pubsubHost,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
  ({ ports } = await ask<{ ports: Record<string, number> }>((m) => 'ports' in m));
  const p = config.pubsub;
  for (const topic of [p.capacityRequests, p.capacityResults, p.healthAlerts, p.reconcile, p.deadLetter]) {
    const [exists] = await w.gcp.pubsub.topic(topic).exists();
    if (!exists) await w.gcp.pubsub.createTopic(topic);
  }
  for (const [topic, fn] of [
    [p.healthAlerts, 'healthAlert'],
    [p.capacityRequests, 'capacityRequest'],
    [p.reconcile, 'reconcile'],
  ] as const) {
    await w.gcp.pubsub.topic(topic).createSubscription(`${topic}-push`, {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${ports[fn]}/` },
      deadLetterPolicy: {
        deadLetterTopic: `projects/${config.project}/topics/${p.deadLetter}`,
        maxDeliveryAttempts: 5,
      },
    });
  }
}, 60_000);

afterAll(async () => {
  child?.kill();
  await w?.close();
});

async function scalerOf(region: string): Promise<number | null | undefined> {
  const [bs] = await w.gcp.compute.backendServices.get({ project: config.project, backendService: 'georoute-backend' });
  return bs.backends?.find((b) => b.group?.includes(`/regions/${region}/`))?.capacityScaler;
}

test('the bundled healthAlert drains a region through the official clients', async () => {
  expect(await scalerOf('us-east4')).toBe(1);
  await w.gcp.pubsub
    .topic(config.pubsub.healthAlerts)
    .publishMessage({ json: incident('bundle-1', 'open', 'us-east4', w.emu.ctx.clock.now()) });
  await eventually(async () => (await scalerOf('us-east4')) === 0, 30_000);
  await eventually(() => logs.some((l) => l.includes('"decision":"incident open: us-east4 drained"')), 30_000);
}, 60_000);

test('the bundled capacityRequest answers on the results topic (the Pub/Sub chunk loads)', async () => {
  await w.gcp.pubsub.topic(config.pubsub.capacityRequests).publishMessage({
    json: {
      requestId: 'bundle-cap-1',
      region: 'us-central1',
      accelerator: 'nvidia-l4',
      replicas: 1,
      durationMinutes: 30,
    },
  });
  const answer = await eventually(async () => {
    const messages = await w.control.topicMessages(config.pubsub.capacityResults, config.project);
    return messages.map((m) => JSON.parse(m.text) as { requestId: string; status: string })[0];
  }, 30_000);
  expect(answer).toMatchObject({ requestId: 'bundle-cap-1', status: 'granted' });
}, 60_000);

test('the bundled reconcile handles a scheduler tick, and healthAlert a closing incident', async () => {
  const decisions = (fn: string) =>
    logs.filter((l) => l.includes(`"function":"${fn}"`)).map((l) => String(JSON.parse(l).decision));
  await w.gcp.pubsub.topic(config.pubsub.reconcile).publishMessage({ json: { kind: 'tick' } });
  await eventually(() => decisions('reconcile').some((d) => /^(applied|no action)/.test(d)), 30_000);
  await w.gcp.pubsub
    .topic(config.pubsub.healthAlerts)
    .publishMessage({ json: incident('bundle-1', 'closed', 'us-east4', w.emu.ctx.clock.now()) });
  await eventually(() => decisions('healthAlert').some((d) => d.startsWith('incident closed: us-east4')), 30_000);
  expect(logs.filter((l) => /"severity":"(ERROR|CRITICAL)"/.test(l))).toEqual([]);
}, 60_000);

test('the Google client stack came from the bundle, not from node_modules', async () => {
  const { modules } = await ask<{ modules: string[] }>((m) => 'modules' in m, 'modules');
  const bundled = modules.filter((f) => f.startsWith(path.dirname(MAIN))).map((f) => path.basename(f));
  // The framework itself is loaded from node_modules, as in Cloud Functions (a sanity check of the list).
  expect(modules.some((f) => /node_modules[\\/]@google-cloud[\\/]functions-framework[\\/]/.test(f))).toBe(true);
  expect(bundled.sort()).toEqual(['core.js', 'gax.js', 'index.js', 'pubsub.js']);
  const clientStack =
    /node_modules[\\/](@google-cloud[\\/](compute|dns|monitoring|pubsub|common)|google-gax|@grpc|protobufjs|google-auth-library)[\\/]/;
  expect(modules.filter((f) => clientStack.test(f))).toEqual([]);
});
