import { type Emulator, startEmulator } from '../../emulator';
import { GcpClients } from '../../shared/gcp/clients';

let emu: Emulator;
let gcp: GcpClients;
beforeAll(async () => {
  emu = await startEmulator({ clockSpeed: 100 });
  gcp = new GcpClients({ projectId: 'p1', emulator: emu.restUrl, pubsubHost: emu.pubsubHost });
});
afterAll(async () => {
  await gcp.close();
  await emu.stop();
});

test('a compute client reaches the emulator and gets a Google-shaped 404', async () => {
  await expect(gcp.compute.backendServices.get({ project: 'p1', backendService: 'nope' })).rejects.toMatchObject({
    code: 404,
  });
});
