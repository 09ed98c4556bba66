import type { IamBinding, IamPolicyJson } from '../../shared/gcp/iam-rest';
import { isConflict, withRetry } from '../../shared/gcp/retry';
import type { Adapter, AdapterContext, FieldChange, Json, Live, Resource } from '../types';

type Pair = { role: string; member: string };

export const serviceAccountAdapter: Adapter = {
  async read(ctx, r) {
    const sa = await ctx.iam.getServiceAccount(String(r.body.accountId));
    return sa ? (sa as unknown as Json) : undefined;
  },
  async create(ctx, r) {
    const sa = await ctx.iam.createServiceAccount(String(r.body.accountId), String(r.body.displayName));
    ctx.progress(`  ${r.id}: created ${sa.email}`);
  },
  async update() {},
  async remove(ctx, r) {
    await ctx.iam.deleteServiceAccount(String(r.body.accountId));
  },
};

const has = (policy: IamPolicyJson, p: Pair) =>
  (policy.bindings ?? []).some((b) => b.role === p.role && !b.condition && b.members.includes(p.member));

/**
 * Read-modify-write of the project policy with its etag. A concurrent change (409 ABORTED) means: read
 * again and redo the edit. Only georoute's (role, member) pairs are added or removed; others are untouched.
 */
async function editPolicy(ctx: AdapterContext, edit: (bindings: IamBinding[]) => IamBinding[]): Promise<void> {
  await withRetry(
    async () => {
      const policy = await ctx.iam.getProjectPolicy();
      const bindings = edit((policy.bindings ?? []).map((b) => ({ ...b, members: [...b.members] })));
      await ctx.iam.setProjectPolicy({ version: policy.version, etag: policy.etag, bindings });
    },
    {
      policy: ctx.gcp.retry.contended,
      retryIf: isConflict,
      onRetry: (_err, attempt) =>
        ctx.progress(`  project IAM policy changed concurrently (etag stale): re-reading (attempt ${attempt + 2})`),
    },
  );
}

const pairsOf = (r: Resource) => r.owned.bindings as Pair[];

export const iamBindingsAdapter: Adapter = {
  async read(ctx, r) {
    const policy = await ctx.iam.getProjectPolicy();
    const present = pairsOf(r).filter((p) => has(policy, p));
    return present.length ? { policy, present } : undefined;
  },
  diff(r: Resource, live: Live): FieldChange[] {
    const present = live.present as Pair[];
    const missing = pairsOf(r).filter((p) => !present.some((q) => q.role === p.role && q.member === p.member));
    if (!missing.length) return [];
    const fmt = (ps: Pair[]) => ps.map((p) => `${p.role}=${p.member.replace(/@.*/, '')}`);
    return [{ field: 'bindings', from: `${present.length} present`, to: fmt(missing).map((s) => `+${s}`) }];
  },
  create: (ctx, r) => grant(ctx, r),
  update: (ctx, r) => grant(ctx, r),
  async remove(ctx, r) {
    const ours = pairsOf(r);
    await editPolicy(ctx, (bindings) =>
      bindings
        .map((b) => ({
          ...b,
          members: b.condition
            ? b.members
            : b.members.filter((m) => !ours.some((p) => p.role === b.role && p.member === m)),
        }))
        .filter((b) => b.members.length > 0),
    );
  },
};

async function grant(ctx: AdapterContext, r: Resource): Promise<void> {
  await editPolicy(ctx, (bindings) => {
    for (const p of pairsOf(r)) {
      const b = bindings.find((x) => x.role === p.role && !x.condition);
      if (!b) bindings.push({ role: p.role, members: [p.member] });
      else if (!b.members.includes(p.member)) b.members.push(p.member);
    }
    return bindings;
  });
  ctx.progress(`  ${r.id}: ${pairsOf(r).length} role bindings in place`);
}
