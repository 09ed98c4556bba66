import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error';
import type { VirtualClock } from './clock';
import type { Faults } from './faults';
import type { FrontEnd } from './front-end';
import type { RateQuota } from './rate-quota';
import type { RequestLog } from './request-log';
import { type ApiName, Reply, type Router } from './router';
import { errorBody, flavourOf } from './wire';

/** Bodies above this are refused with 413, as Google's front ends do (their limit is larger). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface RestServerDeps {
  router: Router;
  /** Refuses request bodies Google's front end would not parse (core/front-end.ts). */
  frontEnd?: FrontEnd;
  faults: Faults;
  log: RequestLog;
  clock: VirtualClock;
  rateQuota?: RateQuota;
}

/** The one REST server: Compute, Cloud DNS, Monitoring (REST fallback) and the control API. */
export async function startRestServer(deps: RestServerDeps, port = 0): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      const bug = new ApiError(500, `emulator bug: ${(err as Error).message}`);
      send(res, 500, errorBody(bug, flavourOf(undefined, req.url ?? '/')));
    });
  });
  // Clients keep connections alive; without this `close()` would wait for them.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, server };
}

async function handle(deps: RestServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  // google-gax's REST fallback may tunnel the verb through POST.
  const override = req.headers['x-http-method-override'];
  const effective = typeof override === 'string' ? override.toUpperCase() : method;

  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (err) {
    sendError(res, err as ApiError, undefined, url.pathname);
    return;
  }

  let match: ReturnType<Router['match']>;
  try {
    match = deps.router.match(effective, url.pathname);
  } catch (err) {
    sendError(res, err as ApiError, undefined, url.pathname);
    return;
  }
  if (!match) {
    const error = new ApiError(404, `No such method: ${effective} ${url.pathname}`, { reason: 'notFound' });
    sendError(res, error, undefined, url.pathname);
    return;
  }
  const { api, write } = match.route;
  const logEntry = { time: deps.clock.now(), api, method: effective, path: url.pathname, write };

  if (api === 'compute' && deps.rateQuota) {
    try {
      deps.rateQuota.charge(url.pathname, write, deps.clock.now());
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      deps.log.record({ ...logEntry, status: err.status });
      sendError(res, err, api, url.pathname);
      return;
    }
  }

  let lostAnswer: ApiError | undefined;
  if (api !== 'control') {
    const fault = deps.faults.decide({ api, method: effective, path: url.pathname, write });
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.error && fault.afterApply) lostAnswer = fault.error;
    else if (fault.error) {
      deps.log.record({ ...logEntry, status: fault.error.status, injected: true });
      sendError(res, fault.error, api, url.pathname);
      return;
    }
  }

  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      const error = new ApiError(400, 'Invalid JSON payload received.', { reason: 'parseError' });
      if (api !== 'control') deps.log.record({ ...logEntry, status: 400 });
      sendError(res, error, api, url.pathname);
      return;
    }
  }

  try {
    if (deps.frontEnd) body = deps.frontEnd.parse(effective, decodePath(url.pathname), body);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (api !== 'control') deps.log.record({ ...logEntry, status: err.status });
    sendError(res, err, api, url.pathname);
    return;
  }

  let status = 200;
  let payload: unknown;
  let headers: Record<string, string> | undefined;
  try {
    const result = await match.handler({
      method: effective,
      path: url.pathname,
      params: match.params,
      query: url.searchParams,
      body,
      headers: req.headers,
    });
    if (result instanceof Reply) {
      status = result.status;
      payload = result.body;
      headers = result.headers;
    } else {
      payload = result;
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    status = err.status;
    payload = errorBody(err, flavourOf(api, url.pathname));
  }
  if (lostAnswer) {
    // The API did its work; the caller only sees the failure.
    deps.log.record({ ...logEntry, status: lostAnswer.status, injected: true });
    sendError(res, lostAnswer, api, url.pathname);
    return;
  }
  if (api !== 'control') deps.log.record({ ...logEntry, status });
  send(res, status, payload, headers);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request payload too large', { reason: 'uploadTooLarge' }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: http.ServerResponse, err: ApiError, api: ApiName | undefined, path: string): void {
  send(res, err.status, errorBody(err, flavourOf(api, path)));
}

function send(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
