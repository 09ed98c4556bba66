import { type Emulator, startEmulator } from '../../emulator';
import { EmulatorControl } from '../../emulator/control-client';
import { bootstrap, type EngineResult, type Mode } from '../../infra';
import type { GeorouteConfig } from '../../shared/config';
import { GcpClients } from '../../shared/gcp/clients';
import { TWIN_PRESETS } from '../helpers/twin';

export interface InfraWorld {
  emu: Emulator;
  control: EmulatorControl;
  gcp: GcpClients;
  lines: string[];
  run(config: GeorouteConfig, mode?: Mode): Promise<EngineResult>;
  /** API writes (any API but the control one) since `mark`. */
  writesSince(mark: number): Promise<number>;
  mark(): Promise<number>;
  close(): Promise<void>;
}

/**
 * An in-process emulator with fast operations (`instant`: the bootstrap's logic is under test, not
 * Google's delays), the official clients, and a bootstrap runner.
 */
export async function startInfraWorld(projectId: string): Promise<InfraWorld> {
  const emu = await startEmulator({ timings: TWIN_PRESETS.instant.timings });
  const gcp = new GcpClients({ projectId, emulator: emu.restUrl, pubsubHost: emu.pubsubHost });
  const control = new EmulatorControl(emu.restUrl);
  const lines: string[] = [];
  return {
    emu,
    control,
    gcp,
    lines,
    run: (config, mode = 'apply') => bootstrap(gcp, config, { mode, out: (l) => lines.push(l) }),
    async writesSince(mark) {
      const { requests } = await control.requests({ since: mark });
      return requests.filter((r) => r.write && r.api !== 'control').length;
    },
    mark: () => control.mark(),
    async close() {
      await gcp.close();
      await emu.stop();
    },
  };
}
