import type { FaultRule } from '../../emulator/core/faults';
import type { DnsStore } from '../../emulator/dns/store';
import { readRecord } from '../../shared/gcp/dns-rest';
import { ledgerKey, readLedger } from '../../shared/state/ledger';
import { incident } from '../helpers/incidents';
import { testConfig } from '../helpers/stack';
import { answers } from './helpers/outage';
import { backendService, type ChaosStack, linesOf, scalers, startChaosStack, tick, waitFor } from './helpers/stack';

/**
 * A busy API is not a failure (issue 14 §5). Compute answers 400 `resourceNotReady` while a resource's
 * previous operation still runs (shared/core/errors.ts cites it); Cloud DNS answers 404 to a deletion
 * whose record is gone (https://cloud.google.com/dns/docs/reference/rest/v1/changes/create: deletions
 * must match the current record). Both are injected on the twin; the functions are the deployed entry
 * served by functions-framework and fed by push subscriptions. Retried in place when the fault passes
 * within the function's deadline; otherwise the function answers 500 and Pub/Sub redelivers: an event
 * is never acked before its drain or its claim is written.
 */
jest.setTimeout(180_000);
const config = testConfig();
const BS = config.loadBalancer.backendService;

/** Google's shape of the answer (https://github.com/kubernetes/ingress-gce/issues/396). */
const busy = (rule: FaultRule, resource: string): FaultRule => ({
  writes: true,
  statuses: [400],
  reason: 'resourceNotReady',
  message: `The resource 'projects/${config.project}/${resource}' is not ready`,
  ...rule,
});
const BACKEND_PATCH = busy(
  { api: 'compute', method: 'PATCH', pathPattern: '/global/backendServices/' },
  `global/backendServices/${BS}`,
);
const AUTOSCALER_WRITE = busy(
  { api: 'compute', pathPattern: '/regions/us-central1/autoscalers' },
  'regions/us-central1/autoscalers/georoute-as-us-central1',
);

let s: ChaosStack;
beforeEach(async () => {
  s = await startChaosStack(config);
  await s.w.servedForAWhile(); // a start-up incident would be discounted (shared/plan/evidence.ts)
  await tick(s); // converged: the next writes are the event's own
});
afterEach(() => s.close());

/** Successful writes (not injected) whose path matches. */
async function landed(mark: number, path: RegExp): Promise<number> {
  const { requests } = await s.w.control.requests({ since: mark });
  return requests.filter((r) => r.write && !r.injected && r.status < 300 && path.test(r.path)).length;
}
/** The line with the function's decision (a warning on the way has none). */
const final = (fn: string, id: string) =>
  linesOf(s.fx.logs, fn, id).find((l) => l.decision !== undefined && l.decision !== 'retry');
const retries = (fn: string, id: string) => linesOf(s.fx.logs, fn, id).filter((l) => l.decision === 'retry').length;
const openIncident = () =>
  s.fx.publish(config.pubsub.healthAlerts, incident('busy-1', 'open', 'us-east4', s.w.emu.ctx.clock.now()));

