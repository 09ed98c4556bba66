import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunOutcome } from './outcomes';
import { renderComparison } from './report/compare';
import { type SimulateOptions, type SimulationRecord, simulate } from './runner';

/** What `georoute simulate --baseline native --json OUT` writes. */
export interface Comparison {
  scenario: string;
  runs: { native: RunOutcome; georoute: RunOutcome };
}

export type CompareResult =
  | {
      ok: true;
      comparison: Comparison;
      records: { native: SimulationRecord; georoute: SimulationRecord };
      reportPath?: string;
    }
  | { ok: false; errors: string[] };

/**
 * Plays one scenario twice on fresh twins — same seed, load and faults — first with Google's native
 * mechanisms only, then with georoute — and puts the two outcomes side by side. Both runs fast-forward
 * (demo/pacer.ts): the comparison is about simulated time, not about watching it.
 */
export async function compareWithNative(
  options: Omit<SimulateOptions, 'mode' | 'pace' | 'reportDir'> & { jsonFile?: string; reportDir?: string },
): Promise<CompareResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const records: Partial<Record<'native' | 'georoute', SimulationRecord>> = {};
  for (const mode of ['native', 'georoute'] as const) {
    const result = await simulate({ ...options, reportDir: undefined, mode, pace: 'fast', quiet: true, print });
    if (!result.ok) return result;
    records[mode] = result.record;
  }
  const native = records.native!;
  const georoute = records.georoute!;
  const comparison: Comparison = {
    scenario: georoute.scenario.name,
    runs: { native: native.outcome, georoute: georoute.outcome },
  };
  for (const line of describeComparison(comparison)) print(line);
  if (options.jsonFile) {
    mkdirSync(path.dirname(path.resolve(options.jsonFile)), { recursive: true });
    writeFileSync(options.jsonFile, `${JSON.stringify(comparison, null, 2)}\n`);
    print(`  json: ${path.resolve(options.jsonFile)}`);
  }
  let reportPath: string | undefined;
  if (options.reportDir) {
    mkdirSync(options.reportDir, { recursive: true });
    reportPath = path.resolve(options.reportDir, 'index.html');
    writeFileSync(reportPath, renderComparison(native, georoute));
    print(`  report: ${reportPath}`);
  }
  return { ok: true, comparison, records: { native, georoute }, reportPath };
}

/** The side-by-side table printed after both runs. */
export function describeComparison(c: Comparison): string[] {
  const { native: n, georoute: g } = c.runs;
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  const sec = (v: number | null) => (v === null ? 'never' : `${v} s`);
  const rows: Array<[string, string, string]> = [
    ['requests', String(n.requests), String(g.requests)],
    ['within SLO', pct(n.slo), pct(g.slo)],
    ['failed', pct(n.errors), pct(g.errors)],
    ['time to healthy', sec(n.timeToHealthySec), sec(g.timeToHealthySec)],
    ['GPU-hours', n.gpuHours.toFixed(2), g.gpuHours.toFixed(2)],
    ['fence violations', String(n.fenceViolations), String(g.fenceViolations)],
    ['API writes', String(n.apiWrites), String(g.apiWrites)],
  ];
  return [
    '',
    `Native Google failover vs georoute — ${c.scenario}`,
    `  ${'metric'.padEnd(18)} ${'native'.padStart(12)} ${'georoute'.padStart(12)}`,
    ...rows.map(([k, a, b]) => `  ${k.padEnd(18)} ${a.padStart(12)} ${b.padStart(12)}`),
  ];
}
