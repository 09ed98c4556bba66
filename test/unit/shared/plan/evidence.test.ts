import { METRIC_DELAY_MS, OVERLOAD_MARGIN, overloadedNow, weighIncidents } from '../../../../shared/plan/evidence';
import { exampleConfig, MIN, NOW } from '../fixtures/planner';

const config = exampleConfig();
const region = config.regions.find((r) => r.name === 'us-east4')!; // 4 rps per replica
const base = {
  region,
  alerts: config.alerts,
  incidents: [{ id: 'a', startedAt: NOW - 2 * MIN }],
  healthy: 2,
  warming: false,
  servedAt: NOW - 60 * MIN,
  now: NOW,
};

test('an incident of a region that served and is not overloaded counts', () => {
  expect(weighIncidents(base)).toEqual({ counted: base.incidents, discounted: [] });
  // Offered less than it serves, 30 % 5xx: a gray failure.
  expect(weighIncidents({ ...base, traffic: { rps: 6, errorRatio: 0.3 } }).counted).toHaveLength(1);
});

test('start-up: a region that never served discounts its incidents while it warms up, not after', () => {
  const never = { ...base, servedAt: null, healthy: 0 };
  expect(weighIncidents({ ...never, warming: true }).discounted).toEqual([{ ...base.incidents[0], why: 'start-up' }]);
  expect(weighIncidents({ ...never, warming: false }).counted).toHaveLength(1);
});

test('start-up: incidents whose window still held the start-up are discounted for one more window', () => {
  const servedAt = NOW - MIN;
  const windowMs = config.alerts.windowSec * 1000;
  const opened = [{ id: 'a', startedAt: servedAt - MIN }];
  expect(weighIncidents({ ...base, servedAt, incidents: opened }).discounted[0]?.why).toBe('start-up');
  // Opened after the first serve, but its window (plus the metric delay) reaches back before it.
  const soon = [{ id: 'b', startedAt: servedAt + windowMs + METRIC_DELAY_MS }];
  expect(weighIncidents({ ...base, servedAt, incidents: soon }).discounted[0]?.why).toBe('start-up');
  // Still open one window after that: it counts.
  const late = { ...base, servedAt, incidents: opened, now: servedAt + 2 * windowMs + METRIC_DELAY_MS };
  expect(weighIncidents(late).counted).toHaveLength(1);
  // One whose window saw only serving time is evidence.
  const clean = [{ id: 'c', startedAt: servedAt + windowMs + METRIC_DELAY_MS + 1 }];
  expect(weighIncidents({ ...base, servedAt, incidents: clean }).counted).toHaveLength(1);
});

test('overload: errors no more than the shed of the excess (one VM fewer, plus the margin) are discounted; more are not', () => {
  // 10 healthy × 4 rps = 40 served; 50 offered. Against 9 VMs (one may have come up within the
  // window) it sheds 1 − 36/50 = 28 %.
  const busy = { ...base, healthy: 10 };
  const limit = 1 - 36 / 50 + OVERLOAD_MARGIN;
  expect(weighIncidents({ ...busy, traffic: { rps: 50, errorRatio: 0.2 } }).discounted[0]?.why).toBe('overload');
  expect(weighIncidents({ ...busy, traffic: { rps: 50, errorRatio: limit - 0.001 } }).counted).toHaveLength(0);
  expect(weighIncidents({ ...busy, traffic: { rps: 50, errorRatio: limit + 0.01 } }).counted).toHaveLength(1);
  // A gray failure on a busy region still counts: 30 % 5xx on top of the fifth shed.
  expect(weighIncidents({ ...busy, traffic: { rps: 50, errorRatio: 0.2 + 0.8 * 0.3 } }).counted).toHaveLength(1);
  // Seen on Google's clock: a window's traffic against the healthy count now, while VMs come up one by
  // one, underestimates the shed (7 × 4 served of 30.5 → 8.2 %; 8 × 4 of 35.1 → 8.9 %) — the region
  // shed that and nothing else.
  expect(weighIncidents({ ...base, healthy: 7, traffic: { rps: 30.49, errorRatio: 0.146 } }).counted).toHaveLength(0);
  expect(weighIncidents({ ...base, healthy: 8, traffic: { rps: 35.12, errorRatio: 0.19 } }).counted).toHaveLength(0);
  // No healthy backend: nothing is "overloaded", it is down.
  expect(weighIncidents({ ...base, healthy: 0, traffic: { rps: 16, errorRatio: 1 } }).counted).toHaveLength(1);
  // Unmeasured traffic: no discount.
  expect(weighIncidents({ ...base, traffic: undefined }).counted).toHaveLength(1);
});

test('overload that has ended: incidents whose window held it are discounted for one more window', () => {
  const ended = NOW - MIN;
  const windowMs = config.alerts.windowSec * 1000;
  // Capacity caught up (2 healthy × 4 rps ≥ 6 offered), the 5xx of the overload still in the window.
  const now = { ...base, traffic: { rps: 6, errorRatio: 0.4 }, overloadEndedAt: ended };
  const during = [{ id: 'a', startedAt: ended - 3 * MIN }];
  expect(weighIncidents({ ...now, incidents: during })).toMatchObject({ counted: [] });
  expect(weighIncidents({ ...now, incidents: during }).discounted[0]?.why).toBe('overload');
  // Still open one window after the window that held it: it counts.
  const later = { ...now, incidents: during, now: ended + 2 * windowMs + METRIC_DELAY_MS };
  expect(weighIncidents(later).counted).toHaveLength(1);
  // Opened when its window no longer reached the overload: evidence.
  const fresh = [{ id: 'b', startedAt: ended + windowMs + METRIC_DELAY_MS + 1 }];
  expect(weighIncidents({ ...now, incidents: fresh, now: fresh[0]!.startedAt }).counted).toHaveLength(1);
  // Overloaded now: offered beyond what its healthy replicas serve (the note records when it ends).
  expect(overloadedNow({ ...base, traffic: { rps: 16, errorRatio: 0.5 } })).toBe(true);
  expect(overloadedNow({ ...base, traffic: { rps: 6, errorRatio: 0.5 } })).toBe(false);
});
