import { invalid, notFound } from '../core/api-error';
import { isPlainObject } from '../core/merge-patch';
import type { Router } from '../core/router';
import type { PubsubEngine } from './engine';
import type { PushDeliverer } from './push';

/**
 * `/__emulator/pubsub/…`: delivery switches (duplicates, shuffle), what a topic received, backlog
 * per subscription, and flush.
 */
export function registerPubsubControl(router: Router, engine: PubsubEngine, push: PushDeliverer): void {
  router.get('/__emulator/pubsub/delivery', 'control', () => engine.settings);
  router.add('POST', '/__emulator/pubsub/delivery', { api: 'control' }, (req) => {
    const body = req.body === undefined ? {} : req.body;
    if (!isPlainObject(body)) throw invalid('expected a JSON object');
    const next = { ...engine.settings };
    if (body.duplicates !== undefined) {
      const n = Number(body.duplicates);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw invalid('duplicates must be an integer 1..100');
      next.duplicates = n;
    }
    if (body.shuffle !== undefined) next.shuffle = body.shuffle === true;
    if (body.shuffleWindowMs !== undefined) {
      const ms = Number(body.shuffleWindowMs);
      if (!(ms >= 0)) throw invalid('shuffleWindowMs must be >= 0');
      next.shuffleWindowMs = ms;
    }
    if (body.leaseGraceRealMs !== undefined) {
      const ms = Number(body.leaseGraceRealMs);
      if (!(ms >= 0)) throw invalid('leaseGraceRealMs must be >= 0');
      next.leaseGraceRealMs = ms;
    }
    engine.settings = next;
    return next;
  });

  router.get('/__emulator/pubsub/topics/:topic/messages', 'control', (req) => {
    const project = req.query.get('project');
    const topics = [...engine.topics.values()].filter(
      (t) =>
        t.name.endsWith(`/topics/${req.params.topic}`) &&
        (!project || t.name === `projects/${project}/topics/${req.params.topic}`),
    );
    if (topics.length === 0) throw notFound(`topics/${req.params.topic}`);
    return {
      messages: topics.flatMap((t) =>
        t.published.map((m) => ({
          topic: t.name,
          messageId: m.messageId,
          data: m.data,
          text: Buffer.from(m.data, 'base64').toString('utf8'),
          attributes: m.attributes,
          publishTime: new Date(m.publishTime).toISOString(),
          ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
        })),
      ),
    };
  });

  router.get('/__emulator/pubsub/subscriptions', 'control', () => ({
    subscriptions: [...engine.subs.values()].map((s) => ({
      name: s.config.name,
      topic: s.config.topic,
      pushEndpoint: s.config.pushConfig.pushEndpoint || null,
      backlog: s.pending.length,
      outstanding: s.pending.filter((p) => p.lease).length,
      ...s.stats,
    })),
  }));

  router.add('POST', '/__emulator/pubsub/flush', { api: 'control' }, async () => {
    engine.flush();
    await push.idle();
    return { ok: true };
  });
}
