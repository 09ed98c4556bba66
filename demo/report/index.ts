import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimulationRecord } from '../runner';
import { clockLabel } from '../timeline';
import { esc, type LineSeries, lineChart, type Marker, stackedChart } from './svg';

export const REGION_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2', '#edc948', '#9c755f'];
const LOCATION_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
  '#637939',
  '#843c39',
  '#7b4173',
  '#3182bd',
];
const FAILED_COLOR = '#9aa0a6';
const MARKER_COLORS: Record<string, string> = {
  step: '#7b2d8e',
  alertOpen: '#d62728',
  alertClose: '#2ca02c',
  drain: '#111111',
  dns: '#1f5fbf',
};

interface Annotation extends Marker {
  at: number;
  text: string;
}

/** Writes `dir/index.html` (self-contained: inline CSS and SVG, no script, no external asset). */
export function writeReport(record: SimulationRecord, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.html');
  writeFileSync(file, renderReport(record));
  return path.resolve(file);
}

export function renderReport(r: SimulationRecord): string {
  const min = (at: number) => (at - r.t0) / 60_000;
  const x1 = r.scenario.duration / 60_000;
  const regions = r.config.regions.map((x) => x.name);
  const color = new Map(regions.map((name, i) => [name, REGION_COLORS[i % REGION_COLORS.length]!]));
  const locations = r.config.clientLocations.map((l) => l.location);
  const annotations = buildAnnotations(r);
  const markers = annotations.map((a) => ({ x: a.x, label: a.label, color: a.color }));
  const xs = r.samples.map((s) => min(s.at));
  const W = 1000;

  const maxReplicas = Math.max(
    4,
    ...r.samples.flatMap((s) => Object.values(s.regions).map((g) => Math.max(g.target, g.running))),
  );
  const replicas = lineChart(
    { width: W, height: 300, x0: 0, x1, y0: 0, y1: maxReplicas + 1, yLabel: 'replicas', markers, integer: true },
    regions.flatMap((name): LineSeries[] => [
      {
        name: `${name} healthy`,
        color: color.get(name)!,
        step: true,
        points: r.samples.map((s) => [min(s.at), s.regions[name]?.healthy ?? null]),
      },
      {
        name: `${name} target`,
        color: color.get(name)!,
        step: true,
        dash: true,
        width: 1.5,
        points: r.samples.map((s) => [min(s.at), s.regions[name]?.target ?? null]),
      },
    ]),
  );
  const scalerPoints = (name: string): Array<[number, number | null]> => {
    const pts: Array<[number, number | null]> = [];
    const first = r.samples[0]?.regions[name]?.capacityScaler;
    if (first !== undefined) pts.push([0, first]);
    for (const e of r.events)
      if (e.kind === 'scaler' && e.region === name && e.at > r.t0 && e.at <= r.end) pts.push([min(e.at), e.to]);
    const last = pts.at(-1);
    if (last) pts.push([x1, last[1]]);
    return pts;
  };
  const scalers = lineChart(
    {
      width: W,
      height: 220,
      x0: 0,
      x1,
      y0: -0.05,
      y1: 1.08,
      yTicks: [0, 0.1, 0.5, 1],
      yLabel: 'capacityScaler',
      markers,
    },
    regions.map((name, i) => ({
      name,
      color: color.get(name)!,
      step: true,
      width: 2.5,
      // Offset overlapping lines a hair so every region stays visible at 1.0.
      points: scalerPoints(name).map(([x, y]): [number, number | null] => [x, y === null ? null : y + (i - 2) * 0.006]),
    })),
  );

  const shares = locations
    .map((loc) => {
      // Per region the share it served successfully; on top, in grey, the share that failed.
      const ok = (region: string) =>
        r.samples.map((s) => {
          const l = s.locations[loc];
          return l && l.rps > 0 ? ((l.served[region] ?? 0) * (1 - (s.regions[region]?.errorRatio ?? 1))) / l.rps : 0;
        });
      const failed = r.samples.map((s) => s.locations[loc]?.errorRatio ?? 0);
      const chart = stackedChart(
        {
          width: 320,
          height: 130,
          x0: 0,
          x1,
          y0: 0,
          y1: 1,
          yTicks: [0, 0.5, 1],
          yFormat: (v) => `${v * 100}%`,
          yLabel: 'share',
          markers,
          compact: true,
          title: loc,
        },
        xs,
        [
          ...regions.map((name) => ({ name, color: color.get(name)!, values: ok(name) })),
          { name: 'failed (5xx)', color: FAILED_COLOR, values: failed },
        ],
      );
      return `<div class="small">${chart}</div>`;
    })
    .join('');

  const p95s = r.samples.flatMap((s) => Object.values(s.locations).map((l) => l.p95Ms ?? 0));
  const yMax = Math.min(40, Math.max(2, Math.ceil((Math.max(0, ...p95s) / 1000) * 1.1)));
  const latency = lineChart(
    { width: W, height: 320, x0: 0, x1, y0: 0, y1: yMax, yLabel: 'p95 latency (s)', markers },
    locations.map((loc, i) => ({
      name: loc,
      color: LOCATION_COLORS[i % LOCATION_COLORS.length]!,
      width: 1.6,
      points: r.samples.map((s) => [
        min(s.at),
        s.locations[loc]?.p95Ms == null ? null : (s.locations[loc]!.p95Ms as number) / 1000,
      ]),
    })),
  );
  const errorChart = lineChart(
    {
      width: W,
      height: 200,
      x0: 0,
      x1,
      y0: 0,
      y1: 1,
      yTicks: [0, 0.25, 0.5, 0.75, 1],
      yFormat: (v) => `${Math.round(v * 100)}%`,
      yLabel: '5xx share',
      markers,
    },
    regions.map((name) => ({
      name,
      color: color.get(name)!,
      points: r.samples.map((s) => [min(s.at), s.regions[name]?.errorRatio ?? null]),
    })),
  );
  const rpsMax = Math.max(1, ...r.samples.flatMap((s) => Object.values(s.regions).map((g) => g.clientRps)));
  const rpsChart = lineChart(
    { width: W, height: 240, x0: 0, x1, y0: 0, y1: Math.ceil(rpsMax * 1.1), yLabel: 'client requests/s', markers },
    regions.map((name) => ({
      name,
      color: color.get(name)!,
      points: r.samples.map((s) => [min(s.at), s.regions[name]?.clientRps ?? null]),
    })),
  );

  const legendRegions = regions
    .map((name) => `<span class="key"><i style="background:${color.get(name)}"></i>${esc(name)}</span>`)
    .join('');
  const legendLocations = locations
    .map(
      (loc, i) =>
        `<span class="key"><i style="background:${LOCATION_COLORS[i % LOCATION_COLORS.length]}"></i>${esc(loc)}</span>`,
    )
    .join('');
  const m = r.measures;
  const card = (title: string, v: number | null, note: string) =>
    `<div class="card"><div class="v">${v === null ? '—' : `${v}<small> s</small>`}</div><div class="t">${esc(title)}</div><div class="n">${esc(note)}</div></div>`;
  const cards = m.failedRegion
    ? [
        card('failure → drained', m.toDrainSec, `${m.failedRegion} capacityScaler → 0`),
        card('failure → DNS rewritten', m.toDnsRewriteSec, `no geo answer points to ${m.failedRegion}`),
        card(
          'failure → neighbour capacity ready',
          m.toNeighbourReadySec,
          m.neighbours.length ? `RUNNING & healthy in ${m.neighbours.join(', ')}` : 'no neighbour needed to scale out',
        ),
        ...(m.recoverAt !== null
          ? [card('recovery → fully back', m.toRecoveredSec, `${m.failedRegion} capacityScaler → 1 via the ramp`)]
          : []),
      ].join('')
    : '<p>No region fails in this scenario.</p>';

  const annotationList = annotations
    .map(
      (a) =>
        `<li><span class="badge" style="background:${a.color}">${esc(a.label)}</span><b>${clockLabel(a.at, r.t0)}</b> ${esc(a.text)}</li>`,
    )
    .join('');
  const rows = r.timeline
    .filter((t) => t.kind !== 'api')
    .sort((a, b) => a.at - b.at)
    .map(
      (t) => `<tr class="k-${t.kind}"><td>${clockLabel(t.at, r.t0)}</td><td>${t.kind}</td><td>${esc(t.text)}</td></tr>`,
    )
    .join('');
  const apiRows = r.timeline
    .filter((t) => t.kind === 'api')
    .sort((a, b) => a.at - b.at)
    .map((t) => `<tr><td>${clockLabel(t.at, r.t0)}</td><td>${esc(t.text)}</td></tr>`)
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>georoute — ${esc(r.scenario.name)}</title>
<style>${CSS}</style></head>
<body><main>
<header><h1>georoute on the local twin — ${esc(r.scenario.name)}</h1>
<p class="lead">${esc(r.scenario.description)}</p>
<p class="meta">Project <b>${esc(r.config.project)}</b> · ${regions.length} regions · ${locations.length} client locations · ${Math.round(r.scenario.duration / 60_000)} simulated minutes at ${r.speed}× (${(r.wallMs / 1000).toFixed(1)} s real) · ${r.incidents.length} Monitoring incident(s) · generated offline by <code>georoute simulate</code></p></header>
<section><h2>Reaction times <small>(simulated seconds, measured from the recorded events)</small></h2><div class="cards">${cards}</div></section>
<section><h2>Events</h2><ul class="events">${annotationList}</ul></section>
<section><h2>Replicas per region <small>solid: healthy (RUNNING &amp; passing health checks) · dashed: MIG target size</small></h2><div class="legend">${legendRegions}</div>${replicas}</section>
<section><h2>capacityScaler per region <small>on the global backend service: 0 = drained; recovery climbs the ramp</small></h2><div class="legend">${legendRegions}</div>${scalers}</section>
<section><h2>Where each client location is served <small>share of the location's requests served by each region; grey: requests that failed</small></h2><div class="legend">${legendRegions}<span class="key"><i style="background:${FAILED_COLOR}"></i>failed (5xx)</span></div><div class="grid">${shares}</div></section>
<section><h2>p95 latency per client location <small>region queueing + network round trip</small></h2><div class="legend">${legendLocations}</div>${latency}</section>
<section><h2>Client requests per region</h2><div class="legend">${legendRegions}</div>${rpsChart}</section>
<section><h2>5xx share per region <small>what the alert policies watch (probes included)</small></h2><div class="legend">${legendRegions}</div>${errorChart}</section>
<section><h2>Timeline</h2><table class="timeline"><thead><tr><th>time</th><th>kind</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>
<details><summary>${r.timeline.filter((t) => t.kind === 'api').length} API writes (Compute, Cloud DNS)</summary><table class="timeline"><tbody>${apiRows}</tbody></table></details></section>
</main></body></html>
`;
}

/** Numbered markers: the scenario's events, incidents, and the drain / DNS rewrite it measured. */
function buildAnnotations(r: SimulationRecord): Annotation[] {
  const list: Array<Omit<Annotation, 'label' | 'x'>> = [];
  for (const s of r.steps)
    if (s.action !== 'incident' && s.action !== 'setLoad')
      list.push({ at: s.at, text: s.text, color: MARKER_COLORS.step! });
  const flaps = r.steps.filter((s) => s.action === 'incident');
  if (flaps.length > 0)
    list.push({
      at: flaps[0]!.at,
      text: `${flaps.length} flapping alert notifications begin (${flaps[0]!.text})`,
      color: MARKER_COLORS.step!,
    });
  for (const s of r.steps.filter((x) => x.action === 'setLoad'))
    list.push({ at: s.at, text: s.text, color: MARKER_COLORS.step! });
  for (const i of r.incidents) {
    list.push({ at: i.openedAt, text: `incident opened: ${i.policy}`, color: MARKER_COLORS.alertOpen! });
    if (i.closedAt !== null)
      list.push({ at: i.closedAt, text: `incident closed: ${i.policy}`, color: MARKER_COLORS.alertClose! });
  }
  const m = r.measures;
  if (m.failureAt !== null && m.toDrainSec !== null)
    list.push({
      at: m.failureAt + m.toDrainSec * 1000,
      text: `${m.failedRegion} drained (capacityScaler 0)`,
      color: MARKER_COLORS.drain!,
    });
  if (m.failureAt !== null && m.toDnsRewriteSec !== null)
    list.push({
      at: m.failureAt + m.toDnsRewriteSec * 1000,
      text: `Cloud DNS no longer answers ${m.failedRegion}`,
      color: MARKER_COLORS.dns!,
    });
  return list
    .filter((a) => a.at >= r.t0 && a.at <= r.end)
    .sort((a, b) => a.at - b.at)
    .map((a, i) => ({ ...a, x: (a.at - r.t0) / 60_000, label: String(i + 1) }));
}

export const CSS = `
:root{--ink:#1d2330;--muted:#5b6475;--line:#e3e6ec;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px}
header h1{font-size:24px;margin:0 0 6px}.lead{margin:0 0 6px;color:var(--ink)}.meta{color:var(--muted);margin:0}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:16px 0}
h2{font-size:16px;margin:0 0 10px}h2 small{font-weight:normal;color:var(--muted);font-size:12px;margin-left:6px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1 1 200px;border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fbfcfd}
.card .v{font-size:30px;font-weight:700}.card .v small{font-size:14px;color:var(--muted)}.card .t{font-weight:600}.card .n{color:var(--muted);font-size:12px}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:0 0 6px}.key{display:inline-flex;align-items:center;gap:6px;font-size:12px;color:var(--muted)}
.key i{display:inline-block;width:14px;height:10px;border-radius:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px}.small{border:1px solid var(--line);border-radius:6px;padding:2px}
svg .grid{stroke:#eef0f4;stroke-width:1}svg .axis{stroke:#9aa3b2;stroke-width:1}svg .tick{font-size:11px;fill:#6b7385}
svg .label{font-size:12px;fill:#4a5262}svg .small-title{font-size:12px;font-weight:600;fill:#1d2330}
svg .marker{stroke-width:1.2;stroke-dasharray:3 3;opacity:.75}svg .badge{font-size:9px;font-weight:700;fill:#fff}
ul.events{list-style:none;padding:0;margin:0;columns:2;column-gap:24px}ul.events li{margin:0 0 5px;break-inside:avoid}
span.badge{display:inline-block;min-width:18px;height:18px;border-radius:9px;color:#fff;font-size:11px;font-weight:700;text-align:center;line-height:18px;margin-right:6px;padding:0 4px}
table.timeline{width:100%;border-collapse:collapse;font-size:12px}table.timeline td,table.timeline th{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top}
table.timeline td:first-child{white-space:nowrap;font-variant-numeric:tabular-nums;color:var(--muted)}
tr.k-step td{font-weight:600;color:#7b2d8e}tr.k-alert td{color:#b3261e}tr.k-action td{color:#1e7b34}tr.k-dns td{color:#1f5fbf}tr.k-warn td{color:#b3261e}
details{margin-top:10px}summary{cursor:pointer;color:var(--muted)}code{background:#eef0f4;padding:1px 4px;border-radius:4px}
`;
