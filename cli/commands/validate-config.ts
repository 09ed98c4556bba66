import { parseArgs } from 'node:util';
import type { Command } from '../main';

export const validateConfigCommand: Command = {
  name: 'validate-config',
  summary: 'Check a georoute.yaml: print every error with its path (exit 1), or a one-line summary (exit 0).',
  usage: 'georoute validate-config FILE',
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) {
      console.error(`usage: ${validateConfigCommand.usage}`);
      return 2;
    }
    // Loaded here, not at the top: other commands must not pay for zod and yaml.
    const { loadConfig } = require('../../shared/config/load') as typeof import('../../shared/config/load');
    const result = await loadConfig(file);
    if (!result.ok) {
      for (const line of result.errors) console.error(`${file}: ${line}`);
      console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
      return 1;
    }
    const c = result.config;
    // What Compute Engine would refuse when bootstrap builds the GPU stack (machine ↔ GPU ↔ zone ↔ disk).
    const { deployabilityIssues } =
      require('../../shared/config/infra-checks') as typeof import('../../shared/config/infra-checks');
    const issues = deployabilityIssues(c);
    if (issues.length > 0) {
      for (const line of issues) console.error(`${file}: ${line}`);
      console.error(`${issues.length} error${issues.length === 1 ? '' : 's'}`);
      return 1;
    }
    const replicas = c.regions.reduce((s, r) => s + r.minReplicas, 0);
    console.log(
      `${file}: ok — project ${c.project}, ${c.regions.length} regions, ${c.clientLocations.length} client locations, ` +
        `min ${replicas} replicas, GPU budget ${c.gpuBudget.maxTotalAccelerators}`,
    );
    return 0;
  },
};
