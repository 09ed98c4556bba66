import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../main';
import { loadConfigOrExplain } from './load-config';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary:
    'Create (idempotently) the base stack from the config: LB, MIGs, DNS, Pub/Sub, alerts, service accounts. ' +
    '--plan: print + create / ~ update / = unchanged, write nothing (exit 0 = no changes, 2 = changes pending). ' +
    '--destroy: delete what it created, in reverse order.',
  usage: 'georoute bootstrap --config FILE [--plan | --destroy] [--yes]',
  async run(argv) {
    let values: { config?: string; plan?: boolean; destroy?: boolean; yes?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          config: { type: 'string' },
          plan: { type: 'boolean', default: false },
          destroy: { type: 'boolean', default: false },
          yes: { type: 'boolean', default: false },
        },
        strict: true,
      }));
    } catch (err) {
      console.error(`${(err as Error).message}\nusage: ${bootstrapCommand.usage}`);
      return 2;
    }
    if (!values.config || (values.plan && values.destroy)) {
      console.error(`usage: ${bootstrapCommand.usage}`);
      return 2;
    }
    // Every config error, with its path, before any API call.
    const config = await loadConfigOrExplain(values.config);
    if (!config) return 1;
    const mode = values.destroy ? 'destroy' : values.plan ? 'plan' : 'apply';
    if (mode !== 'plan' && !values.yes) {
      if (!process.stdin.isTTY) {
        console.error(
          `georoute bootstrap: refusing to ${mode === 'destroy' ? 'delete' : 'change'} resources in project ${config.project} ` +
            'without confirmation: pass --yes (no terminal to ask on). Use --plan to see what would change.',
        );
        return 2;
      }
      const what = mode === 'destroy' ? `DELETE georoute's resources in` : 'create / update resources in';
      if (!(await confirm(`${what} project ${config.project}? [y/N] `))) {
        console.error('aborted: nothing was changed');
        return 1;
      }
    }
    const { createDeps } = require('../../shared/deps') as typeof import('../../shared/deps');
    const { bootstrap } = require('../../infra') as typeof import('../../infra');
    const deps = createDeps(config);
    try {
      const result = await bootstrap(deps.gcp, config, { mode });
      return result.exitCode;
    } finally {
      await deps.gcp.close();
    }
  },
};
