import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { functionRoles } from '../../infra/desired-iam';
import { BROADER_THAN_NEEDED, FORBIDDEN_ROLES, permissionsFor, ROLE_PERMISSIONS } from '../../infra/iam-permissions';
import { createLogger } from '../../shared/core/logger';
import { IamClient } from '../../shared/gcp/iam-rest';
import { FUNCTION_NAMES, type FunctionName, subscriptionOf } from '../helpers/functions';
import { incident } from '../helpers/incidents';
import { testConfig } from '../helpers/stack';
import { secretLeaks, writeFigures } from './helpers/report';
import { type ChaosStack, linesOf, startChaosStack, waitFor } from './helpers/stack';

/**
 * Least privilege, derived: each function is driven alone (a good message and a bad one), the
 * emulator's request log says which calls it made, infra/iam-permissions.ts turns them into IAM
 * permissions, and the roles bootstrap granted must cover exactly those. Plus: topics grant publish
 * only to the configured principals, push deliveries carry an OIDC token of the function's account,
 * the deployment refuses unauthenticated and external ingress, and no log line carries a secret.
 */
jest.setTimeout(60_000);
const config = testConfig({
  pubsub: {
    publishers: {
      capacityRequests: ['group:ml-platform@example.com'],
      healthAlerts: ['serviceAccount:service-123@gcp-sa-monitoring-notification.iam.gserviceaccount.com'],
      reconcile: ['serviceAccount:service-123@gcp-sa-cloudscheduler.iam.gserviceaccount.com'],
    },
  },
});
const topics = config.pubsub;
const TRIGGER: Record<FunctionName, string> = {
  capacityRequest: topics.capacityRequests,
  healthAlert: topics.healthAlerts,
  reconcile: topics.reconcile,
};
const saOf = (fn: FunctionName) => `${config.serviceAccounts[fn]}@${config.project}.iam.gserviceaccount.com`;
let s: ChaosStack;
const figures: Record<string, unknown> = {};
/** Per function: the permissions its calls needed, and the calls (for the report). */
const needed: Record<string, Set<string>> = {};
const deliveries = { authenticated: 0, refused: 0, wrongAccount: 0 };
const proxies: http.Server[] = [];

/**
 * What Cloud Run does in front of a function deployed with --no-allow-unauthenticated, reduced to
 * the claims (the emulator's tokens are not signed; verifying signatures is Google's part): a
 * bearer OIDC token whose audience is the endpoint and whose account is the function's own.
 * Test-only: the production path has no such layer (Cloud Run does it).
 */
