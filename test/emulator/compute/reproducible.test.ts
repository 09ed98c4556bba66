import { startTwin } from '../../helpers/twin';

/** The same seed gives the same run: fingerprints come from the twin's random, not from crypto. */
test('two twins with the same seed give the same fingerprints', async () => {
  const run = async () => {
    const w = await startTwin({ random: 42, startTime: Date.UTC(2026, 0, 1), timings: 'lb' });
    try {
      const [lro] = await w.gcp.compute.backendServices.insert({
        project: w.project,
        backendServiceResource: { name: 'bs', protocol: 'HTTP' },
      });
      await w.done([lro]);
      const [bs] = await w.gcp.compute.backendServices.get({ project: w.project, backendService: 'bs' });
      return bs.fingerprint;
    } finally {
      await w.close();
    }
  };
  const first = await run();
  expect(first).toMatch(/^[A-Za-z0-9+/]{11}=$/);
  expect(await run()).toEqual(first);
});
