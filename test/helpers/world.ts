import { type Emulator, startEmulator } from '../../emulator';
import { EmulatorControl } from '../../emulator/control-client';
import type { GeorouteConfig } from '../../shared/config';
import { type LogEntry, type Logger, memoryLogger } from '../../shared/core/logger';
import { createDeps, type Deps } from '../../shared/deps';
import { GcpClients } from '../../shared/gcp/clients';
import type { RetryPolicies } from '../../shared/gcp/retry';
import { LOCATION_RPS_METRIC } from '../../shared/observe/observe';
import { buildStack } from './stack';
import { TWIN_PRESETS } from './twin';

/** An emulator with georoute's stack built in it, the official clients pointed at it, and deps for the core. */
export interface World {
  emu: Emulator;
  control: EmulatorControl;
  gcp: GcpClients;
  deps: Deps;
  logs: LogEntry[];
  config: GeorouteConfig;
  /** Moves virtual time on and runs the simulation (VM boots, schedules, alerts). */
  advance(ms: number): void;
  /**
   * Forces VMs' health (the control route) and moves time on until georoute's health check (10 s
   * interval, 5 s timeout, 2 probes either way) has judged them: the health check, not the VM,
   * is what Google's getHealth reports.
   */
  setHealth(selector: Record<string, unknown>, health: 'HEALTHY' | 'UNHEALTHY' | 'auto'): Promise<void>;
  /** Writes requests/s per client location as the load metric georoute reads. */
  setLoad(load: Record<string, number>): Promise<void>;
  /** Compute and Cloud DNS writes the emulator answered since `mark` (publishing is not an action). */
  writesSince(mark: number): Promise<number>;
  close(): Promise<void>;
}

/** Worst case for georoute's health check to notice: next probe ≤ 10 s, the second ≤ 10 s later, + 5 s timeout. */
export const HEALTH_NOTICE_MS = 30_000;

export async function startWorld(
  config: GeorouteConfig,
  options: { boot?: boolean; retry?: Partial<RetryPolicies> } = {},
): Promise<World> {
  // georoute's logic, not Google's delays, is under test here: the `stack` preset (fast operations,
  // metrics readable at once, no push latency or cold start, 90 s from VM creation to serving).
  const emu = await startEmulator({ timings: TWIN_PRESETS.stack.timings });
  const gcp = new GcpClients(
    { projectId: config.project, emulator: emu.restUrl, pubsubHost: emu.pubsubHost },
    { retry: options.retry },
  );
  const logger: Logger & { entries: LogEntry[] } = memoryLogger();
  const deps = createDeps(config, { gcp, logger, now: () => emu.ctx.clock.now() });
  const control = new EmulatorControl(emu.restUrl);
  const advance = (ms: number) => {
    emu.ctx.clock.advance(ms);
    emu.tick();
  };
  await buildStack(gcp, config);
  if (options.boot !== false) advance(120_000); // VMs boot and warm up: every backend healthy
  return {
    emu,
    control,
    gcp,
    deps,
    logs: logger.entries,
    config,
    advance,
    async setHealth(selector, health) {
      await control.call('POST', '/__emulator/compute/instances/health', { ...selector, health });
      advance(HEALTH_NOTICE_MS);
    },
    async setLoad(load) {
      const seconds = Math.floor(emu.ctx.clock.now() / 1000);
      await gcp.monitoring.metrics.createTimeSeries({
        name: `projects/${config.project}`,
        timeSeries: Object.entries(load).map(([location, rps]) => ({
          metric: { type: LOCATION_RPS_METRIC, labels: { location } },
          resource: { type: 'global', labels: { project_id: config.project } },
          metricKind: 'GAUGE',
          valueType: 'DOUBLE',
          points: [{ interval: { endTime: { seconds } }, value: { doubleValue: rps } }],
        })),
      });
    },
    async writesSince(mark) {
      const { requests } = await control.requests({ since: mark });
      return requests.filter((r) => r.write && (r.api === 'compute' || r.api === 'dns')).length;
    },
    async close() {
      await gcp.close();
      await emu.stop();
    },
  };
}
