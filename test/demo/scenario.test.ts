import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expandSteps, loadFor, loadScenario, parseDuration, parseScenario } from '../../demo/scenario';

const DIR = path.join(__dirname, '../../examples/scenarios');

test.each(readdirSync(DIR).filter((f) => f.endsWith('.yaml')))('examples/scenarios/%s is valid', async (file) => {
  const result = await loadScenario(path.join(DIR, file));
  expect(result.ok ? [] : result.errors).toEqual([]);
});

test('the four required scenarios exist', () => {
  const files = readdirSync(DIR);
  for (const f of ['regional-outage.yaml', 'gpu-stockout.yaml', 'capacity-burst.yaml', 'flapping-health.yaml'])
    expect(files).toContain(f);
});

test('durations: units, compounds and plain seconds; defaults are applied as durations', () => {
  expect(parseDuration('90s')).toBe(90_000);
  expect(parseDuration('1m30s')).toBe(90_000);
  expect(parseDuration('2h')).toBe(7_200_000);
  expect(parseDuration(45)).toBe(45_000);
  expect(parseDuration('5 minutes')).toBeUndefined();
  const r = parseScenario({ name: 'x', config: 'c.yaml', duration: '10m' }, '/tmp/s/x.yaml');
  if (!r.ok) throw new Error(r.errors.join());
  expect(r.scenario).toMatchObject({
    duration: 600_000,
    tick: 60_000,
    warmup: 720_000,
    sampleEvery: 30_000,
    speed: 50,
  });
  expect(r.configPath).toBe('/tmp/s/c.yaml');
});

test('errors name their path; a step needs exactly one action', () => {
  const r = parseScenario({
    name: 'x',
    config: 'c.yaml',
    duration: 'soon',
    steps: [
      { at: '1m' },
      { at: '2m', setLoad: { scale: 2 }, recoverRegion: { region: 'us-east4' } },
      { at: '3m', failRegion: { region: 'us-east4' } },
      { at: '4m', stockout: { zone: 'nowhere' } },
    ],
  });
  expect(r.ok).toBe(false);
  const errors = r.ok ? [] : r.errors.join('\n');
  expect(errors).toMatch(/^duration: must be a duration/m);
  expect(errors).toMatch(/^steps\[0\]: a step needs exactly one action .*got none/m);
  expect(errors).toMatch(/^steps\[1\]: .*got setLoad, recoverRegion/m);
  expect(errors).toMatch(/^steps\[2\]\.failRegion: give kill, health and\/or errorRate/m);
  expect(errors).toMatch(/^steps\[3\]\.stockout\.zone: must be a zone name/m);
});

test('repeats expand in time order; load specs scale expectedRps and override locations', () => {
  const r = parseScenario({
    name: 'x',
    config: 'c.yaml',
    duration: '10m',
    steps: [
      { at: '1m', repeat: { every: '1m', times: 3 }, incident: { region: 'us-east4', state: 'open' } },
      { at: '1m30s', setLoad: { scale: 2 } },
    ],
  });
  if (!r.ok) throw new Error(r.errors.join());
  expect(expandSteps(r.scenario.steps).map((s) => s.at)).toEqual([60_000, 90_000, 120_000, 180_000]);
  const locations = [{ location: 'a', expectedRps: 4 }, { location: 'b', expectedRps: 3 }, { location: 'c' }];
  expect(loadFor({ scale: 1.5, locations: { b: 10 } }, locations)).toEqual({ a: 6, b: 10, c: 0 });
  expect(loadFor({ locations: { b: 10 } }, locations)).toEqual({ b: 10 });
});
