import { scheduleState } from '../../../emulator/compute/sim/autoscaling';
import { CronSchedule, instantOf, wallTime } from '../../../emulator/compute/sim/cron';

const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const YEAR = 366 * 86_400_000;

describe('cron parsing', () => {
  test.each([
    ['*/15 9-17 * * MON-FRI'],
    ['0 0 1,15 * *'],
    ['30 8 * jan,Jul sun'],
    ['0 12 * * 7'],
    ['5-55/10 * * * *'],
    ['0 9 25 12 * 2027'],
    ['10/20 * * * *'],
  ])('accepts %s', (expr) => {
    expect(() => CronSchedule.parse(expr)).not.toThrow();
  });

  test.each([
    [''],
    ['* * * *'],
    ['* * * * * * *'],
    ['60 * * * *'],
    ['* 24 * * *'],
    ['* * 0 * *'],
    ['* * * 13 *'],
    ['* * * * 8'],
    ['*/0 * * * *'],
    ['5-1 * * * *'],
    ['a * * * *'],
    ['1,,2 * * * *'],
    ['* * * FOO *'],
  ])('refuses %p', (expr) => {
    expect(() => CronSchedule.parse(expr)).toThrow();
  });
});

describe('occurrences in UTC', () => {
  const weekdays = CronSchedule.parse('0 9 * * MON-FRI');
  test('previous and next skip the weekend', () => {
    // 2026-11-28 is a Saturday.
    expect(iso(weekdays.previous(t('2026-11-28T12:00:00Z'), 'UTC', YEAR))).toBe('2026-11-27T09:00:00.000Z');
    expect(iso(weekdays.next(t('2026-11-28T12:00:00Z'), 'UTC', YEAR))).toBe('2026-11-30T09:00:00.000Z');
  });
  test('an occurrence exactly now is the previous one, not the next', () => {
    expect(iso(weekdays.previous(t('2026-11-30T09:00:00Z'), 'UTC', YEAR))).toBe('2026-11-30T09:00:00.000Z');
    expect(iso(weekdays.next(t('2026-11-30T09:00:00Z'), 'UTC', YEAR))).toBe('2026-12-01T09:00:00.000Z');
  });
  test('the lookback bounds previous()', () => {
    expect(weekdays.previous(t('2026-11-28T12:00:00Z'), 'UTC', 3_600_000)).toBeUndefined();
  });
  test('steps, lists and month names', () => {
    const c = CronSchedule.parse('*/20 */6 1,15 FEB,aug *');
    expect(iso(c.next(t('2026-01-20T00:00:00Z'), 'UTC', YEAR))).toBe('2026-02-01T00:00:00.000Z');
    expect(iso(c.next(t('2026-02-01T00:00:00Z'), 'UTC', YEAR))).toBe('2026-02-01T00:20:00.000Z');
    expect(iso(c.next(t('2026-02-01T00:40:00Z'), 'UTC', YEAR))).toBe('2026-02-01T06:00:00.000Z');
    expect(iso(c.previous(t('2026-07-01T00:00:00Z'), 'UTC', YEAR))).toBe('2026-02-15T18:40:00.000Z');
  });
  test('day of month OR day of week when both are restricted; 7 is Sunday', () => {
    const c = CronSchedule.parse('0 0 13 * 7');
    // After Friday 2026-11-13: the next Sunday (11-15) comes before the next 13th.
    expect(iso(c.next(t('2026-11-13T00:00:00Z'), 'UTC', YEAR))).toBe('2026-11-15T00:00:00.000Z');
  });
  test('the optional year makes a one-time schedule', () => {
    const c = CronSchedule.parse('0 9 25 12 * 2026');
    expect(iso(c.next(t('2026-01-01T00:00:00Z'), 'UTC', YEAR))).toBe('2026-12-25T09:00:00.000Z');
    expect(c.next(t('2026-12-26T00:00:00Z'), 'UTC', 5 * YEAR)).toBeUndefined();
  });
});

describe('time zones', () => {
  test('wall time and back', () => {
    const at = t('2026-07-01T12:34:00Z');
    const wall = wallTime(at, 'America/New_York');
    expect(new Date(wall).toISOString()).toBe('2026-07-01T08:34:00.000Z'); // EDT, UTC-4
    expect(instantOf(wall, 'America/New_York')).toBe(at);
  });
  test('a 09:00 schedule in Tokyo and in New York (across DST)', () => {
    const c = CronSchedule.parse('0 9 * * *');
    expect(iso(c.next(t('2026-11-27T00:00:00Z'), 'Asia/Tokyo', YEAR))).toBe('2026-11-28T00:00:00.000Z');
    expect(iso(c.next(t('2026-11-27T00:00:00Z'), 'America/New_York', YEAR))).toBe('2026-11-27T14:00:00.000Z');
    expect(iso(c.next(t('2026-07-01T00:00:00Z'), 'America/New_York', YEAR))).toBe('2026-07-01T13:00:00.000Z');
  });
});

describe('scheduleState', () => {
  const s = { minRequiredReplicas: 4, schedule: '0 9 * * *', durationSec: 3600, timeZone: 'UTC' };
  const since = t('2026-01-01T00:00:00Z');
  test('ACTIVE within [start, start + duration), READY otherwise', () => {
    expect(scheduleState(s, t('2026-11-27T09:30:00Z'), since)).toMatchObject({
      state: 'ACTIVE',
      lastStartTime: '2026-11-27T09:00:00.000Z',
      nextStartTime: '2026-11-28T09:00:00.000Z',
    });
    expect(scheduleState(s, t('2026-11-27T10:00:00Z'), since).state).toBe('READY');
    expect(scheduleState(s, t('2026-11-27T08:59:00Z'), since).state).toBe('READY');
  });
  test('DISABLED and OBSOLETE', () => {
    expect(scheduleState({ ...s, disabled: true }, t('2026-11-27T09:30:00Z'), since).state).toBe('DISABLED');
    expect(scheduleState({ ...s, schedule: '0 9 1 1 * 2026' }, t('2026-11-27T09:30:00Z'), since).state).toBe(
      'OBSOLETE',
    );
  });
});
