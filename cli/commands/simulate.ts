import { parseArgs } from 'node:util';
import type { Command } from '../main';

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'Play a scenario (examples/scenarios/*.yaml) end to end on the local twin: emulator, bootstrap, the three ' +
    'functions, client load, failures; a live timeline, measured reaction times, and an HTML report (--report DIR).',
  usage: 'georoute simulate --scenario FILE [--speed N] [--report DIR] [--quiet]',
  async run(argv) {
    let values: { scenario?: string; speed?: string; report?: string; quiet?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          scenario: { type: 'string' },
          speed: { type: 'string' },
          report: { type: 'string' },
          quiet: { type: 'boolean', default: false },
        },
        strict: true,
      }));
    } catch (err) {
      console.error(`${(err as Error).message}\nusage: ${simulateCommand.usage}`);
      return 2;
    }
    if (!values.scenario) {
      console.error(`usage: ${simulateCommand.usage}`);
      return 2;
    }
    const speed = values.speed === undefined ? undefined : Number(values.speed);
    if (speed !== undefined && !(speed >= 1 && speed <= 1000)) {
      console.error(`--speed must be a number from 1 to 1000, got '${values.speed}'`);
      return 2;
    }
    // Loaded here: other commands must not pay for the emulator and the functions.
    const { simulate } = require('../../demo/runner') as typeof import('../../demo/runner');
    const result = await simulate({
      scenarioFile: values.scenario,
      speed,
      reportDir: values.report,
      quiet: values.quiet,
      color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    });
    if (!result.ok) {
      for (const line of result.errors) console.error(line);
      console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'}: nothing was simulated`);
      return 1;
    }
    return 0;
  },
};
