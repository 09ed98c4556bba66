import type { Emulator } from '../../emulator';
import type { EmulatorControl } from '../../emulator/control-client';
import { bootstrap, type EngineResult, type Mode, type Profile } from '../../infra';
import type { GeorouteConfig } from '../../shared/config';
import type { GcpClients } from '../../shared/gcp/clients';
import { startTwin } from '../helpers/twin';

export interface InfraWorld {
  emu: Emulator;
  control: EmulatorControl;
  gcp: GcpClients;
  lines: string[];
  run(config: GeorouteConfig, mode?: Mode, profile?: Profile): Promise<EngineResult>;
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
  const twin = await startTwin({ project: projectId, timings: 'instant' });
  const { emu, gcp, control } = twin;
  const lines: string[] = [];
  return {
    emu,
    control,
    gcp,
    lines,
    run: (config, mode = 'apply', profile) => bootstrap(gcp, config, { mode, profile, out: (l) => lines.push(l) }),
    async writesSince(mark) {
      const { requests } = await control.requests({ since: mark });
      return requests.filter((r) => r.write && r.api !== 'control').length;
    },
    mark: () => control.mark(),
    close: () => twin.close(),
  };
}
