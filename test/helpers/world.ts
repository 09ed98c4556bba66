import { type Emulator, startEmulator } from '../../emulator';
import { EmulatorControl } from '../../emulator/control-client';
import { countryOf, type GeorouteConfig, regionalLb } from '../../shared/config';
import { type LogEntry, type Logger, memoryLogger } from '../../shared/core/logger';
import { createDeps, type Deps } from '../../shared/deps';
import { GcpClients } from '../../shared/gcp/clients';
import type { RetryPolicies } from '../../shared/gcp/retry';
import { buildStack } from './stack';

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
  options: { boot?: boolean; retry?: Partial<RetryPolicies> } = {},
): Promise<World> {
  const emu = await startEmulator({
    timings: {
      operationPendingMs: 5,
      operationRunningMs: 10,
      dnsChangeMs: 1_000,
      vmBootMs: 60_000,
      vmWarmupMs: 30_000,
    },
  });
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
    async setLoad(load) {
      // What the load balancers would count: requests per client country on the regional Application
      // Load Balancers (Google's own metric, which only the twin itself may write), one per minute for the
      // last ten minutes, so observe's five-minute window (ending 90 s ago) sees this rate. Points end on
      // whole minutes: a later call replaces them (same end time) instead of adding overlapping deltas,
      // which would count the same minute twice.
      const now = Math.floor(emu.ctx.clock.now() / 60_000) * 60_000;
      const byCountry: Record<string, number> = {};
      for (const [location, rps] of Object.entries(load)) {
        const country = countryOf(location) ?? location;
        byCountry[country] = (byCountry[country] ?? 0) + rps;
      }
      const rule = regionalLb(config.regions[0] as GeorouteConfig['regions'][number]).forwardingRule;
      emu.monitoring.write(
        config.project,
        Object.entries(byCountry).map(([country, rps]) => ({
          metric: {
            type: 'loadbalancing.googleapis.com/https/external/regional/request_count',
            labels: { client_country: country, response_code_class: '200', response_code: '200', protocol: 'HTTP/1.1' },
          },
          resource: {
            type: 'http_external_regional_lb_rule',
            labels: { project_id: config.project, region: config.regions[0]?.name, forwarding_rule_name: rule },
          },
          metricKind: 'DELTA',
          valueType: 'INT64',
          points: Array.from({ length: 10 }, (_, i) => {
            const end = now - i * 60_000;
            return {
              interval: { startTime: end - 60_000, endTime: end },
              value: { int64Value: String(Math.round(rps * 60)) },
            };
          }),
        })),
      );
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
