/**
 * Cross-field rules of the bootstrap's config: what Compute Engine would refuse (or silently mis-build)
 * is refused here first, with the field path and the valid choices. Defensive like checks.ts: a field
 * of the wrong type is skipped (its own error is reported).
 */
import type { z } from 'zod';
import { formatPath } from './format-issues';
import { ACCELERATOR_ZONES, acceleratorZones, MACHINE_SERIES, seriesOf } from './gpu-catalog';
import type { GeorouteConfig } from './schema';

type Ctx = z.core.$RefinementCtx<unknown>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const issue = (ctx: Ctx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

export function infraCheck(value: Obj, ctx: Ctx): void {
  const regions = arr(value.regions).map((r) => (isObj(r) ? r : {}));
  checkSubnets(regions, ctx);
  const serving = isObj(value.serving) ? value.serving : {};
  if (arr(serving.sslCertificates).length > 0) {
    regions.forEach((r, i) => {
      const entry = isObj(r.entry) ? r.entry : {};
      if (arr(entry.sslCertificates).length === 0)
        issue(
          ctx,
          ['regions', i, 'entry', 'sslCertificates'],
          'serving.sslCertificates makes the global load balancer HTTPS on 443: each regional Application Load Balancer serves the same port and needs its own regional certificates',
        );
    });
  }
}

/**
 * What Compute Engine would refuse when the bootstrap builds the GPU stack (machine type ↔ accelerator ↔
 * zones ↔ disk type ↔ image, from shared/config/gpu-catalog.ts), as `path: message` lines. Run by
 * `georoute validate-config` and `georoute bootstrap`, not by every parse: the runtime and the planner
 * benchmarks do not create VMs.
 */
export function deployabilityIssues(config: GeorouteConfig): string[] {
  const out: string[] = [];
  config.regions.forEach((r, i) => {
    const at = (...path: Array<string | number>) => formatPath(['regions', i, ...path]);
    const series = seriesOf(r.machineType);
    if (!series) {
      const known = MACHINE_SERIES.flatMap((s) => Object.keys(s.machineTypes)).join(', ');
      out.push(`${at('machineType')}: '${r.machineType}' is not a GPU machine type georoute knows (known: ${known})`);
      return;
    }
    const fixed = series.machineTypes[r.machineType] as number;
    if (r.accelerator.type !== series.accelerator) {
      out.push(
        `${at('accelerator', 'type')}: ${r.machineType} comes with ${series.accelerator}, not '${r.accelerator.type}'`,
      );
    } else if (r.accelerator.count !== fixed) {
      const table = Object.entries(series.machineTypes)
        .map(([m, n]) => `${m}: ${n}`)
        .join(', ');
      out.push(
        `${at('accelerator', 'count')}: ${r.machineType} comes with ${fixed} × ${series.accelerator}, not ${r.accelerator.count} (${table})`,
      );
    }
    const zones = acceleratorZones(series.accelerator, r.name);
    if (!zones) {
      const known = Object.keys(ACCELERATOR_ZONES[series.accelerator] ?? {}).join(', ');
      out.push(
        `${at('name')}: georoute has no ${series.accelerator} zone data for ${r.name} (regions known: ${known}); check Google's GPU regions page and add it to shared/config/gpu-catalog.ts`,
      );
    } else {
      r.zones.forEach((z, j) => {
        if (!zones.includes(z))
          out.push(
            `${at('zones', j)}: ${z} has no ${series.accelerator} (zones of ${r.name} that do: ${zones.join(', ')})`,
          );
      });
    }
    const disk = config.instance.bootDiskType;
    if (!series.diskTypes.includes(disk))
      out.push(
        `instance.bootDiskType: ${r.machineType} (regions[${i}]) does not take ${disk} disks (it takes: ${series.diskTypes.join(', ')})`,
      );
    for (const [project, why] of Object.entries(series.refusedImageProjects ?? {})) {
      if (config.instance.bootImage.includes(`projects/${project}/`))
        out.push(`instance.bootImage: ${why} (regions[${i}] is ${r.machineType})`);
    }
  });
  return [...new Set(out)];
}

/** Subnet ranges must be valid and not overlap (a VPC refuses overlapping subnets). */
function checkSubnets(regions: Obj[], ctx: Ctx): void {
  const seen: Array<{ range: [number, number]; path: (string | number)[] }> = [];
  regions.forEach((r, i) => {
    const subnet = isObj(r.subnet) ? r.subnet : {};
    for (const key of ['cidr', 'proxyOnlyCidr'] as const) {
      const text = str(subnet[key]);
      if (!text) continue;
      const path = ['regions', i, 'subnet', key];
      const range = parseCidr(text);
      if (!range) {
        issue(ctx, path, `'${text}' is not a valid IPv4 CIDR range`);
        continue;
      }
      const bits = Number(text.split('/')[1]);
      if (key === 'proxyOnlyCidr' && bits > 26)
        issue(ctx, path, 'a proxy-only subnet needs at least 64 addresses (/26 or larger; /23 recommended)');
      const clash = seen.find((s) => s.range[0] <= range[1] && range[0] <= s.range[1]);
      if (clash) issue(ctx, path, `${text} overlaps ${clash.path.join('.')}`);
      seen.push({ range, path });
    }
  });
}

/** [first, last] address of a CIDR as integers; undefined when malformed or not aligned. */
export function parseCidr(text: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 29) return undefined;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (ip % size !== 0) return undefined;
  return [ip, ip + size - 1];
}
