import { plannerInput } from '../../../../shared/plan/input';
import { plan } from '../../../../shared/plan/plan';
import { desiredCapacity, desiredDns, desiredLb } from '../../../../shared/reconcile/desired';
import { readBackendNote } from '../../../../shared/state/notes';
import { encodeScheduleMeta } from '../../../../shared/state/schedules';
import { exampleConfig, NOW } from '../fixtures/planner';
import { ANYCAST, backendIn, baseSnapshot, entryIpOf } from '../fixtures/snapshot';

const config = exampleConfig();

function planned(snap = baseSnapshot(config), incident?: Parameters<typeof plannerInput>[2]) {
  const derived = plannerInput(config, snap, incident);
  return { snap, derived, ...plan({ config, ...derived.input }) };
}

test('desiredLb: scalers for observed regions only, written with the fingerprint observe read', () => {
  const snap = baseSnapshot(config);
  delete snap.regions['asia-northeast1']?.health;
  backendIn(snap, config, 'us-central1').description = 'operator text';
  const { derived, plan: p } = planned(snap);
  const lb = desiredLb(config, p, snap, derived);
  expect(lb?.current?.fingerprint).toBe('fp-1');
  expect(Object.keys(lb?.scalers ?? {}).sort()).toEqual(['asia-southeast1', 'europe-west4', 'us-central1', 'us-east4']);
  // A healthy region seen serving for the first time records when (alerts raised before were its start-up)…
  const first = lb?.notes?.['us-central1']?.('operator text') ?? '';
  expect(readBackendNote(first).servedAt).toBe(NOW);
  // …and after that, with nothing to record, leaves its description as it is: no write for a note that says nothing.
  expect(lb?.notes?.['us-central1']?.(first)).toBe(first);
});

test('desiredLb: the note records when an overload begins and when it ends (its alerts lag it)', () => {
  const snap = baseSnapshot(config);
  const healthy = snap.regions['us-east4']?.health?.healthy ?? 0;
  const serves = healthy * (config.regions.find((r) => r.name === 'us-east4')?.replicaThroughputRps ?? 0);
  // Offered twice what its healthy replicas serve: overloaded from now.
  snap.regionTraffic = { 'us-east4': { rps: 2 * serves, errorRps: serves } };
  const over = planned(snap);
  const begun = desiredLb(config, over.plan, snap, over.derived)?.notes?.['us-east4']?.(undefined) ?? '';
  expect(readBackendNote(begun)).toMatchObject({ overloadedSince: NOW, overloadEndedAt: null });
  // Capacity caught up: the end is recorded; after that, nothing more to write.
  backendIn(snap, config, 'us-east4').description = begun;
  snap.regionTraffic = { 'us-east4': { rps: serves / 2, errorRps: 0 } };
  const caught = planned(snap);
  const ended = desiredLb(config, caught.plan, snap, caught.derived)?.notes?.['us-east4']?.(begun) ?? '';
  expect(readBackendNote(ended)).toMatchObject({ overloadedSince: null, overloadEndedAt: NOW });
  backendIn(snap, config, 'us-east4').description = ended;
  const after = planned(snap);
  expect(desiredLb(config, after.plan, snap, after.derived)?.notes?.['us-east4']?.(ended)).toBe(ended);
});

test('desiredLb: an open incident drains the region and is written into its note in the same write', () => {
  const incident = { region: 'us-east4', id: 'inc-7', state: 'open' as const, at: NOW };
  const { snap, derived, plan: p } = planned(undefined, incident);
  const lb = desiredLb(config, p, snap, derived, incident);
  expect(lb?.scalers['us-east4']).toBe(0);
  const note = readBackendNote(lb?.notes?.['us-east4']?.(undefined));
  expect(note).toMatchObject({ open: { 'inc-7': NOW }, unhealthy: true });
  // Derived from what is read at write time: another writer's incident survives a 412 retry.
  const other = readBackendNote(lb?.notes?.['us-east4']?.('georoute/v1 {"o":{"inc-6":1},"c":{},"h":null,"u":1}'));
  expect(Object.keys(other.open).sort()).toEqual(['inc-6', 'inc-7']);
});

test('desiredLb: an unobserved region keeps its scaler but never loses an incident about it', () => {
  const snap = baseSnapshot(config);
  delete snap.regions['us-east4']?.autoscaler;
  const incident = { region: 'us-east4', id: 'inc-8', state: 'open' as const, at: NOW };
  const { derived, plan: p } = planned(snap, incident);
  const lb = desiredLb(config, p, snap, derived, incident);
  expect(lb?.scalers['us-east4']).toBeUndefined();
  expect(readBackendNote(lb?.notes?.['us-east4']?.(undefined)).open).toEqual({ 'inc-8': NOW });
});

