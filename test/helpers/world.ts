import type { Emulator } from '../../emulator';
import type { EmulatorControl } from '../../emulator/control-client';
import { recordedDemand } from '../../emulator/world/metrics';
import type { Profile } from '../../infra';
import { type GeorouteConfig, regionalLb } from '../../shared/config';
import { type LogEntry, type Logger, memoryLogger } from '../../shared/core/logger';
import { createDeps, type Deps } from '../../shared/deps';
import type { GcpClients } from '../../shared/gcp/clients';
import type { RetryPolicies } from '../../shared/gcp/retry';
import { buildStack } from './stack';
import { startTwin } from './twin';

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
  /** Writes requests/s per client location as the load metric georoute reads. */
  setLoad(load: Record<string, number>): Promise<void>;
  /** Compute and Cloud DNS writes the emulator answered since `mark` (publishing is not an action). */
  writesSince(mark: number): Promise<number>;
  close(): Promise<void>;
}

export async function startWorld(
  config: GeorouteConfig,
  options: { boot?: boolean; retry?: Partial<RetryPolicies>; profile?: Profile } = {},
): Promise<World> {
  const twin = await startTwin({ project: config.project, timings: 'stack', retry: options.retry });
  const { emu, gcp, control, advance } = twin;
  const logger: Logger & { entries: LogEntry[] } = memoryLogger();
  const deps = createDeps(config, { gcp, logger, now: () => emu.ctx.clock.now() });
  await buildStack(gcp, config, options.profile);
  if (options.boot !== false) advance(120_000); // VMs boot and warm up: every backend healthy
  return {
    emu,
    control,
    gcp,
    deps,
    logs: logger.entries,
    config,
    advance,
    async setLoad(load) {
      const first = config.regions[0] as GeorouteConfig['regions'][number];
      const at = { region: first.name, forwardingRule: regionalLb(first).forwardingRule };
      emu.monitoring.write(config.project, recordedDemand(config.project, at, load, emu.ctx.clock.now()));
    },
    async writesSince(mark) {
      const { requests } = await control.requests({ since: mark });
      return requests.filter((r) => r.write && (r.api === 'compute' || r.api === 'dns')).length;
    },
    close: () => twin.close(),
  };
}
