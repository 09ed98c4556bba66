import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TIMINGS, FAST_TIMINGS, resolveTimings } from '../../../emulator/core/timings';

test('every timing is in the "Time" table of docs/EMULATOR.md, with its source', () => {
  const doc = readFileSync(path.join(__dirname, '../../../docs/EMULATOR.md'), 'utf8');
  const time = doc.slice(doc.indexOf('## Time'), doc.indexOf('## Control API'));
  for (const field of Object.keys(DEFAULT_TIMINGS)) expect(time).toContain(`\`${field}\``);
});

test('overrides merge key by key; operationRunningMs alone sets every kind', () => {
  const t = resolveTimings({ metricVisibilityMs: { user: 0 } });
  expect(t.metricVisibilityMs.user).toBe(0);
  expect(t.metricVisibilityMs['loadbalancing.googleapis.com/https/request_count']).toBe(210_000);
  expect(t.operationRunningByKind.backendServices).toBe(15_000);
  expect(resolveTimings({ operationRunningMs: 7 }).operationRunningByKind).toEqual({});
  expect(
    resolveTimings({ operationRunningMs: 7, operationRunningByKind: { urlMaps: 1 } }).operationRunningByKind,
  ).toEqual(expect.objectContaining({ urlMaps: 1, backendServices: 15_000 }));
});

test('FAST_TIMINGS makes every ingestion latency 0', () => {
  expect(Object.values(resolveTimings(FAST_TIMINGS).metricVisibilityMs).every((ms) => ms === 0)).toBe(true);
});
