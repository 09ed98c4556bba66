import { bootstrapCommand } from './commands/bootstrap';
import { emulatorCommand } from './commands/emulator';
import { planCommand } from './commands/plan';
import { simulateCommand } from './commands/simulate';
import { statusCommand } from './commands/status';
import { validateConfigCommand } from './commands/validate-config';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Command[] = [
  simulateCommand,
  emulatorCommand,
  validateConfigCommand,
  bootstrapCommand,
  planCommand,
  statusCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: georoute <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'georoute <command> --help' for a command's options.",
  ].join('\n');
}

/** Entry of the `georoute` binary. Resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`georoute: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  return command.run(rest);
}
