/**
 * Logs are read line by line: text from a request that reaches a log message (an error quoting a
 * value, a job's failure) must not end its line and forge a line of its own.
 */
import { expect } from 'chai';
import { consoleLogger, logSafe } from '../../kernel/index.js';

describe('logger: one escaper for the log context', () => {
  it('writes line breaks and control characters in a message as escapes', () => {
    expect(logSafe('a\r\nb\rc\nd\u0000e\u2028f\tg')).to.equal('a\\r\\nb\\rc\\nd\\u0000e\\u2028f\tg');
    expect(logSafe('plain text, unchanged')).to.equal('plain text, unchanged');
  });

  it('keeps a hostile message on one console line, fields included', () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (line: string) => { lines.push(line); };
    try {
      consoleLogger('info', 'spec').warn('job failed: x\n[starmodel] forged: admin signed in\r', { note: 'y\nz' });
    } finally {
      console.error = original;
    }
    expect(lines).to.have.length(1);
    expect(lines[0]!.split(/\r\n|\r|\n/)).to.have.length(1);
    expect(lines[0]).to.contain('job failed: x\\n[starmodel] forged');
  });
});
