import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, spawnEmulator } from '../helpers/spawn-emulator';

test('a script using only the official client libraries works against `georoute emulator`', async () => {
  // The clients working is under test, not Google's clock: its three operations (5–15 s each) pass 50× faster.
  const emu = await spawnEmulator(['--port', '0', '--pubsub-port', '0', '--clock-speed', '50']);
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'examples/official-clients.js')],
      {
        env: { ...process.env, NODE_OPTIONS: '', GEOROUTE_EMULATOR: emu.restUrl, PUBSUB_EMULATOR_HOST: emu.pubsubHost },
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(/backend service created: llm, timeoutSec 600/);
    expect(stdout).toMatch(/stale fingerprint refused: HTTP 412 conditionNotMet/);
    expect(stdout).toMatch(/geo record set: us-east4→198\.51\.100\.2, europe-west4→198\.51\.100\.3/);
    expect(stdout).toMatch(/published to projects\/demo-project\/topics\/hello: message \S+/);
  } finally {
    await emu.stop();
  }
});
