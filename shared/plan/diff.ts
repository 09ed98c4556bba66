import type { TrafficPlan } from './types';

export interface PlanChange {
  /** `location/<name>` or `region/<name>`. */
  subject: string;
  field: string;
  from: number | string | null;
  to: number | string | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What differs from `a` (null = nothing yet) to `b`, sorted by subject then field. */
export function diffPlans(a: TrafficPlan | null, b: TrafficPlan): PlanChange[] {
  const out: PlanChange[] = [];
  const push = (subject: string, field: string, from: PlanChange['from'], to: PlanChange['to']) => {
    if (from !== to) out.push({ subject, field, from, to });
  };
  const locations = new Set([...Object.keys(a?.locations ?? {}), ...Object.keys(b.locations)]);
  for (const loc of locations) {
    const x = a?.locations[loc];
    const y = b.locations[loc];
    const subject = `location/${loc}`;
    push(subject, 'fallback', x?.fallback ?? null, y?.fallback ?? null);
    const regions = new Set([...Object.keys(x?.weights ?? {}), ...Object.keys(y?.weights ?? {})]);
    for (const r of regions) push(subject, `weights.${r}`, x?.weights[r] ?? 0, y?.weights[r] ?? 0);
  }
  const regions = new Set([...Object.keys(a?.regions ?? {}), ...Object.keys(b.regions)]);
  for (const name of regions) {
    const x = a?.regions[name];
    const y = b.regions[name];
    const subject = `region/${name}`;
    push(subject, 'state', x?.state ?? null, y?.state ?? null);
    push(subject, 'capacityScaler', x?.capacityScaler ?? null, y?.capacityScaler ?? null);
    push(subject, 'minReplicas', x?.minReplicas ?? null, y?.minReplicas ?? null);
    push(subject, 'targetReplicas', x?.targetReplicas ?? null, y?.targetReplicas ?? null);
  }
  return out.sort((p, q) => cmp(p.subject, q.subject) || cmp(p.field, q.field));
}

/** `~ region/us-east4 capacityScaler: 1 → 0`, `+ …` for new, `- …` for gone. */
export function formatChange(c: PlanChange): string {
  const mark = c.from === null || c.from === 0 ? '+' : c.to === null || c.to === 0 ? '-' : '~';
  return `${mark} ${c.subject} ${c.field}: ${c.from ?? '∅'} → ${c.to ?? '∅'}`;
}
