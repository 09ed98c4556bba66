import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CompareResult, compareWithNative } from '../../demo/compare';

/**
 * `georoute simulate --baseline native`: the same scenario on two fresh twins, Google's native failover
 * alone and then georoute. Checks the JSON's shape and that both runs really ran — the figures
 * themselves are benchmark results (docs/BENCHMARKS.md), not test assertions.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'georoute-compare-'));
const jsonFile = path.join(dir, 'out', 'comparison.json');
let result: Extract<CompareResult, { ok: true }>;

beforeAll(async () => {
  const r = await compareWithNative({
    scenarioFile: path.join(__dirname, '../fixtures/scenarios/short-gray.yaml'),
    jsonFile,
    reportDir: path.join(dir, 'report'),
    print: () => undefined,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  result = r;
}, 240_000);

const METRICS = ['requests', 'slo', 'errors', 'timeToHealthySec', 'gpuHours', 'fenceViolations', 'apiWrites'];

test('the JSON file holds both runs with every metric', () => {
  const json = JSON.parse(readFileSync(jsonFile, 'utf8'));
  expect(json.scenario).toBe('Short gray failure');
  expect(Object.keys(json.runs).sort()).toEqual(['georoute', 'native']);
  for (const run of Object.values(json.runs) as Array<Record<string, unknown>>) {
    for (const k of METRICS) expect(run).toHaveProperty(k);
    expect(run.requests).toBeGreaterThan(0);
    expect(run.slo).toBeGreaterThanOrEqual(0);
    expect(run.slo).toBeLessThanOrEqual(1);
    expect(run.errors).toBeGreaterThan(0); // the gray failure reached the clients in both runs
    expect(run.gpuHours).toBeGreaterThan(0);
    expect(run.timeToHealthySec === null || typeof run.timeToHealthySec === 'number').toBe(true);
  }
});

test('both runs really ran: georoute wrote to Google, native had no writer at all', () => {
  const { native, georoute } = result.records;
  expect(georoute.outcome.apiWrites).toBeGreaterThan(0);
  expect(georoute.ticks).toBeGreaterThan(0);
  expect(native.outcome.apiWrites).toBe(0);
  expect(native.ticks).toBe(0);
  // Same scenario, same load: the same clients asked in both runs.
  expect(Math.abs(native.outcome.requests - georoute.outcome.requests) / georoute.outcome.requests).toBeLessThan(0.02);
});

test('the report draws both runs on one chart per metric', () => {
  const html = readFileSync(result.reportPath!, 'utf8');
  for (const title of ['Requests answered within the SLO', 'Requests failed', 'GPUs']) expect(html).toContain(title);
  expect(html.match(/<svg /g)?.length).toBe(3);
  expect(html.match(/<title>native \(Google only\)<\/title>/g)?.length).toBe(3);
  expect(html.match(/<title>georoute<\/title>/g)?.length).toBe(3);
});
