import type { GeorouteConfig } from '../../shared/config';
import type { Deps } from '../../shared/deps';
import type { CloudEventLike } from '../../shared/handlers/envelope';
import { createRuntime, type FunctionRuntime } from '../../shared/handlers/runtime';
import { incident } from './incidents';

let seq = 0;

/** A binary-mode Pub/Sub CloudEvent as Eventarc hands it to a function (`data` = MessagePublishedData). */
export function pubsubEvent(payload: unknown, id = `evt-${++seq}`): CloudEventLike {
  const data = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return {
    id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/georoute-test/topics/t',
    data: { message: { data: data.toString('base64'), messageId: id, attributes: {} }, subscription: 's' },
  };
}

export const incidentEvent = (id: string, state: 'open' | 'closed', region: string, at: number, eventId?: string) =>
  pubsubEvent(incident(id, state, region, at), eventId);

export interface Published {
  topic: string;
  payload: unknown;
  attributes?: Record<string, string>;
}

/** A runtime over in-process deps whose publisher only records. */
export function recordingRuntime(config: GeorouteConfig, deps: Deps): FunctionRuntime & { published: Published[] } {
  const published: Published[] = [];
  const rt = createRuntime({
    config,
    deps,
    publish: async (topic, payload, attributes) => {
      published.push({ topic, payload, attributes });
      return String(published.length);
    },
  });
  return Object.assign(rt, { published });
}

/** Calls a handler as Pub/Sub would: a throw (nack) is redelivered, up to `attempts` times. */
export async function deliver<T>(
  handle: () => Promise<T>,
  attempts = 20,
): Promise<{ result: T; redeliveries: number }> {
  for (let n = 0; ; n++) {
    try {
      return { result: await handle(), redeliveries: n };
    } catch (err) {
      if (n + 1 >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
}
