/**
 * Cross-field rules of the config. They run even when some fields failed their own type check (so
 * every error is reported at once), hence every read here is defensive: a field of the wrong type is
 * skipped — its own type error is already reported.
 */
import type { z } from 'zod';
import { infraCheck } from './infra-checks';
import { regionInfo, zonesOf } from './regions';

type Ctx = z.core.$RefinementCtx<unknown>;
type Path = (string | number)[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Residency of a region entry: its own, else the built-in default of its region. */
export function effectiveResidency(region: { name: string; residency?: string | undefined }): string {
  return region.residency ?? regionInfo(region.name)?.residency ?? 'default';
}

export function crossCheck(value: unknown, ctx: Ctx): void {
  if (!isObj(value)) return;
  const regions = arr(value.regions).map((r) => (isObj(r) ? r : {}));
  checkRegions(regions, ctx);
  checkLocations(arr(value.clientLocations), regions, ctx);
  if (isObj(value.guardrails)) checkRamp(value.guardrails.recoveryRamp, ctx);
  if (isObj(value.gpuBudget)) checkBudget(value.gpuBudget, regions, ctx);
  infraCheck(value, ctx);
}

function checkRegions(regions: Obj[], ctx: Ctx): void {
  const firstByName = new Map<string, number>();
  const firstByIp = new Map<string, number>();
  regions.forEach((r, i) => {
    const name = str(r.name);
    if (name !== undefined) {
      const first = firstByName.get(name);
      if (first !== undefined)
        issue(ctx, ['regions', i, 'name'], `duplicate region '${name}' (also regions[${first}])`);
      else firstByName.set(name, i);
    }
    const known = name !== undefined && regionInfo(name) !== undefined;
    arr(r.zones).forEach((zone, j) => {
      if (typeof zone !== 'string' || !known) return;
      const zones = zonesOf(name);
      if (!zones.includes(zone)) {
        issue(ctx, ['regions', i, 'zones', j], `zone '${zone}' is not a zone of ${name} (zones: ${zones.join(', ')})`);
      }
    });
    const seen = new Set<string>();
    arr(r.zones).forEach((zone, j) => {
      if (typeof zone !== 'string') return;
      if (seen.has(zone)) issue(ctx, ['regions', i, 'zones', j], `duplicate zone '${zone}'`);
      seen.add(zone);
    });
    const min = num(r.minReplicas) ?? 1;
    const max = num(r.maxReplicas);
    if (max !== undefined && min > max) {
      issue(ctx, ['regions', i, 'minReplicas'], `minReplicas (${min}) must be ≤ maxReplicas (${max})`);
    }
    const ip = isObj(r.entry) ? str(r.entry.ip) : undefined;
    if (ip !== undefined) {
      const first = firstByIp.get(ip);
      if (first !== undefined)
        issue(ctx, ['regions', i, 'entry', 'ip'], `entry ip ${ip} is also used by regions[${first}]`);
      else firstByIp.set(ip, i);
    }
  });
}

function checkLocations(locations: unknown[], regions: Obj[], ctx: Ctx): void {
  const residencies = new Set<string>();
  for (const r of regions) {
    const name = str(r.name);
    const own = str(r.residency);
    if (own !== undefined) residencies.add(own);
    else if (name !== undefined && regionInfo(name)) residencies.add(effectiveResidency({ name }));
  }
  const firstByLocation = new Map<string, number>();
  locations.forEach((raw, i) => {
    if (!isObj(raw)) return;
    const location = str(raw.location);
    if (location !== undefined) {
      const first = firstByLocation.get(location);
      if (first !== undefined) {
        issue(
          ctx,
          ['clientLocations', i, 'location'],
          `duplicate client location '${location}' (also clientLocations[${first}])`,
        );
      } else firstByLocation.set(location, i);
    }
    const fence = str(raw.residency);
    if (fence !== undefined && !residencies.has(fence)) {
      issue(
        ctx,
        ['clientLocations', i, 'residency'],
        `no region has residency '${fence}' (regions' residencies: ${[...residencies].sort().join(', ') || 'none'})`,
      );
    }
  });
}

function checkRamp(ramp: unknown, ctx: Ctx): void {
  const steps = arr(ramp).map(num);
  if (steps.length === 0 || steps.some((s) => s === undefined)) return;
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] as number) <= (steps[i - 1] as number)) {
      issue(ctx, ['guardrails', 'recoveryRamp', i], 'recoveryRamp must be strictly increasing');
      return;
    }
  }
  if (steps[steps.length - 1] !== 1) {
    issue(ctx, ['guardrails', 'recoveryRamp', steps.length - 1], 'recoveryRamp must end at 1.0 (full service)');
  }
}

function checkBudget(budget: Obj, regions: Obj[], ctx: Ctx): void {
  const names = new Set(regions.map((r) => str(r.name)).filter((n): n is string => n !== undefined));
  const perRegion = isObj(budget.perRegionMax) ? budget.perRegionMax : {};
  for (const key of Object.keys(perRegion)) {
    if (!names.has(key)) issue(ctx, ['gpuBudget', 'perRegionMax', key], `'${key}' is not a configured region`);
  }
  let sumMin = 0;
  regions.forEach((r, i) => {
    const name = str(r.name);
    const count = (isObj(r.accelerator) ? num(r.accelerator.count) : undefined) ?? 1;
    const need = (num(r.minReplicas) ?? 1) * count;
    sumMin += need;
    const cap = name !== undefined ? num(perRegion[name]) : undefined;
    if (cap !== undefined && need > cap) {
      issue(
        ctx,
        ['regions', i, 'minReplicas'],
        `minReplicas needs ${need} accelerators, more than gpuBudget.perRegionMax.${name} (${cap})`,
      );
    }
  });
  const total = num(budget.maxTotalAccelerators);
  if (total !== undefined && sumMin > total) {
    issue(
      ctx,
      ['gpuBudget', 'maxTotalAccelerators'],
      `must be ≥ the accelerators of all regions' minReplicas (${sumMin}), got ${total}`,
    );
  }
}
