/** Inline SVG charts for the report: time on x (minutes from T+0), no script, no external asset. */

export interface Marker {
  x: number;
  label: string;
  color: string;
}

export interface LineSeries {
  name: string;
  color: string;
  /** [x, y]; y `null` breaks the line. */
  points: Array<[number, number | null]>;
  /** Hold each value until the next point (capacityScaler, replicas). */
  step?: boolean;
  dash?: boolean;
  width?: number;
}

export interface ChartFrame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  yLabel: string;
  xLabel?: string;
  yTicks?: number[];
  yFormat?: (v: number) => string;
  markers?: Marker[];
  /** Whole-number data (replicas): no fractional ticks. */
  integer?: boolean;
  /** Compact frame for small multiples: fewer ticks, no x label. */
  compact?: boolean;
  title?: string;
}

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(0) : String(Math.round(v * 100) / 100);

function niceTicks(lo: number, hi: number, count: number, integer = false): number[] {
  const span = hi - lo || 1;
  const raw = integer ? Math.max(1, span / count) : span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = (integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]).map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

interface Plot {
  sx: (x: number) => number;
  sy: (y: number) => number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Badges closer than this (px) go to another row, so none hides another. */
const BADGE_GAP = 17;

/** Row of each marker's badge (markers sorted by x): the first row where it does not touch the last badge. */
function badgeRows(f: ChartFrame, width: number): number[] {
  const lastX: number[] = [];
  return (f.markers ?? []).map((m) => {
    const x = ((m.x - f.x0) / (f.x1 - f.x0 || 1)) * width;
    let row = lastX.findIndex((last) => x - last >= BADGE_GAP);
    if (row < 0) row = lastX.length;
    lastX[row] = x;
    return row;
  });
}

function plotArea(f: ChartFrame): Plot {
  const left = f.compact ? 40 : 56;
  const rows = f.compact ? 0 : Math.max(0, ...badgeRows(f, f.width - 72)) + 1;
  const top = f.compact ? 28 : 10 + rows * BADGE_GAP;
  const right = f.width - (f.compact ? 8 : 16);
  const bottom = f.height - (f.compact ? 20 : 40);
  const sx = (x: number) => left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * (right - left);
  const sy = (y: number) => bottom - ((Math.min(f.y1, Math.max(f.y0, y)) - f.y0) / (f.y1 - f.y0 || 1)) * (bottom - top);
  return { sx, sy, left, top, right, bottom };
}

function frame(f: ChartFrame, p: Plot): string {
  const out: string[] = [];
  const yFormat = f.yFormat ?? fmt;
  const yTicks = f.yTicks ?? niceTicks(f.y0, f.y1, f.compact ? 2 : 5, f.integer);
  for (const v of yTicks) {
    const y = p.sy(v).toFixed(1);
    out.push(`<line x1="${p.left}" x2="${p.right}" y1="${y}" y2="${y}" class="grid"/>`);
    out.push(
      `<text x="${p.left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${esc(yFormat(v))}</text>`,
    );
  }
  const xTicks = niceTicks(f.x0, f.x1, f.compact ? 3 : 10);
  for (const v of xTicks) {
    const x = p.sx(v).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${p.bottom}" y2="${p.bottom + 4}" class="axis"/>`);
    out.push(`<text x="${x}" y="${p.bottom + 15}" class="tick" text-anchor="middle">${v}</text>`);
  }
  out.push(`<line x1="${p.left}" x2="${p.right}" y1="${p.bottom}" y2="${p.bottom}" class="axis"/>`);
  out.push(`<line x1="${p.left}" x2="${p.left}" y1="${p.top}" y2="${p.bottom}" class="axis"/>`);
  if (!f.compact) {
    out.push(
      `<text x="${(p.left + p.right) / 2}" y="${f.height - 6}" class="label" text-anchor="middle">${esc(f.xLabel ?? 'minutes since T+0 (simulated)')}</text>`,
    );
    out.push(
      `<text transform="translate(14 ${(p.top + p.bottom) / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(f.yLabel)}</text>`,
    );
  }
  if (f.title) out.push(`<text x="${p.left}" y="${f.compact ? 14 : 16}" class="small-title">${esc(f.title)}</text>`);
  return out.join('');
}

function markers(f: ChartFrame, p: Plot): string {
  const rows = badgeRows(f, p.right - p.left);
  return (f.markers ?? [])
    .map((m, i) => {
      if (m.x < f.x0 || m.x > f.x1) return '';
      const x = p.sx(m.x).toFixed(1);
      const cy = p.top - 9 - (rows[i] ?? 0) * BADGE_GAP;
      const badge = f.compact
        ? ''
        : `<circle cx="${x}" cy="${cy}" r="7.5" fill="${m.color}"/><text x="${x}" y="${cy}" class="badge" text-anchor="middle" dominant-baseline="central">${esc(m.label)}</text>`;
      return `<line x1="${x}" x2="${x}" y1="${cy + 7}" y2="${p.bottom}" stroke="${m.color}" class="marker"/>${badge}`;
    })
    .join('');
}

function path(s: LineSeries, p: Plot): string {
  let d = '';
  let pen = false;
  for (const [x, y] of s.points) {
    if (y === null) {
      pen = false;
      continue;
    }
    const px = p.sx(x).toFixed(1);
    const py = p.sy(y).toFixed(1);
    if (!pen) d += `M${px},${py}`;
    else if (s.step) d += `H${px}V${py}`;
    else d += `L${px},${py}`;
    pen = true;
  }
  return d;
}

export function lineChart(f: ChartFrame, series: LineSeries[]): string {
  const p = plotArea(f);
  const lines = series
    .map(
      (s) =>
        `<path d="${path(s, p)}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ' stroke-dasharray="5 4"' : ''} stroke-linejoin="round"><title>${esc(s.name)}</title></path>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="100%" role="img" aria-label="${esc(f.title ?? f.yLabel)}">${frame(f, p)}${markers(f, p)}${lines}</svg>`;
}

/** Stacked areas (shares summing to ≤ 1 at each x), in series order from the bottom. */
export function stackedChart(
  f: ChartFrame,
  xs: number[],
  series: Array<{ name: string; color: string; values: number[] }>,
): string {
  const p = plotArea(f);
  const base = xs.map(() => 0);
  const areas: string[] = [];
  for (const s of series) {
    const top = xs.map((_, i) => base[i]! + (s.values[i] ?? 0));
    if (top.every((v, i) => v - base[i]! < 1e-6)) continue;
    let d = '';
    xs.forEach((x, i) => {
      d += `${i === 0 ? 'M' : 'L'}${p.sx(x).toFixed(1)},${p.sy(top[i]!).toFixed(1)}`;
    });
    for (let i = xs.length - 1; i >= 0; i--) d += `L${p.sx(xs[i]!).toFixed(1)},${p.sy(base[i]!).toFixed(1)}`;
    areas.push(
      `<path d="${d}Z" fill="${s.color}" fill-opacity="0.85" stroke="none"><title>${esc(s.name)}</title></path>`,
    );
    top.forEach((v, i) => {
      base[i] = v;
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="100%" role="img" aria-label="${esc(f.title ?? f.yLabel)}">${areas.join('')}${frame(f, p)}${markers(f, p)}</svg>`;
}
