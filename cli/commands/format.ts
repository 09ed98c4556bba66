import type { GeorouteConfig } from '../../shared/config';
import type { PlanChange } from '../../shared/plan/diff';
import { formatChange } from '../../shared/plan/diff';
import type { ReconcileResult } from '../../shared/reconcile/reconcile';

/** A fixed-width text table (no colours: output is often piped). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Locations each region serves in the live geo record (the DNS tier). */
export function locationsServed(config: GeorouteConfig, result: ReconcileResult): Record<string, string[]> {
  const byIp = new Map(
    Object.entries(result.snapshot.regions).flatMap(([r, rs]) => (rs.entryIp ? [[rs.entryIp, r] as const] : [])),
  );
  const served: Record<string, string[]> = Object.fromEntries(config.regions.map((r) => [r.name, []]));
  for (const item of result.snapshot.dnsRecord?.routingPolicy?.geo?.items ?? []) {
    for (const ip of item.rrdatas ?? []) {
      const region = byIp.get(ip);
      if (region) served[region]?.push(item.location);
    }
  }
  return served;
}

export function formatStatus(config: GeorouteConfig, result: ReconcileResult): string {
  const served = locationsServed(config, result);
  const rows = config.regions.map((r) => {
    const obs = result.derived.input.observed[r.name];
    const as = result.snapshot.regions[r.name]?.autoscaler;
    const backend = result.snapshot.backendService?.backends?.find((b) =>
      (b.group ?? '').includes(`/regions/${r.name}/`),
    );
    const health = obs ? `${obs.backendHealthy}/${obs.backendTotal} healthy` : 'unobserved';
    const replicas = obs
      ? `${obs.instances.running}/${obs.instances.booting}/${as?.recommendedSize ?? '?'}${obs.stockout ? ' STOCKOUT' : ''}${obs.quotaExceeded ? ' QUOTA' : ''}`
      : '?';
    const incidents = obs ? obs.openIncidents.map((i) => i.id).join(',') || '-' : '?';
    return [
      r.name,
      health,
      replicas,
      String(as?.autoscalingPolicy?.minNumReplicas ?? '?'),
      String(backend?.capacityScaler ?? '?'),
      served[r.name]?.length ? served[r.name]!.join(',') : '-',
      incidents,
    ];
  });
  const out = [
    table(
      [
        'region',
        'health',
        'running/booting/target',
        'floor',
        'capacityScaler',
        'DNS locations served',
        'open incidents',
      ],
      rows,
    ),
  ];
  // Where each demand figure comes from: Google's load-balancer counts, or the config (docs/ARCHITECTURE.md).
  const demand = result.derived.demand;
  out.push('', 'Client demand:');
  out.push(
    table(
      ['location', 'requests/s', 'source'],
      config.clientLocations.map((l) => {
        const rps = demand.load[l.location];
        const source =
          demand.source[l.location] === 'lb-metrics'
            ? 'load balancers (request_count by client_country)'
            : `missing: config expectedRps ${l.expectedRps ?? '-'}`;
        return [l.location, rps === undefined ? '-' : rps.toFixed(1), source];
      }),
    ),
  );
  if (demand.unattributedRps > 0)
    out.push(
      `  ${demand.unattributedRps.toFixed(1)} requests/s from countries no location names, spread in proportion`,
    );
  for (const e of result.errors) out.push(`! ${e.resource}: ${e.message}`);
  return out.join('\n');
}

export function formatPlan(config: GeorouteConfig, result: ReconcileResult, diff: PlanChange[]): string {
  const out: string[] = [];
  out.push('Regions (planned):');
  out.push(
    table(
      ['region', 'state', 'capacityScaler', 'floor', 'target', 'reasons'],
      config.regions.map((r) => {
        const p = result.plan.regions[r.name];
        return [
          r.name,
          p?.state ?? '?',
          String(p?.capacityScaler ?? '?'),
          String(p?.minReplicas ?? '?'),
          String(p?.targetReplicas ?? '?'),
          p?.reasons.join(',') || '-',
        ];
      }),
    ),
  );
  out.push('', 'Client locations (planned weights):');
  out.push(
    table(
      ['location', 'weights'],
      config.clientLocations.map((l) => {
        const p = result.plan.locations[l.location];
        const weights = Object.entries(p?.weights ?? {})
          .map(([r, w]) => `${r} ${w.toFixed(2)}`)
          .join(', ');
        return [l.location, p?.fallback ? `fallback: ${p.fallback}` : weights || '-'];
      }),
    ),
  );
  out.push('', diff.length ? `Changes against live state (${diff.length}):` : 'No changes against live state.');
  for (const c of diff) out.push(`  ${formatChange(c)}`);
  if (result.reasons.length) {
    out.push('', 'Reasons:');
    for (const r of result.reasons) out.push(`  [${r.code}] ${r.message}`);
  }
  for (const e of result.errors) out.push(`! ${e.resource}: ${e.message}`);
  return out.join('\n');
}
