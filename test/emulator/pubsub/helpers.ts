import type { Emulator } from '../../../emulator';

/** Calls the control API. */
export async function control<T = unknown>(emu: Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.restUrl}/__emulator/${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls until `check` returns a value (deliveries are asynchronous); fails after `timeoutMs` real ms. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TopicMessage {
  messageId: string;
  data: string;
  text: string;
  attributes: Record<string, string>;
  publishTime: string;
}

export async function topicMessages(emu: Emulator, project: string, topic: string): Promise<TopicMessage[]> {
  const r = await control<{ messages: TopicMessage[] }>(
    emu,
    'GET',
    `pubsub/topics/${topic}/messages?project=${project}`,
  );
  return r.messages;
}
