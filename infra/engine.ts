import { httpStatusOf } from '../shared/core/errors';
import { adapterFor } from './adapters';
import { diffOwned, formatValue } from './diff';
import type { AdapterContext, FieldChange, Resource } from './types';

export type Mode = 'apply' | 'plan' | 'destroy';
export type Action = 'create' | 'update' | 'unchanged' | 'delete' | 'absent';

export interface Outcome {
  id: string;
  action: Action;
  changes: FieldChange[];
  /** Owned fields that differ but cannot change in place (reported, not applied). */
  immutableDrift: FieldChange[];
}

export interface EngineResult {
  mode: Mode;
  outcomes: Outcome[];
  failure?: { id: string; message: string };
  /** Summary line, Terraform style. */
  summary: string;
  /** 0 = done / no changes; 1 = failed; 2 = (plan) changes pending. */
  exitCode: number;
}

/** Orders resources so that each comes after what it depends on (stable: list order otherwise). */
export function dependencyOrder(resources: Resource[]): Resource[] {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const done = new Set<string>();
  const out: Resource[] = [];
  const visit = (r: Resource, stack: string[]) => {
    if (done.has(r.id)) return;
    if (stack.includes(r.id)) throw new Error(`dependency cycle: ${[...stack, r.id].join(' → ')}`);
    for (const d of r.dependsOn) {
      const dep = byId.get(d);
      if (dep) visit(dep, [...stack, r.id]);
    }
    done.add(r.id);
    out.push(r);
  };
  for (const r of resources) visit(r, []);
  return out;
}

const fmtChanges = (changes: FieldChange[]) =>
  changes.map((c) => `${c.field}: ${formatValue(c.from)} → ${formatValue(c.to)}`).join('; ');

function errorText(err: unknown): string {
  const status = httpStatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return status && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message;
}

/**
 * Walks the resources in dependency order (reverse for destroy). Each step is read → diff owned
 * fields → write, so a run that stopped half-way is resumed by running again.
 */
export async function runEngine(
  ctx: AdapterContext,
  resources: Resource[],
  mode: Mode,
  out: (line: string) => void,
): Promise<EngineResult> {
  const ordered = dependencyOrder(resources);
  const walk = mode === 'destroy' ? [...ordered].reverse() : ordered;
  const outcomes: Outcome[] = [];
  const write = mode !== 'plan';
  for (const r of walk) {
    const adapter = adapterFor(r.kind);
    try {
      const live = await adapter.read(ctx, r);
      if (r.external) {
        // Someone else's resource (e.g. an existing VPC): it must exist; georoute never changes it.
        if (!live && mode !== 'destroy')
          throw new Error(`${r.id} must exist (the config names it as an existing resource)`);
        out(`= external ${r.id}${live ? '' : ' (absent)'}`);
        outcomes.push({ id: r.id, action: 'unchanged', changes: [], immutableDrift: [] });
        continue;
      }
      if (mode === 'destroy') {
        if (!live) {
          out(`  ${r.id}: already absent`);
          outcomes.push({ id: r.id, action: 'absent', changes: [], immutableDrift: [] });
          continue;
        }
        out(`- delete ${r.id}`);
        try {
          await adapter.remove(ctx, r, live);
        } catch (err) {
          // A managed zone that also holds records georoute did not make is kept, not emptied.
          if (r.kind === 'dnsManagedZone' && httpStatusOf(err) === 400) {
            out(`  ${r.id}: kept, it holds other record sets (${errorText(err)})`);
            outcomes.push({ id: r.id, action: 'unchanged', changes: [], immutableDrift: [] });
            continue;
          }
          throw err;
        }
        outcomes.push({ id: r.id, action: 'delete', changes: [], immutableDrift: [] });
        continue;
      }
      if (!live) {
        out(`+ create ${r.id}`);
        if (write) await adapter.create(ctx, r);
        outcomes.push({ id: r.id, action: 'create', changes: [], immutableDrift: [] });
        continue;
      }
      const all = adapter.diff ? adapter.diff(r, live) : diffOwned(r, live);
      const immutableDrift = all.filter((c) => r.immutable?.includes(c.field));
      const changes = all.filter((c) => !r.immutable?.includes(c.field));
      for (const c of immutableDrift) {
        out(
          `! ${r.id}: ${c.field} differs (${formatValue(c.from)} → ${formatValue(c.to)}) but cannot change in place; ` +
            'delete the resource (or rename it in the config) and re-run',
        );
      }
      if (changes.length === 0) {
        out(`= unchanged ${r.id}`);
        outcomes.push({ id: r.id, action: 'unchanged', changes, immutableDrift });
        continue;
      }
      out(`~ update ${r.id} (${fmtChanges(changes)})`);
      if (write) await adapter.update(ctx, r, live, changes);
      outcomes.push({ id: r.id, action: 'update', changes, immutableDrift });
    } catch (err) {
      const message = errorText(err);
      out(`✗ ${r.id}: ${message}`);
      out(
        mode === 'plan'
          ? 'Plan failed: nothing was written.'
          : `Stopped at ${r.id}. Fix the cause and re-run the same command to resume: every step reads, ` +
              'compares and writes only what differs, so finished resources are left as they are.',
      );
      return { mode, outcomes, failure: { id: r.id, message }, summary: 'failed', exitCode: 1 };
    }
  }
  const count = (a: Action) => outcomes.filter((o) => o.action === a).length;
  const drift = outcomes.filter((o) => o.immutableDrift.length > 0).length;
  const driftNote = drift ? `, ${drift} with drift that cannot be applied in place` : '';
  let summary: string;
  let exitCode = 0;
  if (mode === 'plan') {
    summary = `Plan: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged${driftNote}.`;
    exitCode = count('create') + count('update') > 0 ? 2 : 0;
  } else if (mode === 'apply') {
    summary = `Apply complete: ${count('create')} created, ${count('update')} updated, ${count('unchanged')} unchanged${driftNote}.`;
  } else {
    summary = `Destroy complete: ${count('delete')} deleted, ${count('absent')} already absent${count('unchanged') ? `, ${count('unchanged')} kept` : ''}.`;
  }
  out(summary);
  return { mode, outcomes, summary, exitCode };
}
