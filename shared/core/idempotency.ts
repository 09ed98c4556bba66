import { createHash } from 'node:crypto';

/** Namespace for georoute's request ids (a fixed random UUID: changing it changes every derived id). */
export const GEOROUTE_NAMESPACE = '6f1e4c1a-3b9d-4f0e-9a57-1d2c8b7e5a10';

/**
 * RFC 4122 version-5 UUID (SHA-1, name-based). Compute mutations take a `requestId` UUID that
 * de-duplicates retries: deriving it from the triggering event id + the write makes a redelivered
 * event's write a no-op at Google, with no store of our own.
 */
export function uuidv5(name: string, namespace: string = GEOROUTE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`invalid namespace UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The requestId of one write caused by one event: stable across redeliveries, distinct per write. */
export function requestIdFor(eventId: string, write: string): string {
  return uuidv5(`${eventId}\u0000${write}`);
}
