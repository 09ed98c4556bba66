import { parseArgs } from 'node:util';
import type { Command } from '../main';

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'Play a scenario (examples/scenarios/*.yaml) end to end on the local twin: emulator, bootstrap, the three ' +
    'functions, client load, failures; a live timeline, measured reaction times, and an HTML report (--report DIR). ' +
    'With --baseline native, play it twice — Google’s native failover alone, then georoute — and compare (--json OUT).',
  usage:
    'georoute simulate --scenario FILE [--speed N | --fast] [--report DIR] [--quiet]\n' +
    '       georoute simulate --scenario FILE --baseline native [--json OUT] [--report DIR]',
  async run(argv) {
    let values: {
      scenario?: string;
      speed?: string;
      report?: string;
      quiet?: boolean;
      fast?: boolean;
      baseline?: string;
      json?: string;
    };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          scenario: { type: 'string' },
          speed: { type: 'string' },
          report: { type: 'string' },
          quiet: { type: 'boolean', default: false },
          fast: { type: 'boolean', default: false },
          baseline: { type: 'string' },
          json: { type: 'string' },
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
    if (values.baseline !== undefined && values.baseline !== 'native') {
      console.error(`--baseline takes 'native' (Google's own failover), got '${values.baseline}'`);
      return 2;
    }
    if (values.json !== undefined && values.baseline === undefined) {
      console.error('--json writes the comparison: give it with --baseline native');
      return 2;
    }
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const fail = (errors: string[]) => {
      for (const line of errors) console.error(line);
      console.error(`${errors.length} error${errors.length === 1 ? '' : 's'}: nothing was simulated`);
      return 1;
    };
    // Loaded here: other commands must not pay for the emulator and the functions.
    if (values.baseline === 'native') {
      const { compareWithNative } = require('../../demo/compare') as typeof import('../../demo/compare');
      const result = await compareWithNative({
        scenarioFile: values.scenario,
        jsonFile: values.json,
        reportDir: values.report,
        color,
      });
      return result.ok ? 0 : fail(result.errors);
    }
    const { simulate } = require('../../demo/runner') as typeof import('../../demo/runner');
    const result = await simulate({
      scenarioFile: values.scenario,
      speed,
      pace: values.fast ? 'fast' : 'live',
      reportDir: values.report,
      quiet: values.quiet,
      color,
    });
    return result.ok ? 0 : fail(result.errors);
  },
};
