import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { GeorouteConfig } from '../shared/config';
import type { LogEntry } from '../shared/core/logger';
import type { GcpClients } from '../shared/gcp/clients';

export const FUNCTION_NAMES = ['capacityRequest', 'healthAlert', 'reconcile'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface FunctionsHost {
  urls: Record<FunctionName, string>;
  /** Stops capturing stdout and closes the servers. */
  close(): Promise<void>;
}

/**
 * Captures the structured log lines (`{"severity":…}`) written to stdout in this process and passes
 * everything else through. The functions log there, as Cloud Logging expects; the demo turns the
 * lines into its timeline instead of printing them raw.
 */
export function captureStdout(onEntry: (entry: LogEntry) => void): {
  write: (text: string) => void;
  restore: () => void;
} {
  const original = process.stdout.write.bind(process.stdout);
  let partial = '';
  const replacement = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const parts = (partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))).split('\n');
    const tail = parts.pop() ?? '';
    partial = '';
    let out = '';
    for (const line of parts) {
      if (line.startsWith('{"severity"')) {
        try {
          onEntry(JSON.parse(line) as LogEntry);
          continue;
        } catch {
          /* not one of ours: print it */
        }
      }
      out += `${line}\n`;
    }
    // A log line written in pieces: keep its start until the newline arrives.
    if (tail.startsWith('{"severity"')) partial = tail;
    else out += tail;
    if (out) original(out);
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  };
  process.stdout.write = replacement as typeof process.stdout.write;
  return {
    write: (text) => original(text),
    restore: () => {
      process.stdout.write = original as typeof process.stdout.write;
    },
  };
}

/**
 * Serves the three functions as Cloud Functions (2nd gen) + Eventarc would: the deployed entry module
 * (configured only through its environment: GEOROUTE_CONFIG, GEOROUTE_EMULATOR, PUBSUB_EMULATOR_HOST),
 * one functions-framework HTTP server per function, and a push subscription per trigger topic with
 * the dead-letter topic. The stack's topics must exist (the bootstrap creates them).
 */
export async function startFunctionsHost(
  config: GeorouteConfig,
  configPath: string,
  endpoints: { restUrl: string; pubsubHost: string },
  gcp: GcpClients,
): Promise<FunctionsHost> {
  Object.assign(process.env, {
    GEOROUTE_CONFIG: configPath,
    GEOROUTE_EMULATOR: endpoints.restUrl,
    PUBSUB_EMULATOR_HOST: endpoints.pubsubHost,
  });
  // A function instance caches its runtime (config, clients): a fresh module graph per host, so a
  // second simulation in the same process does not reuse clients of a stopped emulator.
  const root = path.resolve(__dirname, '..');
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(path.join(root, 'functions')) || key.startsWith(path.join(root, 'shared', 'functions')))
      delete require.cache[key];
  }
  require('../functions');
  const { getTestServer } =
    require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');

  const servers: Server[] = [];
  const urls = {} as Record<FunctionName, string>;
  for (const name of FUNCTION_NAMES) {
    const server = getTestServer(name) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  const p = config.pubsub;
  const triggers: Array<[string, FunctionName]> = [
    [p.capacityRequests, 'capacityRequest'],
    [p.healthAlerts, 'healthAlert'],
    [p.reconcile, 'reconcile'],
  ];
  for (const [topic, fn] of triggers) {
    await gcp.pubsub.topic(topic).createSubscription(`${topic}-push`, {
      pushConfig: { pushEndpoint: urls[fn] },
      ackDeadlineSeconds: 60,
      deadLetterPolicy: {
        deadLetterTopic: `projects/${config.project}/topics/${p.deadLetter}`,
        maxDeliveryAttempts: 5,
      },
      retryPolicy: { minimumBackoff: { seconds: 5 }, maximumBackoff: { seconds: 60 } },
    });
  }
  return {
    urls,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections?.();
            }),
        ),
      );
    },
  };
}