test('healthAlert: a backend-service PATCH answered 400 resourceNotReady 3× is retried in place → drained, acked once', async () => {
  const mark = await s.w.control.mark();
  await s.w.control.addFault({ ...BACKEND_PATCH, count: 3 });
  const id = await openIncident();
  const done = await waitFor(s, () => final('healthAlert', id), { advanceMs: 2_000, what: 'the incident handled' });
  expect(done.decision).toBe('incident open: us-east4 drained');
  expect(retries('healthAlert', id)).toBe(0); // within the function's deadline: no redelivery needed
  expect((await scalers(s))['us-east4']).toBe(0);
  expect(await landed(mark, /\/global\/backendServices\//)).toBe(1); // one backend-service change
});

test('healthAlert: resourceNotReady outlasting the retries → 500, not acked; once it clears the redelivery drains', async () => {
  const mark = await s.w.control.mark();
  await s.w.control.addFault({ ...BACKEND_PATCH, id: 'busy' });
  const id = await openIncident();
  // Ten tries over ~13 s (shared/gcp/retry.ts WRITE_POLICY), then the function throws.
  await waitFor(s, () => retries('healthAlert', id) > 0 || undefined, { what: 'the first attempt given up' });
  expect(final('healthAlert', id)).toBeUndefined();
  expect((await scalers(s))['us-east4']).toBe(1);
  const sub = (await s.w.control.subscriptions()).find((x) => x.name.endsWith(`${config.pubsub.healthAlerts}-push`));
  expect((sub?.backlog ?? 0) + (sub?.outstanding ?? 0)).toBeGreaterThan(0); // kept for redelivery
  await s.w.control.removeFault('busy');
  const done = await waitFor(s, () => final('healthAlert', id), { advanceMs: 2_000, what: 'the redelivery' });
  expect(done.decision).toBe('incident open: us-east4 drained');
  expect((await scalers(s))['us-east4']).toBe(0);
  expect(await landed(mark, /\/global\/backendServices\//)).toBe(1);
});

const request = (requestId: string) =>
  s.fx.publish(config.pubsub.capacityRequests, {
    requestId,
    region: 'us-central1',
    accelerator: 'nvidia-l4',
    replicas: 1,
    durationMinutes: 30,
  });
const claimed = async (requestId: string) => ledgerKey(requestId) in readLedger((await backendService(s)).description);
async function georouteSchedules(): Promise<string[]> {
  const [a] = await s.w.gcp.compute.regionAutoscalers.get({
    project: config.project,
    region: 'us-central1',
    autoscaler: 'georoute-as-us-central1',
  });
  return Object.keys(a.autoscalingPolicy?.scalingSchedules ?? {}).filter((n) => n.startsWith('georoute-'));
}

test('capacityRequest: an autoscaler write busy 3× is retried in place → one schedule, claimed, answered once', async () => {
  await s.w.control.addFault({ ...AUTOSCALER_WRITE, count: 3 });
  const id = await request('busy-as');
  const done = await waitFor(s, () => final('capacityRequest', id), { advanceMs: 2_000, what: 'the answer' });
  expect(done.decision).toBe('granted');
  expect(retries('capacityRequest', id)).toBe(0);
  expect(await georouteSchedules()).toHaveLength(1);
  expect((await answers(s, ['busy-as']))['busy-as']).toHaveLength(1);
});

test.each([
  ['the autoscaler write', AUTOSCALER_WRITE],
  ['the claim (backend-service PATCH)', BACKEND_PATCH],
])(
  'capacityRequest: %s busy beyond the retries → not acked, unanswered; once it clears, answered once',
  async (_what, rule) => {
    await s.w.control.addFault({ ...rule, id: 'busy' });
    const id = await request('busy-long');
    await waitFor(s, () => retries('capacityRequest', id) > 0 || undefined, { what: 'the first attempt given up' });
    expect(final('capacityRequest', id)).toBeUndefined();
    expect(await claimed('busy-long')).toBe(false);
    expect((await answers(s, ['busy-long']))['busy-long']).toHaveLength(0);
    await s.w.control.removeFault('busy');
    const done = await waitFor(s, () => final('capacityRequest', id), { advanceMs: 2_000, what: 'the redelivery' });
    expect(done.decision).toBe('granted');
    expect(await claimed('busy-long')).toBe(true);
    expect(await georouteSchedules()).toHaveLength(1);
    expect((await answers(s, ['busy-long']))['busy-long']).toHaveLength(1);
  },
);

/** The geo answer per location, as region names. */
async function geoAnswers(): Promise<Record<string, string[]>> {
  const ips: Record<string, string> = {};
  for (const r of config.regions) {
    const [a] = await s.w.gcp.compute.addresses.get({
      project: config.project,
      region: r.name,
      address: r.entry.addressName,
    });
    ips[a.address as string] = r.name;
  }
  const record = await readRecord(s.w.gcp.dns, config.dns.managedZone, config.dns.recordName, 'A');
  return Object.fromEntries(
    (record?.routingPolicy?.geo?.items ?? []).map((i) => [i.location, (i.rrdatas ?? []).map((ip) => ips[ip] ?? ip)]),
  );
}

test('reconcile: a DNS change whose deletion answers 404 because the record moved meanwhile → re-read, record right', async () => {
  const before = await geoAnswers();
  await s.w.control.setHealth({ region: 'us-east4', health: 'UNHEALTHY' }); // the tick must rewrite the record
  // Someone removes the geo record between georoute's read and its change: the change's deletion
  // names a record that no longer exists, and Cloud DNS answers 404 notFound.
  const faults = s.w.emu.ctx.faults;
  const decide = faults.decide.bind(faults);
  let moved = 0;
  faults.decide = (req) => {
    if (moved === 0 && req.api === 'dns' && req.method === 'POST' && req.path.endsWith('/changes')) {
      moved++;
      const { store } = s.w.emu.dns as unknown as { store: DnsStore };
      const zone = store.zone(config.project, config.dns.managedZone);
      store.commit(
        zone,
        [],
        zone.rrsets.filter((r) => r.name === config.dns.recordName && r.type === 'A'),
      );
    }
    return decide(req);
  };
  const mark = await s.w.control.mark();
  try {
    s.w.advance(61_000);
    const done = await tick(s);
    expect(done.decision).toMatch(/^applied/);
  } finally {
    faults.decide = decide;
  }
  expect(moved).toBe(1);
  const { requests } = await s.w.control.requests({ since: mark });
  const changes = requests.filter((r) => r.api === 'dns' && r.method === 'POST' && r.path.endsWith('/changes'));
  expect(changes.map((r) => r.status)).toEqual([404, 200]); // refused, re-read, redone
  const after = await geoAnswers();
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  for (const regions of Object.values(after)) expect(regions).not.toContain('us-east4');
});
