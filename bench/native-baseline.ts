import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Comparison, compareWithNative } from '../demo/compare';
import { ROOT } from './configs';
import type { Section } from './report';

/** The comparison scenarios (issue 16) and the goal each is held to beyond the common ones. */
const SCENARIOS: Array<{ file: string; sloMargin: number }> = [
  { file: 'outage-at-peak.yaml', sloMargin: 0 },
  { file: 'gray-failure.yaml', sloMargin: 0.05 },
  { file: 'stockout-surge.yaml', sloMargin: 0.05 },
  { file: 'spike-capacity-request.yaml', sloMargin: 0 },
  { file: 'diurnal-24h.yaml', sloMargin: 0 },
];

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const sec = (v: number | null) => (v === null ? 'never' : `${v} s`);
const mark = (ok: boolean) => (ok ? '✅' : '❌');

/** Which goals a comparison meets: SLO (with margin), GPU-hours ≤ native × 1.05, no fence violation, time to healthy. */
export function goals(c: Comparison, sloMargin: number) {
  const { native: n, georoute: g } = c.runs;
  return {
    slo: g.slo >= n.slo + sloMargin - 1e-9,
    gpu: g.gpuHours <= n.gpuHours * 1.05 + 1e-9,
    fences: g.fenceViolations === 0,
    healthy: n.timeToHealthySec === null || (g.timeToHealthySec !== null && g.timeToHealthySec <= n.timeToHealthySec),
  };
}

/**
 * Each comparison scenario played twice on fresh twins — Google's native failover alone, then georoute —
 * through `georoute simulate --baseline native` (demo/compare.ts). One run each: the runs are
 * deterministic up to the functions' real latency (demo/pacer.ts), so repetitions would repeat.
 */
export async function nativeBaseline(): Promise<Section> {
  const dir = path.join(ROOT, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const table = [
    '| scenario | run | within SLO | failed | time to healthy | GPU-hours | fence violations | API writes | goals |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const notes: string[] = [];
  for (const s of SCENARIOS) {
    const started = Date.now();
    const result = await compareWithNative({
      scenarioFile: path.join(ROOT, 'examples', 'scenarios', s.file),
      jsonFile: path.join(dir, s.file.replace(/\.yaml$/, '.json')),
      print: () => undefined,
    });
    if (!result.ok) throw new Error(`${s.file}: ${result.errors.join('; ')}`);
    const c = result.comparison;
    const g = goals(c, s.sloMargin);
    for (const run of ['native', 'georoute'] as const) {
      const o = c.runs[run];
      const goalText =
        run === 'georoute'
          ? `SLO ${s.sloMargin > 0 ? `≥ native + ${s.sloMargin * 100} pts` : '≥ native'} ${mark(g.slo)} · GPU ≤ 1.05× ${mark(g.gpu)} · fences ${mark(g.fences)} · healthy ≤ native ${mark(g.healthy)}`
          : '';
      table.push(
        `| ${run === 'native' ? c.scenario : ''} | ${run} | ${pct(o.slo)} | ${pct(o.errors)} | ${sec(o.timeToHealthySec)} | ${o.gpuHours.toFixed(2)} | ${o.fenceViolations} | ${o.apiWrites} | ${goalText} |`,
      );
    }
    notes.push(
      `${c.scenario}: both runs in ${((Date.now() - started) / 1000).toFixed(0)} s real (examples/scenarios/${s.file})`,
    );
  }
  return {
    id: 'native',
    title: 'georoute vs native Google failover',
    method:
      'Each scenario of examples/scenarios listed below is played twice on fresh twins with the same seed, load and faults ' +
      '(`georoute simulate --scenario F --baseline native --json bench/out/F.json`): first the stack set up for ' +
      "Google's own failover with georoute's functions off (the native baseline, described above), then the stack " +
      'as deployed with georoute. Figures cover the scenario window (after the warm-up); SLO = answered successfully ' +
      'within `slo.latencyMs` (3 s). The twin runs on its default, Google-documented timings.',
    rows: [],
    notes,
    table,
  };
}
