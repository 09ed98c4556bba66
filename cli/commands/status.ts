import { parseArgs } from 'node:util';
import type { Command } from '../main';
import { readLive } from './read-live';

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
    const live = await readLive(values.config);
    if (!live) return 1;
    const { formatStatus } = require('./format') as typeof import('./format');
    console.log(formatStatus(live.config, live.result));
    return live.result.errors.length > 0 ? 1 : 0;
  },
};
