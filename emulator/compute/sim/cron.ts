/**
 * The cron dialect of autoscaler scaling schedules: five fields (minute hour day-of-month month
 * day-of-week) and an optional sixth, the year ("extended cron format"). Each field takes `*`,
 * numbers, ranges `a-b`, steps `*\/n` `a-b/n` `a/n`, and comma lists; months and week days also take
 * names (JAN…DEC, SUN…SAT; 7 is Sunday too). As in Vixie cron, when both day-of-month and
 * day-of-week are restricted a day matches if either does. Times are wall-clock times in an IANA
 * time zone (via Intl.DateTimeFormat).
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MINUTE = 60_000;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of the first name (1 for months, 0 for days). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
  { name: 'year', min: 1970, max: 2199 },
];

/** A parsed field: the allowed values, and whether it was `*` (unrestricted). */
interface Field {
  values: Set<number>;
  any: boolean;
}

export class CronSchedule {
  private constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly year: Field | undefined,
  ) {}

  /** Parses an expression; throws an Error saying what is wrong. */
  static parse(expression: string): CronSchedule {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
      throw new Error(`expected 5 or 6 fields, got ${parts.length === 1 && parts[0] === '' ? 0 : parts.length}`);
    }
    const fields = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec));
    const dow = fields[4] as Field;
    if (dow.values.has(7)) dow.values.add(0);
    return new CronSchedule(
      fields[0] as Field,
      fields[1] as Field,
      fields[2] as Field,
      fields[3] as Field,
      dow,
      fields[5],
    );
  }

  /** The latest occurrence at or before `t` and no earlier than `t - lookbackMs` (epoch ms). */
  previous(t: number, timeZone: string, lookbackMs: number): number | undefined {
    const floor = wallTime(t - lookbackMs, timeZone) - 24 * 3_600_000;
    let w = Math.floor(wallTime(t, timeZone) / MINUTE) * MINUTE;
    while (w >= floor) {
      const d = new Date(w);
      const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
      if (this.year && !this.year.values.has(y)) w = Date.UTC(y, 0, 1) - MINUTE;
      else if (!this.month.values.has(mo + 1)) w = Date.UTC(y, mo, 1) - MINUTE;
      else if (!this.dayMatches(d)) w = Date.UTC(y, mo, day) - MINUTE;
      else if (!this.hour.values.has(h)) w = Date.UTC(y, mo, day, h) - MINUTE;
      else if (!this.minute.values.has(d.getUTCMinutes())) w -= MINUTE;
      else {
        const at = instantOf(w, timeZone);
        if (at <= t && at >= t - lookbackMs) return at;
        if (at < t - lookbackMs) return undefined;
        w -= MINUTE;
      }
    }
    return undefined;
  }

  /** The earliest occurrence strictly after `t` and no later than `t + horizonMs`. */
  next(t: number, timeZone: string, horizonMs: number): number | undefined {
    const ceiling = wallTime(t + horizonMs, timeZone) + 24 * 3_600_000;
    let w = Math.floor(wallTime(t, timeZone) / MINUTE) * MINUTE + MINUTE;
    while (w <= ceiling) {
      const d = new Date(w);
      const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
      if (this.year && !this.year.values.has(y)) {
        if (![...this.year.values].some((v) => v > y)) return undefined;
        w = Date.UTC(y + 1, 0, 1);
      } else if (!this.month.values.has(mo + 1)) w = Date.UTC(y, mo + 1, 1);
      else if (!this.dayMatches(d)) w = Date.UTC(y, mo, day + 1);
      else if (!this.hour.values.has(h)) w = Date.UTC(y, mo, day, h + 1);
      else if (!this.minute.values.has(d.getUTCMinutes())) w += MINUTE;
      else {
        const at = instantOf(w, timeZone);
        if (at > t && at <= t + horizonMs) return at;
        if (at > t + horizonMs) return undefined;
        w += MINUTE;
      }
    }
    return undefined;
  }

  private dayMatches(d: Date): boolean {
    const dom = this.dom.values.has(d.getUTCDate());
    const dow = this.dow.values.has(d.getUTCDay());
    if (this.dom.any) return dow;
    if (this.dow.any) return dom;
    return dom || dow;
  }
}

function parseField(text: string, spec: FieldSpec): Field {
  const values = new Set<number>();
  const value = (token: string): number => {
    const upper = token.toUpperCase();
    const named = spec.names?.indexOf(upper) ?? -1;
    if (named >= 0) return named + (spec.nameBase ?? 0);
    if (!/^\d+$/.test(token)) throw new Error(`bad ${spec.name} value '${token}'`);
    const n = Number(token);
    if (n < spec.min || n > spec.max)
      throw new Error(`${spec.name} value ${n} is out of range ${spec.min}-${spec.max}`);
    return n;
  };
  for (const item of text.split(',')) {
    if (item === '') throw new Error(`empty item in ${spec.name} field '${text}'`);
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new Error(`bad ${spec.name} item '${item}'`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new Error(`bad step '${stepText}' in '${item}'`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined || !a || !b) throw new Error(`bad ${spec.name} range '${range}'`);
      from = value(a);
      to = value(b);
      if (from > to) throw new Error(`bad ${spec.name} range '${range}': start after end`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, any: text === '*' };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for an unknown IANA time zone. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of instant `t` in `timeZone`, encoded as if it were UTC (epoch ms). */
export function wallTime(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const ms = ((t % 1000) + 1000) % 1000;
  return Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
    ms,
  );
}

/** The instant whose wall-clock time in `timeZone` is `wall` (DST gaps resolve forward). */
export function instantOf(wall: number, timeZone: string): number {
  let guess = wall - (wallTime(wall, timeZone) - wall);
  guess = wall - (wallTime(guess, timeZone) - guess);
  return guess;
}
