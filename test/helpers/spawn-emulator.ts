import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface SpawnedEmulator {
  child: ChildProcess;
  lines: string[];
  restUrl: string;
  pubsubHost: string;
  stop(): Promise<number | null>;
}

/** Runs the built `georoute emulator` binary (dist/, built by `npm test`) and waits for its two lines. */
export async function spawnEmulator(args: string[] = ['--port', '0', '--pubsub-port', '0']): Promise<SpawnedEmulator> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/georoute.js'), 'emulator', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const rl = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${stderr}`));
    });
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 2) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const value = (key: string) => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
  return {
    child,
    lines,
    restUrl: value('GEOROUTE_EMULATOR'),
    pubsubHost: value('PUBSUB_EMULATOR_HOST'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
