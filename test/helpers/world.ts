import type { Emulator } from '../../emulator';
import type { EmulatorControl } from '../../emulator/control-client';
import { recordedDemand } from '../../emulator/world/metrics';
import type { Profile } from '../../infra';
import { type GeorouteConfig, regionalLb } from '../../shared/config';
import { type LogEntry, type Logger, memoryLogger } from '../../shared/core/logger';
import { createDeps, type Deps } from '../../shared/deps';
import type { GcpClients } from '../../shared/gcp/clients';
import type { RetryPolicies } from '../../shared/gcp/retry';
import { startUpHorizonMs } from '../../shared/plan/evidence';
import { reconcile } from '../../shared/reconcile';
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
  /**
   * Forces VMs' health (the control route) and moves time on until georoute's health check (10 s
   * interval, 5 s timeout, 2 probes either way) has judged them: the health check, not the VM,
   * is what Google's getHealth reports.
   */
  setHealth(selector: Record<string, unknown>, health: 'HEALTHY' | 'UNHEALTHY' | 'auto'): Promise<void>;
  /**
   * Sets requests/s per client location from now on: the regional load balancer's request counts
   * (the last ten minutes at this rate, rewritten as time advances).
   */
  setLoad(load: Record<string, number>): Promise<void>;
  /**
   * One tick sees every region serve, then time passes beyond the start-up horizon: the stack has been
   * serving under georoute's eye for a while, so its incidents are no longer its start-up
   * (shared/plan/evidence.ts).
   */
  servedForAWhile(): Promise<void>;
  /** Compute and Cloud DNS writes the emulator answered since `mark` (publishing is not an action). */
  writesSince(mark: number): Promise<number>;
  close(): Promise<void>;
}

/** Worst case for georoute's health check to notice: next probe ≤ 10 s, the second ≤ 10 s later, + 5 s timeout. */
export const HEALTH_NOTICE_MS = 30_000;

export async function startWorld(
  config: GeorouteConfig,
  options: { boot?: boolean; retry?: Partial<RetryPolicies>; profile?: Profile; random?: number } = {},
): Promise<World> {
  // georoute's logic, not Google's delays, is under test here: the `stack` preset (fast operations,
  // metrics readable at once, no push latency or cold start, 90 s from VM creation to serving).
  // `random`: a seed for the twin's dice (fault rules, ids), so a seeded run is reproducible.
  const twin = await startTwin({
    project: config.project,
    timings: 'stack',
    retry: options.retry,
    random: options.random,
  });
  const { emu, gcp, control } = twin;
  // The load set last stays: as time passes its minutes keep being counted, as a load balancer would.
  let load: Record<string, number> | undefined;
  const first = config.regions[0] as GeorouteConfig['regions'][number];
  const at = { region: first.name, forwardingRule: regionalLb(first).forwardingRule };
  const record = () => {
    if (load) emu.monitoring.write(config.project, recordedDemand(config.project, at, load, emu.ctx.clock.now()));
  };
  const advance = (ms: number) => {
    twin.advance(ms);
    record();
  };
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
    async setHealth(selector, health) {
      await control.call('POST', '/__emulator/compute/instances/health', { ...selector, health });
      advance(HEALTH_NOTICE_MS);
    },
    async setLoad(rps) {
      load = rps;
      record();
    },
    async servedForAWhile() {
      const r = await reconcile(deps, config, { kind: 'tick', eventId: `first-sighting-${emu.ctx.clock.now()}` });
      if (r.errors.length > 0) throw new Error(`first sighting: ${r.errors.join('; ')}`);
      advance(startUpHorizonMs(config.alerts));
    },
    async writesSince(mark) {
      const { requests } = await control.requests({ since: mark });
      return requests.filter((r) => r.write && (r.api === 'compute' || r.api === 'dns')).length;
    },
    close: () => twin.close(),
  };
}
