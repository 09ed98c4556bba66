import { ApiError } from './api-error';

/** The Google API a route belongs to: faults and the request log are kept per API. */
export type ApiName = 'compute' | 'dns' | 'monitoring' | 'pubsub' | 'iam' | 'control';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** A non-200 answer (or one with headers). A handler that returns anything else answers 200 with it. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

export type Handler = (req: ApiRequest) => unknown;

export interface RouteOptions {
  api: ApiName;
  /** Mutations are counted as writes in the request log; custom read verbs (getHealth…) are not. */
  write?: boolean;
}

interface Route extends RouteOptions {
  method: string;
  segments: string[];
  handler: Handler;
}

export interface RouteMatch {
  route: { api: ApiName; write: boolean };
  params: Record<string, string>;
  handler: Handler;
}

/**
 * A tiny path router. Patterns are `/`-separated; `:name` captures one segment. A segment may also be
 * `:name::verb` to capture `foo:verb` (Google's custom-method syntax, e.g. `alertPolicies/x:verb`).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, options: RouteOptions, handler: Handler): void {
    this.routes.push({
      method: method.toUpperCase(),
      segments: pattern.split('/').filter(Boolean),
      handler,
      api: options.api,
      write: options.write ?? method.toUpperCase() !== 'GET',
    });
  }

  /** Every registered route (docs/EMULATOR.md's method table is checked against these). */
  list(): Array<{ method: string; pattern: string; api: ApiName }> {
    return this.routes.map((r) => ({ method: r.method, pattern: `/${r.segments.join('/')}`, api: r.api }));
  }

  get(pattern: string, api: ApiName, handler: Handler): void {
    this.add('GET', pattern, { api, write: false }, handler);
  }

  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter(Boolean).map(safeDecode);
    let methodMismatch = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route: { api: route.api, write: route.write ?? true }, params, handler: route.handler };
    }
    if (methodMismatch) throw new ApiError(405, `Method ${method} is not allowed on ${path}`, { reason: 'badRequest' });
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] as string;
    const got = parts[i] as string;
    if (!want.startsWith(':')) {
      if (want !== got) return undefined;
      continue;
    }
    const verbAt = want.indexOf('::');
    if (verbAt < 0) {
      params[want.slice(1)] = got;
      continue;
    }
    const verb = want.slice(verbAt + 2);
    if (!got.endsWith(`:${verb}`)) return undefined;
    params[want.slice(1, verbAt)] = got.slice(0, -verb.length - 1);
  }
  return params;
}
