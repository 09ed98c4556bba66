import { parseArgs } from 'node:util';
import type { Command } from '../main';
import { readLive } from './read-live';

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
    const live = await readLive(values.config);
    if (!live) return 1;
    const { config, result } = live;
    const { diffPlans } = require('../../shared/plan/diff') as typeof import('../../shared/plan/diff');
    const diff = diffPlans(result.derived.input.current, result.plan);
    if (values.json) {
      console.log(JSON.stringify({ plan: result.plan, reasons: result.reasons, diff, errors: result.errors }, null, 2));
    } else {
      const { formatPlan } = require('./format') as typeof import('./format');
      console.log(formatPlan(config, result, diff));
    }
    return result.errors.length > 0 ? 1 : 0;
  },
};
