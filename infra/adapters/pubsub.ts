import { httpStatusOf } from '../../shared/core/errors';
import { isConflict, withRetry } from '../../shared/gcp/retry';
import type { Adapter, AdapterContext, FieldChange, Live, Resource } from '../types';

/** Topics only: push subscriptions are made by the function deploy (Eventarc), not here. */
export const topicAdapter: Adapter = {
  async read(ctx, r) {
    try {
      const [meta] = await ctx.gcp.pubsub.topic(r.name).getMetadata();
      return { name: meta.name };
    } catch (err) {
      if ((err as { code?: number }).code === 5 || httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  },
  async create(ctx, r) {
    await ctx.gcp.pubsub.createTopic(r.name);
  },
  async update() {},
  async remove(ctx, r) {
    await ctx.gcp.pubsub.topic(r.name).delete();
  },
};

/** The role whose members bootstrap owns on georoute's topics. */
export const PUBLISHER_ROLE = 'roles/pubsub.publisher';

type TopicPolicy = {
  bindings?: Array<{ role?: string | null; members?: string[] | null; condition?: unknown }> | null;
  etag?: unknown;
};

const publishersOf = (policy: TopicPolicy): string[] =>
  [
    ...new Set(
      (policy.bindings ?? []).filter((b) => b.role === PUBLISHER_ROLE && !b.condition).flatMap((b) => b.members ?? []),
    ),
  ].sort();

/**
 * A topic's `roles/pubsub.publisher` binding, set to exactly the members in config: whoever else was
 * granted publish on the topic loses it (other roles and conditional bindings are left alone). A
 * concurrent policy change (ABORTED, stale etag) is retried from a fresh read.
 */
async function setPublishers(ctx: AdapterContext, topic: string, members: string[]): Promise<void> {
  const iam = ctx.gcp.pubsub.topic(topic).iam;
  await withRetry(
    async () => {
      const [policy] = await iam.getPolicy();
      const others = ((policy as TopicPolicy).bindings ?? []).filter((b) => b.role !== PUBLISHER_ROLE || b.condition);
      const bindings = members.length > 0 ? [...others, { role: PUBLISHER_ROLE, members }] : others;
      await iam.setPolicy({ bindings: bindings as never, etag: policy.etag });
    },
    { policy: ctx.gcp.retry.contended, retryIf: isConflict },
  );
}

const wanted = (r: Resource) => [...(r.owned.publishers as string[])].sort();

export const topicIamAdapter: Adapter = {
  async read(ctx, r) {
    try {
      const [policy] = await ctx.gcp.pubsub.topic(r.name).iam.getPolicy();
      const publishers = publishersOf(policy as TopicPolicy);
      // No publisher binding yet: nothing of ours exists (created, not updated, on a fresh project).
      return publishers.length > 0 ? { publishers } : undefined;
    } catch (err) {
      if ((err as { code?: number }).code === 5) return undefined; // no topic (yet): nothing granted
      throw err;
    }
  },
  diff(r: Resource, live: Live): FieldChange[] {
    const have = (live.publishers as string[]) ?? [];
    const want = wanted(r);
    return have.join() === want.join() ? [] : [{ field: 'publishers', from: have, to: want }];
  },
  create: (ctx, r) => setPublishers(ctx, r.name, wanted(r)),
  update: (ctx, r) => setPublishers(ctx, r.name, wanted(r)),
  async remove(ctx, r) {
    try {
      await setPublishers(ctx, r.name, []);
    } catch (err) {
      if ((err as { code?: number }).code !== 5) throw err; // the topic is gone already
    }
  },
};