async function authProxy(fn: FunctionName, target: string): Promise<string> {
  const server = http.createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let claims: { email?: string; aud?: string; iss?: string } = {};
    try {
      claims = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8'));
    } catch {
      /* not a JWT */
    }
    const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    if (!token || claims.iss !== 'https://accounts.google.com' || claims.aud !== self) {
      deliveries.refused++;
      res.writeHead(401).end();
      req.resume();
      return;
    }
    if (claims.email !== saOf(fn)) {
      deliveries.wrongAccount++;
      res.writeHead(403).end();
      req.resume();
      return;
    }
    deliveries.authenticated++;
    const headers = { ...req.headers };
    delete headers.host;
    const forward = http.request(target, { method: 'POST', headers }, (r) => {
      res.writeHead(r.statusCode ?? 500, r.headers);
      r.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxies.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Every function log line of every deployment this suite ran (scanned for secrets at the end). */
const allLogs: unknown[] = [];

/** Eventarc's push subscriptions: an OIDC token of the trigger's service account (= the function's). */
async function authenticated(stack: ChaosStack): Promise<ChaosStack> {
  for (const fn of FUNCTION_NAMES) {
    const endpoint = await authProxy(fn, stack.fx.urls[fn]);
    await stack.w.gcp.pubsub.subscription(subscriptionOf(TRIGGER[fn])).modifyPushConfig({
      pushEndpoint: endpoint,
      oidcToken: { serviceAccountEmail: saOf(fn), audience: endpoint },
    });
  }
  const close = stack.close;
  return Object.assign(stack, {
    close: async () => {
      allLogs.push(...stack.fx.logs);
      await close();
    },
  });
}

beforeAll(async () => {
  s = await authenticated(await startChaosStack(config));
  // One delivery now: a function instance reads its environment (which emulator) on its first event.
  const id = inject(s, topics.reconcile, { kind: 'tick' });
  await waitFor(s, () =>
    linesOf(s.fx.logs, 'reconcile', id).find((l) => /^(applied|no action)/.test(String(l.decision))),
  );
});
afterAll(async () => {
  writeFigures('security', figures);
  await s?.close();
  for (const p of proxies) await new Promise<void>((resolve) => p.close(() => resolve()));
});

/** Publishes like an outside publisher would, without the test's own call landing in the request log. */
const inject = (stack: ChaosStack, topic: string, payload: unknown) =>
  stack.w.emu.pubsub.publish(
    `projects/${config.project}/topics/${topic}`,
    Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  );
const LOAD = { 'us-central1': 4, 'us-east4': 16, 'us-west1': 2, 'europe-west4': 4, 'europe-west1': 2 };

test('each function, driven alone in its own deployment: every call it makes maps to a permission', async () => {
  const scenario: Record<FunctionName, (stack: ChaosStack) => Promise<unknown[]>> = {
    // A request placed (schedules, ledger claim), its reconcile (DNS, floors), and a bad one.
    capacityRequest: async () => [
      { requestId: 'sec-1', region: 'us-central1', accelerator: 'nvidia-l4', replicas: 3, durationMinutes: 30 },
      'not json',
    ],
    // A region's outage under load: drain, DNS, neighbours' floors; then its end; and a bad one.
    healthAlert: async (stack) => {
      await stack.w.setLoad(LOAD);
      const now = stack.w.emu.ctx.clock.now();
      return [incident('sec-i', 'open', 'us-east4', now), incident('sec-i', 'closed', 'us-east4', now + 60_000), '{}'];
    },
    // First tick (DNS, floors), then a region's backends fail (drain).
    reconcile: async (stack) => {
      await stack.w.setLoad(LOAD);
      return [{ kind: 'tick' }, 'unhealthy', { kind: 'tick' }];
    },
  };
  const calls: Record<string, number> = {};
  for (const fn of FUNCTION_NAMES) {
    // Its own emulator and function instance: nothing cached by another function's calls.
    const stack = await authenticated(await startChaosStack(config));
    try {
      needed[fn] = new Set();
      calls[fn] = 0;
      for (const payload of await scenario[fn](stack)) {
        if (payload === 'unhealthy') {
          await stack.w.setHealth({ region: 'us-central1' }, 'UNHEALTHY');
          continue;
        }
        const mark = await stack.w.control.mark();
        const id = inject(stack, TRIGGER[fn], payload);
        await waitFor(
          stack,
          () => linesOf(stack.fx.logs, fn, id).find((l) => l.decision !== 'retry' && /^[a-zA-Z]+: /.test(l.message)),
          { what: `${fn} handled ${id}` },
        );
        await stack.w.control.flush();
        const { requests } = await stack.w.control.requests({ since: mark });
        for (const r of requests) {
          const perms = permissionsFor(r);
          const call = `${r.method} ${r.rpc ?? r.path}`;
          expect({ call, perms }).toEqual({ call, perms: expect.any(Array) });
          for (const p of perms ?? []) needed[fn]?.add(p);
          calls[fn]++;
        }
      }
    } finally {
      await stack.close();
    }
  }
  figures.callsPerFunction = calls;
  figures.permissionsNeeded = Object.fromEntries(Object.entries(needed).map(([k, v]) => [k, [...v].sort()]));
  for (const fn of FUNCTION_NAMES) {
    for (const p of ['compute.autoscalers.update', 'compute.backendServices.update', 'dns.changes.create'])
      expect({ fn, p, needed: needed[fn]?.has(p) }).toEqual({ fn, p, needed: true });
  }
});

test('the roles bootstrap granted cover exactly what each function needs, nothing admin-wide', async () => {
  const iam = new IamClient({ projectId: config.project, emulator: s.w.emu.restUrl });
  const policy = await iam.getProjectPolicy();
  const granted: Record<string, string[]> = {};
  for (const fn of FUNCTION_NAMES) {
    const member = `serviceAccount:${saOf(fn)}`;
    granted[fn] = (policy.bindings ?? [])
      .filter((b) => b.members.includes(member))
      .map((b) => b.role)
      .sort();
    expect(granted[fn]).toEqual([...functionRoles()[fn]].sort());
    for (const role of granted[fn] ?? []) for (const bad of FORBIDDEN_ROLES) expect(role).not.toMatch(bad);
    const need = needed[fn] as Set<string>;
    // Publishing is granted on the topics (next test), the rest by the project roles.
    const projectNeed = [...need].filter((p) => p !== 'pubsub.topics.publish');
    const covered = new Set((granted[fn] ?? []).flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
    expect(projectNeed.filter((p) => !covered.has(p))).toEqual([]);
    // Every role earns its place: it covers a needed permission no other granted role covers
    // (logging.logWriter is needed by the platform, not by an API call: BROADER_THAN_NEEDED).
    for (const role of granted[fn] ?? []) {
      if (role === 'roles/logging.logWriter') continue;
      const others = new Set((granted[fn] ?? []).filter((r) => r !== role).flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
      const unique = (ROLE_PERMISSIONS[role] ?? []).filter((p) => need.has(p) && !others.has(p));
      expect({ fn, role, unique: unique.length > 0 }).toEqual({ fn, role, unique: true });
    }
    // A role granting more than the calls need must say why no narrower predefined role exists.
    for (const role of granted[fn] ?? []) {
      const extra = (ROLE_PERMISSIONS[role] ?? []).filter((p) => !need.has(p));
      if (role.endsWith('Admin') || role.endsWith('admin') || role.endsWith('.v1') || extra.length > 0)
        expect({ role, why: typeof BROADER_THAN_NEEDED[role] }).toEqual({ role, why: 'string' });
    }
  }
  figures.rolesGranted = granted;
  figures.broaderThanNeeded = BROADER_THAN_NEEDED;
});

test('topics grant publish only to the configured principals (and the functions where they publish)', async () => {
  const sa = (fn: FunctionName) => `serviceAccount:${saOf(fn)}`;
  const expected: Record<string, string[]> = {
    [topics.capacityRequests]: topics.publishers.capacityRequests,
    [topics.healthAlerts]: topics.publishers.healthAlerts,
    [topics.reconcile]: topics.publishers.reconcile,
    [topics.capacityResults]: [sa('capacityRequest')],
    [topics.deadLetter]: [sa('capacityRequest'), sa('healthAlert'), sa('reconcile')],
  };
  const seen: Record<string, string[]> = {};
  for (const [topic, members] of Object.entries(expected)) {
    const [policy] = await s.w.gcp.pubsub.topic(topic).iam.getPolicy();
    const publishers = (policy.bindings ?? [])
      .filter((b) => b.role === 'roles/pubsub.publisher')
      .flatMap((b) => b.members ?? [])
      .sort();
    seen[topic] = publishers;
    expect({ topic, publishers }).toEqual({ topic, publishers: [...members].sort() });
  }
  // Nobody publishes project-wide: not the functions, not anyone bootstrap adds.
  const iam = new IamClient({ projectId: config.project, emulator: s.w.emu.restUrl });
  const project = await iam.getProjectPolicy();
  expect((project.bindings ?? []).filter((b) => b.role.startsWith('roles/pubsub.'))).toEqual([]);
  figures.topicPublishers = seen;
});

test('push deliveries are authenticated as the function’s own account; no token, no entry', async () => {
  expect(deliveries.authenticated).toBeGreaterThan(0);
  expect(deliveries.wrongAccount).toBe(0);
  const before = deliveries.refused;
  for (const p of proxies) {
    const res = await fetch(`http://127.0.0.1:${(p.address() as AddressInfo).port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-id': 'x', 'ce-specversion': '1.0' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  }
  expect(deliveries.refused - before).toBe(proxies.length);
  figures.pushDeliveries = { ...deliveries };
});

test('cloudbuild.yaml deploys every function authenticated-only, internal ingress, with its own account', () => {
  const build = parse(readFileSync(path.resolve(__dirname, '..', '..', 'cloudbuild.yaml'), 'utf8')) as {
    steps: Array<{ id: string; args?: string[] }>;
  };
  const deploys = build.steps.filter((st) => (st.args ?? []).join(' ').includes('gcloud functions deploy'));
  expect(deploys).toHaveLength(3);
  const entryPoints: string[] = [];
  for (const step of deploys) {
    const script = (step.args ?? []).join(' ');
    expect(script).toContain('--no-allow-unauthenticated');
    expect(script).not.toMatch(/--allow-unauthenticated/);
    expect(script).toMatch(/--ingress-settings[= ]internal-only/);
    const entry = /--entry-point=(\w+)/.exec(script)?.[1] as FunctionName;
    entryPoints.push(entry);
    const account = /--service-account=\$\$\{(\w+)\}/.exec(script)?.[1];
    const trigger = /--trigger-service-account=\$\$\{(\w+)\}/.exec(script)?.[1];
    expect(account).toBeDefined();
    expect(trigger).toBe(account); // the push token is the function's own identity
    const env = { capacityRequest: 'SA_CAPACITY', healthAlert: 'SA_HEALTH', reconcile: 'SA_RECONCILE' }[entry];
    expect(account).toBe(env);
  }
  expect(entryPoints.sort()).toEqual([...FUNCTION_NAMES].sort());
  figures.deploy = { functions: entryPoints.length, noAllowUnauthenticated: true, ingress: 'internal-only' };
});

test('no secret or credential in any log line (the deliveries carried bearer tokens)', () => {
  const lines = [...allLogs, ...s.fx.logs];
  expect(lines.length).toBeGreaterThan(0);
  expect(secretLeaks(lines)).toEqual([]);
  // The logger itself redacts credential-looking fields, whatever a caller passes.
  const out: string[] = [];
  const log = createLogger({ write: (l) => out.push(l) });
  log.error('call failed', {
    authorization: 'Bearer ya29.a0AfH6SMBx-secret-token-value',
    headers: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIE...',
    access_token: 'ya29.a0AfH6SMBx-other',
  });
  expect(secretLeaks(out)).toEqual([]);
  expect(out[0]).toContain('[redacted]');
  figures.logs = { functionLogLines: lines.length, leaks: 0 };
});
