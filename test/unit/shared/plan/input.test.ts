import { plannerInput } from '../../../../shared/plan/input';
import { plan as makePlan } from '../../../../shared/plan/plan';
import { writeBackendNote } from '../../../../shared/state/notes';
import { encodeScheduleMeta } from '../../../../shared/state/schedules';
import { encodeWeights } from '../../../../shared/state/weights-record';
import { exampleConfig, MIN, NOW } from '../fixtures/planner';
import { backendIn, baseSnapshot, entryIpOf, geoRecord } from '../fixtures/snapshot';

const config = exampleConfig();

test('a region whose health, autoscaler or instances could not be read is left unobserved (held)', () => {
  const snap = baseSnapshot(config);
  delete snap.regions['us-east4']?.health;
  delete snap.regions['europe-west4']?.instances;
  const { input } = plannerInput(config, snap);
  expect(Object.keys(input.observed).sort()).toEqual(['asia-northeast1', 'asia-southeast1', 'us-central1']);
});

test('a stockout is every configured zone of the region out of GPUs within 15 minutes', () => {
  const snap = baseSnapshot(config);
  const r = config.regions.find((x) => x.name === 'us-east4')!;
  const stockout = (zone: string, at: number) => ({
    timestamp: new Date(at).toISOString(),
    error: { code: 'ZONE_RESOURCE_POOL_EXHAUSTED' },
    instanceActionDetails: { instance: `https://x/projects/p/zones/${zone}/instances/vm` },
  });
  (snap.regions['us-east4'] as { migErrors: unknown[] }).migErrors = [stockout(r.zones[0] as string, NOW - MIN)];
  expect(plannerInput(config, snap).input.observed['us-east4']?.stockout).toBe(false);
  (snap.regions['us-east4'] as { migErrors: unknown[] }).migErrors = r.zones.map((z) => stockout(z, NOW - MIN));
  expect(plannerInput(config, snap).input.observed['us-east4']?.stockout).toBe(true);
  (snap.regions['us-east4'] as { migErrors: unknown[] }).migErrors = r.zones.map((z) => stockout(z, NOW - 20 * MIN));
  expect(plannerInput(config, snap).input.observed['us-east4']?.stockout).toBe(false);
});

test('capacity floors are the live georoute schedules; operator schedules and expired ones are not', () => {
  const snap = baseSnapshot(config);
  const as = snap.regions['us-central1']?.autoscaler as { autoscalingPolicy: Record<string, unknown> };
  as.autoscalingPolicy.scalingSchedules = {
    'georoute-req-a': {
      minRequiredReplicas: 5,
      description: encodeScheduleMeta({ requestId: 'a', expiresAt: NOW + MIN }),
    },
    'georoute-req-b': {
      minRequiredReplicas: 6,
      description: encodeScheduleMeta({ requestId: 'b', expiresAt: NOW - 1 }),
    },
    'georoute-req-c': { minRequiredReplicas: 7, disabled: true, description: encodeScheduleMeta({ requestId: 'c' }) },
    'nightly-batch': { minRequiredReplicas: 9, description: 'the operator’s' },
  };
  expect(plannerInput(config, snap).input.floors).toEqual([
    { requestId: 'a', region: 'us-central1', replicas: 5, expiresAt: NOW + MIN },
  ]);
});

test('the current plan keeps the stored weights when they agree with what the geo record serves', () => {
  const snap = baseSnapshot(config, {
    dnsRecord: geoRecord(config, () => 'us-central1'),
  });
  const item = snap.dnsRecord?.routingPolicy?.geo?.items.find((i) => i.location === 'us-west1');
  if (item) item.rrdatas = [entryIpOf(config, 'us-central1'), entryIpOf(config, 'us-east4')];
  snap.dnsWeightsRecord = {
    name: `_georoute-weights.${config.dns.recordName}`,
    type: 'TXT',
    rrdatas: encodeWeights({ 'us-west1': { 'us-central1': 0.7, 'us-east4': 0.3 } }, NOW - MIN),
  };
  const { input } = plannerInput(config, snap);
  expect(input.current?.locations['us-west1']?.weights).toEqual({ 'us-central1': 0.7, 'us-east4': 0.3 });
  expect(input.weightsMovedAt).toBe(NOW - MIN);
  // Edited by hand (the TXT disagrees with the item): what DNS serves wins, equal shares.
  item!.rrdatas = [entryIpOf(config, 'us-central1'), entryIpOf(config, 'asia-southeast1')];
  expect(plannerInput(config, snap).input.current?.locations['us-west1']?.weights).toEqual({
    'us-central1': 0.5,
    'asia-southeast1': 0.5,
  });
});

