import { parseArgs } from 'node:util';
import type { Command } from '../main';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the local twin of the Google Cloud APIs georoute uses (Compute, Cloud DNS, Monitoring, Pub/Sub).',
  usage: 'georoute emulator [--port P] [--pubsub-port Q] [--state FILE] [--clock-speed N]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        'pubsub-port': { type: 'string', default: '0' },
        state: { type: 'string' },
        'clock-speed': { type: 'string', default: '1' },
      },
      strict: true,
    });
    const port = parsePort(values.port, '--port');
    const pubsubPort = parsePort(values['pubsub-port'], '--pubsub-port');
    const clockSpeed = Number(values['clock-speed']);
    if (!(clockSpeed > 0)) throw new Error(`--clock-speed must be a positive number, got '${values['clock-speed']}'`);

    // Loaded here, not at the top: other commands must not pay for the emulator.
    const { startEmulator } = require('../../emulator') as typeof import('../../emulator');
    const emulator = await startEmulator({ port, pubsubPort, stateFile: values.state, clockSpeed });
    // Exactly these two lines on stdout, so scripts can `eval` or parse them.
    process.stdout.write(`GEOROUTE_EMULATOR=${emulator.restUrl}\nPUBSUB_EMULATOR_HOST=${emulator.pubsubHost}\n`);
    process.stderr.write(
      [
        '',
        'georoute emulator is up. Point the official clients at it:',
        `  export GEOROUTE_EMULATOR=${emulator.restUrl}   # Compute, Cloud DNS, Monitoring (georoute's client factory)`,
        `  export PUBSUB_EMULATOR_HOST=${emulator.pubsubHost}        # Pub/Sub (any official client)`,
        `Control API: ${emulator.restUrl}/__emulator/ (clock, faults, requests, state) — see docs/EMULATOR.md`,
        values.state
          ? `State is saved to ${values.state} on exit.`
          : 'State is in memory only (use --state FILE to keep it).',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await emulator.stop();
    return 0;
  },
};

function parsePort(value: string | undefined, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${flag} must be a port number 0–65535, got '${value}'`);
  return port;
}
