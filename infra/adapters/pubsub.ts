import { httpStatusOf } from '../../shared/core/errors';
import type { Adapter } from '../types';

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
