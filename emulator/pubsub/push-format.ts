import type { Received } from './engine';
import type { SubscriptionConfig } from './model';

/** What Google's push front end sends as User-Agent. */
const USER_AGENT = 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)';

export interface PushRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The HTTP request for one delivery. Default (wrapped): the Pub/Sub push JSON body, sent as a
 * binary-mode CloudEvent the way Eventarc delivers `google.cloud.pubsub.topic.v1.messagePublished`
 * to a Cloud Function (2nd gen): the `ce-*` headers carry the event attributes and the body is the
 * event data (MessagePublishedData). `noWrapper`: the raw message data as the body.
 */
export function buildPushRequest(config: SubscriptionConfig, received: Received, nowMs: number): PushRequest {
  const m = received.message;
  const publishTime = new Date(m.publishTime).toISOString();
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  const oidc = config.pushConfig.oidcToken;
  if (oidc) headers.authorization = `Bearer ${unsignedIdToken(oidc, config.pushConfig.pushEndpoint, nowMs)}`;

  if (config.pushConfig.noWrapper) {
    headers['content-type'] = 'application/octet-stream';
    if (config.pushConfig.noWrapper.writeMetadata) {
      headers['x-goog-pubsub-message-id'] = m.messageId;
      headers['x-goog-pubsub-publish-time'] = publishTime;
      headers['x-goog-pubsub-subscription-name'] = config.name;
      if (received.deliveryAttempt) headers['x-goog-pubsub-delivery-attempt'] = String(received.deliveryAttempt);
      if (m.orderingKey) headers['x-goog-pubsub-ordering-key'] = m.orderingKey;
      for (const [k, v] of Object.entries(m.attributes)) headers[k.toLowerCase()] = v;
    }
    return { headers, body: Buffer.from(m.data, 'base64') };
  }

  const message: Record<string, unknown> = {};
  if (Object.keys(m.attributes).length > 0) message.attributes = m.attributes;
  if (m.data) message.data = m.data;
  message.messageId = m.messageId;
  message.message_id = m.messageId;
  if (m.orderingKey) message.orderingKey = m.orderingKey;
  message.publishTime = publishTime;
  message.publish_time = publishTime;
  const body: Record<string, unknown> = { message, subscription: config.name };
  if (received.deliveryAttempt) body.deliveryAttempt = received.deliveryAttempt;

  Object.assign(headers, {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    'ce-source': `//pubsub.googleapis.com/${config.topic}`,
    'ce-id': m.messageId,
    'ce-time': publishTime,
  });
  return { headers, body: Buffer.from(JSON.stringify(body)) };
}

/**
 * A JWT-shaped OIDC token with Google's claims. It is NOT signed (the signature segment is a
 * placeholder): endpoints that verify signatures will reject it, which is the honest outcome.
 */
export function unsignedIdToken(
  oidc: { serviceAccountEmail: string; audience: string },
  endpoint: string,
  nowMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const segment = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = { alg: 'RS256', typ: 'JWT', kid: 'georoute-emulator-unsigned' };
  const payload = {
    aud: oidc.audience || endpoint,
    azp: oidc.serviceAccountEmail,
    email: oidc.serviceAccountEmail,
    email_verified: true,
    exp: iat + 3600,
    iat,
    iss: 'https://accounts.google.com',
    sub: oidc.serviceAccountEmail,
  };
  return `${segment(header)}.${segment(payload)}.${Buffer.from('unsigned').toString('base64url')}`;
}
