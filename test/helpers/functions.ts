import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { GeorouteConfig } from '../../shared/config';
import type { LogEntry } from '../../shared/core/logger';
import { eventually as poll } from './eventually';
import { startWorld, type World } from './world';

export const FUNCTION_NAMES = ['capacityRequest', 'healthAlert', 'reconcile'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface PublishedMessage {
  messageId: string;
  text: string;
  attributes: Record<string, string>;
}

/** The three functions served by real functions-framework HTTP servers, fed by push subscriptions. */
export interface FunctionsHarness {
  urls: Record<FunctionName, string>;
  /** Structured log lines the functions wrote to stdout. */
  logs: LogEntry[];
  /** Publishes raw bytes (or JSON) to a topic of the config, as any publisher would. */
  publish(topic: string, data: Buffer | string | object, attributes?: Record<string, string>): Promise<string>;
  /** Every message ever published to a topic (from the emulator's control API). */
  messages(topic: string): Promise<PublishedMessage[]>;
  /** Push deliveries made so far per subscription: `{[name]: {delivered, acked, backlog}}`. */
  subscriptions(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** The subscription names the harness creates: `<topic>-push`. */
export const subscriptionOf = (topic: string) => `${topic}-push`;

/**
 * Serves the functions the way Cloud Functions (2nd gen) + Eventarc do: the deployed entry module
 * (functions/index.ts, configured only through its environment), one HTTP server per function, and
 * a push subscription per trigger topic delivering binary-mode CloudEvents, with the dead-letter topic.
 */
export async function startFunctions(world: World): Promise<FunctionsHarness> {
  const { config, gcp, emu } = world;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'georoute-fn-'));
  const file = path.join(dir, 'georoute.yaml');
  writeFileSync(file, stringify(config));
  Object.assign(process.env, {
    GEOROUTE_CONFIG: file,
    GEOROUTE_EMULATOR: emu.restUrl,
    PUBSUB_EMULATOR_HOST: emu.pubsubHost,
  });

  const logs: LogEntry[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('{"severity"')) continue;
      try {
        logs.push(JSON.parse(line) as LogEntry);
      } catch {
        /* not ours */
      }
    }
    return true;
    // biome-ignore lint/suspicious/noExplicitAny: stdout's overloads
  }) as any;
  void write;

  // A fresh module registry per harness: the entry caches its runtime (config, clients) per
  // instance, as a deployed function does, and each test world is a new emulator.
  let getTestServer!: typeof import('@google-cloud/functions-framework/testing').getTestServer;
  jest.isolateModules(() => {
    require('../../functions');
    ({ getTestServer } =
      require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing'));
  });
  const servers: Server[] = [];
  const urls = {} as Record<FunctionName, string>;
  for (const name of FUNCTION_NAMES) {
    const server = getTestServer(name) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  const p = config.pubsub;
  for (const topic of [p.capacityRequests, p.capacityResults, p.healthAlerts, p.reconcile, p.deadLetter]) {
    const [exists] = await gcp.pubsub.topic(topic).exists();
    if (!exists) await gcp.pubsub.createTopic(topic);
  }
  const triggers: Array<[string, FunctionName]> = [
    [p.capacityRequests, 'capacityRequest'],
    [p.healthAlerts, 'healthAlert'],
    [p.reconcile, 'reconcile'],
  ];
  for (const [topic, fn] of triggers) {
    await gcp.pubsub.topic(topic).createSubscription(subscriptionOf(topic), {
      pushConfig: { pushEndpoint: urls[fn] },
      ackDeadlineSeconds: 60,
      deadLetterPolicy: {
        deadLetterTopic: `projects/${config.project}/topics/${p.deadLetter}`,
        maxDeliveryAttempts: 5,
      },
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } },
    });
  }

  return {
    urls,
    logs,
    async publish(topic, data, attributes) {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
      return gcp.pubsub.topic(topic).publishMessage({ data: buffer, attributes });
    },
    async messages(topic) {
      return world.control.topicMessages(topic, config.project);
    },
    async subscriptions() {
      return (await world.control.subscriptions()) as unknown as Array<Record<string, unknown>>;
    },
    async close() {
      // Let deliveries in flight finish (their handlers may still be reconciling).
      await world.control.flush().catch(() => undefined);
      process.stdout.write = write;
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** The one polling helper (test/helpers/eventually.ts) with the harness's defaults: 15 s, every 50 ms. */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  return poll(async () => (await check()) || undefined, { timeoutMs, intervalMs: 50 }) as Promise<NonNullable<T>>;
}

/**
 * A world with the three functions served, started once for the test file (beforeAll) and closed
 * after it: `const s = functionsWorld(config)`, then `s.w` and `s.fx` inside the tests.
 */
export function functionsWorld(config: GeorouteConfig): { readonly w: World; readonly fx: FunctionsHarness } {
  const ctx = {} as { w: World; fx: FunctionsHarness };
  beforeAll(async () => {
    ctx.w = await startWorld(config);
    ctx.fx = await startFunctions(ctx.w);
  });
  afterAll(async () => {
    await ctx.fx?.close();
    await ctx.w?.close();
  });
  return ctx;
}
