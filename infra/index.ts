import { deployabilityIssues, type GeorouteConfig } from '../shared/config';
import type { GcpClients } from '../shared/gcp/clients';
import { IamClient } from '../shared/gcp/iam-rest';
import { desiredResources } from './desired';
import { type EngineResult, type Mode, runEngine } from './engine';
import type { Profile } from './native';

export { desiredResources } from './desired';
export type { EngineResult, Mode, Outcome } from './engine';
export type { Profile } from './native';
export type { Resource } from './types';

export interface BootstrapOptions {
  mode?: Mode;
  /** Where progress and plan lines go (default: stdout). */
  out?: (line: string) => void;
  /** IAM client; default: one pointed at the same emulator as `gcp`, or Google with ADC. */
  iam?: IamClient;
  /**
   * `georoute` (default): the stack georoute's functions steer. `native`: the same stack relying on
   * Google alone — a health-checked geo record (infra/native.ts, docs/BENCHMARKS.md "The native baseline").
   */
  profile?: Profile;
}

/** Creates / plans / destroys the base stack of `config` (see docs/DEPLOY.md). Resolves to the result. */
export async function bootstrap(
  gcp: GcpClients,
  config: GeorouteConfig,
  options: BootstrapOptions = {},
): Promise<EngineResult> {
  const out = options.out ?? ((line: string) => console.log(line));
  const iam = options.iam ?? new IamClient({ projectId: config.project, emulator: gcp.endpoints.emulator });
  const mode = options.mode ?? 'apply';
  // What Compute Engine would refuse for the GPU stack, refused before any API call (not for --destroy:
  // a stack built from an older config must still be removable).
  const issues = mode === 'destroy' ? [] : deployabilityIssues(config);
  if (issues.length > 0) {
    for (const line of issues) out(`✗ ${line}`);
    const message = `${issues.length} config issue(s) Compute Engine would refuse: ${issues[0]}`;
    return { mode, outcomes: [], failure: { id: 'config', message }, summary: 'failed', exitCode: 1 };
  }
  const profile = options.profile ?? 'georoute';
  const resources = desiredResources(config, profile);
  out(
    `georoute bootstrap (${mode}${profile === 'native' ? ', native profile' : ''}): project ${config.project}, ${resources.length} resources`,
  );
  return runEngine({ gcp, iam, config, project: config.project, progress: out }, resources, mode, out);
}
