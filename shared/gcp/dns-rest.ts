import type { DNS } from '@google-cloud/dns';

/**
 * `@google-cloud/dns` does not wrap the record-set endpoints and knows nothing of routing
 * policies; this calls the Cloud DNS v1 REST API through the library's authenticated `request`
 * (so the same base URL, auth and interceptors apply).
 */
export function dnsRequest<T>(
  dns: DNS,
  zone: string,
  options: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; uri: string; qs?: Record<string, string>; json?: unknown },
): Promise<T> {
  return new Promise((resolve, reject) => {
    dns
      .zone(zone)
      .request(
        { method: options.method, uri: options.uri, qs: options.qs, json: options.json ?? true },
        (err, body) => {
          if (err) reject(err);
          else resolve(body as T);
        },
      );
  });
}

/** One record set by name and type, exactly as Cloud DNS stores it; undefined when absent. */
export async function readRecord(dns: DNS, zone: string, name: string, type: string): Promise<RrsetJson | undefined> {
  const body = await dnsRequest<{ rrsets?: RrsetJson[] }>(dns, zone, {
    method: 'GET',
    uri: '/rrsets',
    qs: { name, type },
  });
  return body.rrsets?.find((r) => r.name === name && r.type === type);
}

export interface RrsetJson {
  kind?: string;
  name: string;
  type: string;
  ttl?: number;
  rrdatas?: string[];
  routingPolicy?: {
    geo?: {
      items: Array<{ location: string; rrdatas?: string[]; healthCheckedTargets?: unknown }>;
      enableFencing?: boolean;
    };
    wrr?: unknown;
    primaryBackup?: unknown;
  };
}

export interface ChangeJson {
  kind?: string;
  id: string;
  status: 'pending' | 'done';
  startTime?: string;
  additions?: RrsetJson[];
  deletions?: RrsetJson[];
}
