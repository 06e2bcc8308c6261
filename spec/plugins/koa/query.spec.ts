import { expect } from 'chai';
import fc from 'fast-check';
import { parseQuery } from '../../../plugins/koa/body.js';

/** What Koa's `ctx.query` gives: URLSearchParams, repeated keys as arrays. */
function koaQuery(search: string): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(search)) {
    const current = values[key];
    values[key] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
  }
  return values;
}

describe('query parsing of event requests', () => {
  it('reads what Koa reads: repeated keys, bare keys, +, escapes, malformed escapes and __proto__', () => {
    for (const search of ['', 'amount=1', 'a=1&a=2&a=3', 'flag&x=', '&&a&=b&c==d', 'c=+x%20y', '%C3%A9=%E2%82%AC', 'b=%zz&c=1', 'y=%ED%A0%80', '__proto__=1&constructor=2', 'datastar=%7B%22Counter%22%3A%7B%22count%22%3A0%7D%7D&amount=5']) {
      expect(parseQuery(search), search).to.deep.equal(koaQuery(search));
    }
  });

  it('agrees with URLSearchParams on arbitrary query strings (fixed seed)', () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom('%', '%2', '%zz', '%C3%A9', '%ED%A0%80', '+', '=', '&', '%26', '%3D'));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const search = pieces.join('');
      expect(parseQuery(search)).to.deep.equal(koaQuery(search));
    }), { seed: 20261126, numRuns: 2000 });
  });
});
