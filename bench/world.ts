import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { type Emulator, startEmulator } from '../emulator';
import { EmulatorControl } from '../emulator/control-client';
import type { RequestLogEntry } from '../emulator/core/request-log';
import { FAST_TIMINGS } from '../emulator/core/timings';
import { bootstrap } from '../infra';
import type { GeorouteConfig } from '../shared/config';
import { type LogEntry, memoryLogger } from '../shared/core/logger';
import { createDeps, type Deps } from '../shared/deps';
import { GcpClients } from '../shared/gcp/clients';

/** An in-process emulator with georoute's stack bootstrapped in it (the bench's twin of test/helpers/world). */
export interface BenchWorld {
  emu: Emulator;
  control: EmulatorControl;
  gcp: GcpClients;
  deps: Deps;
  logs: LogEntry[];
  config: GeorouteConfig;
  /** The config written as YAML, for GEOROUTE_CONFIG of a function process. */
  configFile: string;
  /** Environment a function process needs to talk to this emulator. */
  env: Record<string, string>;
  advance(ms: number): void;
  /** Requests the emulator answered after `mark` (Compute, DNS, Monitoring; control calls excluded). */
  requestsSince(mark: number): RequestLogEntry[];
  mark(): number;
  close(): Promise<void>;
}

export async function startBenchWorld(config: GeorouteConfig): Promise<BenchWorld> {
  const emu = await startEmulator({
    // Not Google's clock: the bench measures georoute and the API round trips, not simulated
    // Google-side durations (those are virtual and configurable).
    timings: { ...FAST_TIMINGS, operationPendingMs: 5, operationRunningMs: 10, dnsChangeMs: 1_000 },
  });
  const gcp = new GcpClients({ projectId: config.project, emulator: emu.restUrl, pubsubHost: emu.pubsubHost });
  const logger = memoryLogger();
  const deps = createDeps(config, { gcp, logger, now: () => emu.ctx.clock.now() });
  const result = await bootstrap(gcp, config, { out: () => undefined });
  if (result.exitCode !== 0) throw new Error(`bootstrap failed at ${result.failure?.id}: ${result.failure?.message}`);
  const advance = (ms: number) => {
    emu.ctx.clock.advance(ms);
    emu.tick();
  };
  advance(120_000); // VMs boot and warm up: every backend healthy
  const dir = mkdtempSync(path.join(os.tmpdir(), 'georoute-bench-'));
  const configFile = path.join(dir, 'georoute.yaml');
  writeFileSync(configFile, stringify(config));
  return {
    emu,
    control: new EmulatorControl(emu.restUrl),
    gcp,
    deps,
    logs: logger.entries,
    config,
    configFile,
    env: {
      GEOROUTE_CONFIG: configFile,
      GEOROUTE_EMULATOR: emu.restUrl,
      PUBSUB_EMULATOR_HOST: emu.pubsubHost,
      GOOGLE_CLOUD_PROJECT: config.project,
    },
    advance,
    requestsSince: (mark) => emu.ctx.log.list({ since: mark }).filter((r) => r.api !== 'control'),
    mark: () => emu.ctx.log.mark,
    async close() {
      await gcp.close();
      await emu.stop();
    },
  };
}

/** Reads, writes and operation polls in a slice of the request log, by API. */
export function countCalls(
  requests: RequestLogEntry[],
): Record<string, { reads: number; writes: number; polls: number }> {
  const out: Record<string, { reads: number; writes: number; polls: number }> = {};
  for (const r of requests) {
    if (r.api === 'pubsub') continue;
    const c = out[r.api] ?? { reads: 0, writes: 0, polls: 0 };
    out[r.api] = c;
    if (r.path.includes('/operations/')) c.polls++;
    else if (r.write) c.writes++;
    else c.reads++;
  }
  return out;
}
