import net from 'node:net';
import { spawnEmulator } from '../helpers/spawn-emulator';

test('`georoute emulator --port 0 --pubsub-port 0` prints exactly the two endpoint lines and serves them', async () => {
  const emu = await spawnEmulator();
  try {
    expect(emu.lines[0]).toMatch(/^GEOROUTE_EMULATOR=http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.lines[1]).toMatch(/^PUBSUB_EMULATOR_HOST=127\.0\.0\.1:\d+$/);
    const health = await fetch(`${emu.restUrl}/__emulator/health`);
    expect(await health.json()).toEqual({ ok: true });
    const [host, port] = emu.pubsubHost.split(':');
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), host, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  } finally {
    expect(await emu.stop()).toBe(0);
  }
});

test('a bad port is one clear error, not a stack trace', async () => {
  await expect(spawnEmulator(['--port', 'abc'])).rejects.toThrow(/--port must be a port number/);
});