test('desiredLb: nothing to do when the backend service could not be read', () => {
  const snap = baseSnapshot(config, { backendService: undefined });
  const { derived, plan: p } = planned(snap);
  expect(desiredLb(config, p, snap, derived)).toBeUndefined();
});

test('desiredDns: every location answered by its regions’ entry IPs, a drained region in none', () => {
  const incident = { region: 'us-east4', id: 'east-down', state: 'open' as const, at: NOW };
  const { snap, plan: p } = planned(undefined, incident);
  const dns = desiredDns(config, p, snap);
  expect(dns?.items).toHaveLength(config.clientLocations.length);
  const all = dns?.items.flatMap((i) => i.rrdatas) ?? [];
  expect(all).not.toContain(entryIpOf(config, 'us-east4'));
  expect(dns?.current?.record).toBe(snap.dnsRecord);
  expect(dns?.weightsMovedAt).toBe(NOW);
});

test('desiredDns: a fence allowed to fall back is answered by the anycast address when its region drains', () => {
  const fallback = { ...config, residencyFallback: { eu: 'anycast' as const } };
  const snap = baseSnapshot(fallback);
  const derived = plannerInput(fallback, snap, { region: 'europe-west4', id: 'eu-down', state: 'open', at: NOW });
  const p = plan({ config: fallback, ...derived.input }).plan;
  const dns = desiredDns(fallback, p, snap);
  expect(dns?.items.find((i) => i.location === 'europe-west1')?.rrdatas).toEqual([ANYCAST]);
  expect(dns?.items.flatMap((i) => i.rrdatas)).not.toContain(entryIpOf(fallback, 'europe-west4'));
});

test('desiredDns: no change when the geo record could not be read, or a location would get no answer', () => {
  const failedRead = baseSnapshot(config, { dnsRecord: undefined });
  failedRead.errors.push({ what: 'read geo record', error: new Error('503') });
  expect(desiredDns(config, planned(failedRead).plan, failedRead)).toBeUndefined();

  const fallback = { ...config, residencyFallback: { eu: 'anycast' as const } };
  const noAnycast = baseSnapshot(fallback, { anycastIp: undefined });
  const derived = plannerInput(fallback, noAnycast, { region: 'europe-west4', id: 'x', state: 'open', at: NOW });
  const p = plan({ config: fallback, ...derived.input }).plan;
  const unanswered: string[] = [];
  expect(desiredDns(fallback, p, noAnycast, (l) => unanswered.push(l))).toBeUndefined();
  expect(unanswered.length).toBeGreaterThan(0);
});

test('desiredCapacity: floors move with the cooldown clock; expired georoute schedules are retired', () => {
  const snap = baseSnapshot(config);
  const as = snap.regions['us-east4']?.autoscaler as { autoscalingPolicy: Record<string, unknown> };
  as.autoscalingPolicy.scalingSchedules = {
    'georoute-req-old': {
      minRequiredReplicas: 2,
      description: encodeScheduleMeta({ requestId: 'old', expiresAt: NOW - 1 }),
    },
  };
  const { derived, plan: p } = planned(snap);
  const steps = desiredCapacity(config, p, snap, derived);
  const east = steps.find((s) => 'desired' in s && s.desired.region === 'us-east4');
  expect(east && 'desired' in east && east.desired.retireSchedules).toEqual(['georoute-req-old']);
  // Every other region: a floor the plan moves is written (stamped with the cooldown clock), one it keeps is skipped.
  for (const r of config.regions.filter((x) => x.name !== 'us-east4')) {
    const step = steps.find((s) => ('desired' in s ? s.desired.region : s.region) === r.name);
    const wanted = p.regions[r.name]?.minReplicas;
    if (wanted === r.minReplicas) expect(step).toMatchObject({ skipped: `floor already ${r.minReplicas}` });
    else
      expect(step).toMatchObject({ desired: { minReplicas: wanted, description: expect.stringContaining(`${NOW}`) } });
  }
});

test('desiredCapacity: unobserved regions are left alone', () => {
  const snap = baseSnapshot(config);
  delete snap.regions['us-east4']?.instances;
  const { derived, plan: p } = planned(snap);
  expect(
    desiredCapacity(config, p, snap, derived).some(
      (s) => ('desired' in s ? s.desired.region : s.region) === 'us-east4',
    ),
  ).toBe(false);
});
