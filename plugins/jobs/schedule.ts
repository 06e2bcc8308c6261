/**
 * @module @starmodel/jobs/schedule
 * Reads `@event({ every })`: an interval (`'500ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`) or a cron
 * string of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), in the
 * process's local time zone. Both queues read the same text, so a schedule means the same thing
 * in-process and on BullMQ; both refuse what this parser refuses.
 */

/** A parsed `every` option. */
export type Schedule =
  | { readonly kind: 'interval'; readonly ms: number; readonly text: string }
  | { readonly kind: 'cron'; readonly pattern: string; readonly text: string; next(after: Date): Date };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const INTERVAL = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Shortest interval accepted: a shorter one would keep a worker busy with nothing but ticks. */
export const MIN_INTERVAL_MS = 100;

/** Parses an `every` value; throws an Error whose message says what is accepted. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  const interval = INTERVAL.exec(trimmed);
  if (interval) {
    const ms = Math.round(Number(interval[1]) * UNITS[interval[2]!]!);
    if (ms < MIN_INTERVAL_MS) throw new Error(`every: "${text}" is shorter than ${MIN_INTERVAL_MS}ms.`);
    return { kind: 'interval', ms, text: trimmed };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(`every: "${text}" is neither an interval ('500ms', '30s', '5m', '2h', '1d') nor a cron string of 5 or 6 fields ('*/5 * * * *').`);
  }
  const cron = compileCron(fields.length === 5 ? ['0', ...fields] : fields, text);
  cron(new Date()); // refuses a pattern that never matches (e.g. February 30) now, not at the first tick
  return { kind: 'cron', pattern: trimmed, text: trimmed, next: cron };
}

/** [min, max] of each cron field: second, minute, hour, day of month, month, day of week. */
const RANGES: readonly (readonly [number, number, string])[] = [[0, 59, 'second'], [0, 59, 'minute'], [0, 23, 'hour'], [1, 31, 'day of month'], [1, 12, 'month'], [0, 7, 'day of week']];

function expandField(field: string, index: number, text: string): Set<number> {
  const [min, max, name] = RANGES[index]!;
  const values = new Set<number>();
  const bad = (why: string) => new Error(`every: cron "${text}", ${name} field "${field}": ${why}.`);
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad('the step after / must be a whole number of at least 1');
    let low: number;
    let high: number;
    if (range === '*') {
      [low, high] = [min, max];
    } else if (/^\d+-\d+$/.test(range)) {
      [low, high] = range.split('-').map(Number) as [number, number];
    } else if (/^\d+$/.test(range)) {
      low = Number(range);
      high = stepText === undefined ? low : max;
    } else {
      throw bad('use numbers, *, ranges (1-5), lists (1,3) and steps (*/15)');
    }
    if (low < min || high > max || low > high) throw bad(`values must be from ${min} to ${max}`);
    for (let value = low; value <= high; value += step) values.add(index === 5 && value === 7 ? 0 : value);
  }
  return values;
}

/** Compiles 6 cron fields into a function giving the next matching second after a date. */
function compileCron(fields: string[], text: string): (after: Date) => Date {
  const [seconds, minutes, hours, days, months, weekdays] = fields.map((field, index) => expandField(field, index, text)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  // Classic cron: when both day fields are restricted, a day matches if either matches.
  const dayRestricted = fields[3] !== '*';
  const weekdayRestricted = fields[5] !== '*';
  const dayMatches = (date: Date) => {
    const byDay = days.has(date.getDate());
    const byWeekday = weekdays.has(date.getDay());
    if (dayRestricted && weekdayRestricted) return byDay || byWeekday;
    return byDay && byWeekday;
  };
  return (after: Date) => {
    const date = new Date(after.getTime());
    date.setMilliseconds(0);
    date.setSeconds(date.getSeconds() + 1);
    // Walk forward field by field; five years of misses means the pattern can never match (Feb 30).
    const limit = after.getTime() + 5 * 366 * 86_400_000;
    while (date.getTime() <= limit) {
      if (!months.has(date.getMonth() + 1)) {
        date.setMonth(date.getMonth() + 1, 1);
        date.setHours(0, 0, 0);
        continue;
      }
      if (!dayMatches(date)) {
        date.setDate(date.getDate() + 1);
        date.setHours(0, 0, 0);
        continue;
      }
      if (!hours.has(date.getHours())) {
        date.setHours(date.getHours() + 1, 0, 0);
        continue;
      }
      if (!minutes.has(date.getMinutes())) {
        date.setMinutes(date.getMinutes() + 1, 0);
        continue;
      }
      if (!seconds.has(date.getSeconds())) {
        date.setSeconds(date.getSeconds() + 1);
        continue;
      }
      return date;
    }
    throw new Error(`every: cron "${text}" never matches a date.`);
  };
}
