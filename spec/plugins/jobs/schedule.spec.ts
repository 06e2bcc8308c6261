/**
 * `@event({ every })` values: intervals and cron strings, when they fire next, and the errors a
 * developer sees for values that cannot work.
 */
import { expect } from 'chai';
import { parseSchedule, type Schedule } from '../../../plugins/jobs/index.js';

function nextAfter(text: string, after: Date): Date {
  const schedule: Schedule = parseSchedule(text);
  if (schedule.kind !== 'cron') throw new Error(`${text} is not a cron schedule`);
  return schedule.next(after);
}

const at = (month: number, day: number, hour: number, minute: number, second = 0) => new Date(2026, month - 1, day, hour, minute, second);

describe('@starmodel/jobs schedules', function () {
  it('reads intervals in ms, s, m, h and d', () => {
    expect(parseSchedule('500ms')).to.include({ kind: 'interval', ms: 500 });
    expect(parseSchedule('30s')).to.include({ kind: 'interval', ms: 30_000 });
    expect(parseSchedule('5m')).to.include({ kind: 'interval', ms: 300_000 });
    expect(parseSchedule('1.5h')).to.include({ kind: 'interval', ms: 5_400_000 });
    expect(parseSchedule('1d')).to.include({ kind: 'interval', ms: 86_400_000 });
  });

  it('finds the next time of a 5-field cron string (minute first)', () => {
    expect(nextAfter('*/15 * * * *', at(1, 5, 10, 7, 30))).to.deep.equal(at(1, 5, 10, 15));
    expect(nextAfter('0 3 * * *', at(1, 5, 10, 0))).to.deep.equal(at(1, 6, 3, 0));
    expect(nextAfter('30 9 * * 1-5', at(1, 9, 10, 0))).to.deep.equal(at(1, 12, 9, 30)); // Friday after 9:30 -> Monday
    expect(nextAfter('0 0 1 */3 *', at(2, 10, 0, 0))).to.deep.equal(at(4, 1, 0, 0));
  });

  it('reads a 6-field cron string with seconds first', () => {
    expect(nextAfter('*/10 * * * * *', at(1, 5, 10, 0, 3))).to.deep.equal(at(1, 5, 10, 0, 10));
  });

  it('matches either day field when both are restricted, as cron does', () => {
    // The 13th, or any Friday: after Monday 5 January 2026 comes Friday the 9th.
    expect(nextAfter('0 12 13 * 5', at(1, 5, 13, 0))).to.deep.equal(at(1, 9, 12, 0));
  });

  it('refuses values that cannot work, saying what is accepted', () => {
    expect(() => parseSchedule('10ms')).to.throw(/shorter than 100ms/);
    expect(() => parseSchedule('every day')).to.throw(/neither an interval .* nor a cron string/);
    expect(() => parseSchedule('61 * * * *')).to.throw(/minute field "61": values must be from 0 to 59/);
    expect(() => parseSchedule('0 0 * * MON')).to.throw(/day of week field "MON"/);
    expect(() => parseSchedule('*/0 * * * *')).to.throw(/step/);
    expect(() => parseSchedule('0 0 30 2 *')).to.throw(/never matches/);
  });
});
