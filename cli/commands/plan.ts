import { parseArgs } from 'node:util';
import type { Command } from '../main';
import { loadConfigOrExplain } from './load-config';

export const planCommand: Command = {
  name: 'plan',
  summary:
    'Read the live state, compute the desired traffic plan, and print it with the diff against live state. Writes nothing.',
  usage: 'georoute plan --config FILE [--json]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    if (!values.config) {
      console.error(`usage: ${this.usage}`);
      return 2;
    }
    const config = await loadConfigOrExplain(values.config);
    if (!config) return 1;
    const { createDeps } = require('../../shared/deps') as typeof import('../../shared/deps');
    const { reconcile } =
      require('../../shared/reconcile/reconcile') as typeof import('../../shared/reconcile/reconcile');
    const { createLogger } = require('../../shared/core/logger') as typeof import('../../shared/core/logger');
    const { diffPlans } = require('../../shared/planner/diff') as typeof import('../../shared/planner/diff');
    const deps = createDeps(config, { logger: createLogger({ minSeverity: 'CRITICAL' }) });
    try {
      const result = await reconcile(deps, config, { kind: 'manual', eventId: `plan-${Date.now()}` }, { dryRun: true });
      const diff = diffPlans(result.observation.input.current, result.plan);
      if (values.json) {
        console.log(
          JSON.stringify({ plan: result.plan, reasons: result.reasons, diff, errors: result.errors }, null, 2),
        );
        return 0;
      }
      const { formatPlan } = require('./format') as typeof import('./format');
      console.log(formatPlan(config, result, diff));
      return result.errors.length > 0 ? 1 : 0;
    } finally {
      await deps.gcp.close();
    }
  },
};