test('an incident being recorded is seen by the plan; its close starts a healthy streak now', () => {
  const snap = baseSnapshot(config);
  const open = plannerInput(config, snap, { region: 'us-east4', id: 'i1', state: 'open', at: NOW - MIN });
  expect(open.input.observed['us-east4']?.openIncidents).toEqual([{ id: 'i1', startedAt: NOW - MIN }]);
  expect(open.notes['us-east4']?.open).toEqual({ i1: NOW - MIN });

  backendIn(snap, config, 'us-east4').description = writeBackendNote({
    open: { i1: NOW - MIN },
    closed: {},
    healthySince: null,
    unhealthy: true,
    warmingSince: null,
    servedAt: 0,
    overloadedSince: null,
    overloadEndedAt: null,
  });
  const closed = plannerInput(config, snap, { region: 'us-east4', id: 'i1', state: 'closed', at: NOW });
  expect(closed.input.observed['us-east4']?.openIncidents).toEqual([]);
  expect(closed.input.observed['us-east4']?.lastHealthyTransitionAt).toBe(NOW);
});

test('a region with every VM being created or verified and none healthy is warming, from when first seen', () => {
  const snap = baseSnapshot(config);
  const rs = snap.regions['us-east4'] as unknown as {
    instances: Array<Record<string, string>>;
    health: { healthy: number };
  };
  rs.instances = [
    { instance: 'a', instanceStatus: 'RUNNING', currentAction: 'VERIFYING' },
    { instance: 'b', instanceStatus: 'STAGING', currentAction: 'CREATING' },
  ];
  rs.health.healthy = 0;
  // A region that served before and has only new VMs now is being recreated after a failure: not warming.
  expect(plannerInput(config, snap).input.observed['us-east4']).toMatchObject({ warming: false, warmingSince: null });
  // A region that never served (a new stack) is.
  backendIn(snap, config, 'us-east4').description = undefined;
  const first = plannerInput(config, snap).input.observed['us-east4'];
  expect(first).toMatchObject({ warming: true, warmingSince: NOW });
  // Later, from the time kept in its note; past the region's warm-up window it is no longer warming.
  const warmup = config.regions.find((r) => r.name === 'us-east4')!.warmupSec * 1000;
  backendIn(snap, config, 'us-east4').description = writeBackendNote({
    open: {},
    closed: {},
    healthySince: null,
    unhealthy: false,
    warmingSince: NOW - warmup - 1,
    servedAt: null,
    overloadedSince: null,
    overloadEndedAt: null,
  });
  expect(plannerInput(config, snap).input.observed['us-east4']).toMatchObject({ warming: false });
  // One VM that came up and then failed its checks: not a start-up.
  rs.instances.push({ instance: 'c', instanceStatus: 'RUNNING', currentAction: 'NONE' });
  backendIn(snap, config, 'us-east4').description = undefined;
  expect(plannerInput(config, snap).input.observed['us-east4']).toMatchObject({ warming: false, warmingSince: null });
});

test('a warming region stays warming when the MIG has verified a VM that the load balancer does not yet count', () => {
  // Seen on Google's clock (test/google-clock/startup.test.ts): the MIG's autohealing check and the
  // region's load-balancer check probe separately, and observe reads getHealth and listManagedInstances
  // at slightly different times. In between, the region's first VM is verified (NONE) while its load
  // balancer still counts 0 healthy: the start-up is not over, and the region never served.
  const snap = baseSnapshot(config);
  const rs = snap.regions['us-east4'] as unknown as {
    instances: Array<Record<string, string>>;
    health: { healthy: number; total: number };
  };
  rs.instances = [{ instance: 'a', instanceStatus: 'RUNNING', currentAction: 'NONE' }];
  rs.health = { healthy: 0, total: 1 };
  const warmingSince = NOW - 10 * MIN;
  backendIn(snap, config, 'us-east4').description = writeBackendNote({
    open: {},
    closed: {},
    healthySince: null,
    unhealthy: false,
    warmingSince,
    servedAt: null,
    overloadedSince: null,
    overloadEndedAt: null,
  });
  const { input } = plannerInput(config, snap);
  expect(input.observed['us-east4']).toMatchObject({ warming: true, warmingSince });
  const { plan } = makePlan({ ...input, config });
  expect(plan.regions['us-east4']?.state).not.toBe('drained');
  // Its window still ends: a region that never serves is drained once it has run out.
  const warmup = config.regions.find((r) => r.name === 'us-east4')!.warmupSec * 1000;
  snap.now = warmingSince + warmup + 1;
  const late = plannerInput(config, snap).input;
  expect(late.observed['us-east4']).toMatchObject({ warming: false, warmingSince });
  expect(makePlan({ ...late, config }).plan.regions['us-east4']?.state).toBe('drained');
});
