import { parseArgs } from 'node:util';
import type { Command } from '../main';
import { loadConfigOrExplain } from './load-config';

export const statusCommand: Command = {
  name: 'status',
  summary:
    'Print a table per region: health, replicas (running/booting/target), floor, capacityScaler, DNS locations served, open incidents.',
  usage: 'georoute status --config FILE',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
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
    const deps = createDeps(config, { logger: createLogger({ minSeverity: 'CRITICAL' }) });
    try {
      const result = await reconcile(
        deps,
        config,
        { kind: 'manual', eventId: `status-${Date.now()}` },
        { dryRun: true },
      );
      const { formatStatus } = require('./format') as typeof import('./format');
      console.log(formatStatus(config, result));
      return result.errors.length > 0 ? 1 : 0;
    } finally {
      await deps.gcp.close();
    }
  },
};
