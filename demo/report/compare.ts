import type { MinuteOutcome } from '../outcomes';
import type { SimulationRecord } from '../runner';
import { clockLabel } from '../timeline';
import { CSS } from './index';
import { esc, type LineSeries, lineChart, type Marker } from './svg';

const RUNS = [
  { key: 'native', label: 'native (Google only)', color: '#9aa0a6', dash: true },
  { key: 'georoute', label: 'georoute', color: '#1a73e8', dash: false },
] as const;

/**
 * The comparison report: both runs' SLO attainment, failures and GPUs minute by minute, one chart per
 * metric with both runs on it, the outcome table and the scenario's steps as numbered markers.
 */
export function renderComparison(native: SimulationRecord, georoute: SimulationRecord): string {
  const records = { native, georoute };
  const x1 = georoute.scenario.duration / 60_000;
  const W = 1000;
  const steps = georoute.steps.filter(
    (s) => s.action !== 'incident' || s === georoute.steps.find((x) => x.action === 'incident'),
  );
  const markers: Marker[] = steps.map((s, i) => ({
    x: (s.at - georoute.t0) / 60_000,
    label: String(i + 1),
    color: '#7b2d8e',
  }));
  const series = (pick: (m: MinuteOutcome) => number): LineSeries[] =>
    RUNS.map((run) => ({
      name: run.label,
      color: run.color,
      dash: run.dash,
      width: 2.2,
      step: true,
      points: records[run.key].outcome.minutes.map((m): [number, number] => [m.minute, pick(m)]),
    }));
  const pctFrame = { width: W, height: 260, x0: 0, x1, markers, yFormat: (v: number) => `${Math.round(v * 100)}%` };
  const minSlo = Math.min(0.9, ...RUNS.flatMap((r) => records[r.key].outcome.minutes.map((m) => m.slo)));
  const sloChart = lineChart(
    { ...pctFrame, y0: Math.max(0, Math.floor(minSlo * 10) / 10), y1: 1.001, yLabel: 'within SLO' },
    series((m) => m.slo),
  );
  const maxErr = Math.max(0.05, ...RUNS.flatMap((r) => records[r.key].outcome.minutes.map((m) => m.errors)));
  const errorChart = lineChart(
    { ...pctFrame, y0: 0, y1: Math.min(1, Math.ceil(maxErr * 20) / 20 + 0.05), yLabel: 'failed' },
    series((m) => m.errors),
  );
  const maxGpus = Math.max(4, ...RUNS.flatMap((r) => records[r.key].outcome.minutes.map((m) => m.gpus)));
  const gpuChart = lineChart(
    { width: W, height: 260, x0: 0, x1, y0: 0, y1: maxGpus + 1, yLabel: 'GPUs (RUNNING VMs)', markers, integer: true },
    series((m) => m.gpus),
  );

  const n = native.outcome;
  const g = georoute.outcome;
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  const sec = (v: number | null) => (v === null ? 'never' : `${v} s`);
  const rows: Array<[string, string, string]> = [
    ['client requests', String(n.requests), String(g.requests)],
    [`answered within ${georoute.config.slo.latencyMs} ms`, pct(n.slo), pct(g.slo)],
    ['failed', pct(n.errors), pct(g.errors)],
    ['time to healthy (≥ 95 % within SLO again)', sec(n.timeToHealthySec), sec(g.timeToHealthySec)],
    ['GPU-hours', n.gpuHours.toFixed(2), g.gpuHours.toFixed(2)],
    ['fence violations (requests)', String(n.fenceViolations), String(g.fenceViolations)],
    ['mutating API calls', String(n.apiWrites), String(g.apiWrites)],
  ];
  const table = rows.map(([k, a, b]) => `<tr><td>${esc(k)}</td><td>${esc(a)}</td><td>${esc(b)}</td></tr>`).join('');
  const legend = RUNS.map(
    (r) =>
      `<span class="key"><i style="background:${r.color}${r.dash ? ';opacity:.7' : ''}"></i>${esc(r.label)}</span>`,
  ).join('');
  const events = steps
    .map(
      (s, i) =>
        `<li><span class="badge" style="background:#7b2d8e">${i + 1}</span><b>${clockLabel(s.at, georoute.t0)}</b> ${esc(s.text)}</li>`,
    )
    .join('');
  const section = (title: string, note: string, chart: string) =>
    `<section><h2>${esc(title)} <small>${esc(note)}</small></h2><div class="legend">${legend}</div>${chart}</section>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>georoute vs native — ${esc(georoute.scenario.name)}</title>
<style>${CSS}</style></head>
<body><main>
<header><h1>Native Google failover vs georoute — ${esc(georoute.scenario.name)}</h1>
<p class="lead">${esc(georoute.scenario.description)}</p>
<p class="meta">The same scenario (seed ${georoute.scenario.seed}, load and faults) on two fresh twins: the native run has georoute's functions off and the stack set up for Google's own failover (docs/BENCHMARKS.md); the georoute run is the stack as deployed. ${Math.round(x1)} simulated minutes each.</p></header>
<section><h2>Outcome</h2><table class="timeline"><thead><tr><th>metric</th><th>native</th><th>georoute</th></tr></thead><tbody>${table}</tbody></table></section>
<section><h2>Events</h2><ul class="events">${events}</ul></section>
${section('Requests answered within the SLO', 'per minute, share of all client requests', sloChart)}
${section('Requests failed', 'per minute: 5xx, shed, or sent where nothing serves', errorChart)}
${section('GPUs', 'on RUNNING VMs, end of each minute', gpuChart)}
</main></body></html>
`;
}
