import { decodeState, encodeState } from '../../../../shared/state/codec';
import {
  decodeScheduleMeta,
  encodeScheduleMeta,
  expiredSchedules,
  liveSchedules,
  scheduleName,
} from '../../../../shared/state/schedules';

test('the georoute/v1 envelope round-trips, and anything else reads as no state', () => {
  expect(decodeState(encodeState({ a: 1, b: 'x' }))).toEqual({ a: 1, b: 'x' });
  for (const foreign of [
    undefined,
    null,
    '',
    'hand-written',
    'georoute/v1 [1]',
    'georoute/v1 {broken',
    'georoute/v2 {}',
  ])
    expect(decodeState(foreign)).toBeUndefined();
});

test('schedule metadata round-trips and fits Google’s 512-character schedule description', () => {
  const meta = { requestId: 'req-1', expiresAt: 1_800_000_000_000, members: 3 };
  expect(decodeScheduleMeta(encodeScheduleMeta(meta))).toEqual(meta);
  expect(decodeScheduleMeta(encodeScheduleMeta({ requestId: 'open-ended' }))).toEqual({ requestId: 'open-ended' });
  expect(encodeScheduleMeta({ requestId: 'x'.repeat(600) }).length).toBeLessThanOrEqual(512);
  expect(decodeScheduleMeta('the operator’s nightly batch')).toBeUndefined();
});

test('schedule names are RFC 1035, unique per request id, and carry the georoute prefix', () => {
  const a = scheduleName('Team-A/Launch 2026!');
  expect(a).toMatch(/^georoute-req-[a-z0-9-]+$/);
  expect(a.length).toBeLessThanOrEqual(63);
  expect(scheduleName('Team-A/Launch 2026?')).not.toBe(a);
});

test('live and expired are decided from the description; disabled ones are dead too, an operator’s neither', () => {
  const now = 1_800_000_000_000;
  const autoscaler = {
    autoscalingPolicy: {
      scalingSchedules: {
        'georoute-live': {
          minRequiredReplicas: 2,
          description: encodeScheduleMeta({ requestId: 'l', expiresAt: now + 1 }),
        },
        'georoute-open': { minRequiredReplicas: 1, description: encodeScheduleMeta({ requestId: 'o' }) },
        'georoute-gone': {
          minRequiredReplicas: 3,
          description: encodeScheduleMeta({ requestId: 'g', expiresAt: now }),
        },
        'georoute-off': { disabled: true, description: encodeScheduleMeta({ requestId: 'd', expiresAt: now - 5 }) },
        'operator-batch': { minRequiredReplicas: 9, description: encodeScheduleMeta({ requestId: 'x', expiresAt: 1 }) },
      },
    },
  };
  expect(
    liveSchedules(autoscaler, now)
      .map((s) => s.name)
      .sort(),
  ).toEqual(['georoute-live', 'georoute-open']);
  expect(expiredSchedules(autoscaler, now)).toEqual(['georoute-gone', 'georoute-off']);
});
