import { expect } from 'chai';
import { applyMergePatch, cloneJson, diffMergePatch, isPlainObject, type JsonObject } from '../../kernel/index.js';

// RFC 7386, Appendix A: target, patch, result.
const RFC_EXAMPLES: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('JSON merge patch (RFC 7386)', () => {
  describe('applyMergePatch', () => {
    RFC_EXAMPLES.forEach(([target, patch, result], index) => {
      it(`applies RFC 7386 example ${index + 1}: ${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
        expect(applyMergePatch(target, patch)).to.deep.equal(result);
      });
    });

    it('does not modify the target', () => {
      const target = { a: { b: 1 }, c: [1] };
      applyMergePatch(target, { a: { b: 2 }, c: null });
      expect(target).to.deep.equal({ a: { b: 1 }, c: [1] });
    });
  });

  describe('diffMergePatch', () => {
    it('returns {} for equal objects', () => {
      expect(diffMergePatch({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).to.deep.equal({});
    });

    it('lists only the changed keys', () => {
      expect(diffMergePatch({ a: 1, b: 2 }, { a: 1, b: 3 })).to.deep.equal({ b: 3 });
    });

    it('diffs nested objects key by key', () => {
      expect(diffMergePatch({ user: { name: 'Ada', age: 36 } }, { user: { name: 'Ada', age: 37 } })).to.deep.equal({ user: { age: 37 } });
    });

    it('replaces arrays whole', () => {
      expect(diffMergePatch({ tags: ['a', 'b'] }, { tags: ['a', 'b', 'c'] })).to.deep.equal({ tags: ['a', 'b', 'c'] });
    });

    it('marks removed keys with null, also inside nested objects', () => {
      expect(diffMergePatch({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1 } })).to.deep.equal({ a: null, b: { d: null } });
    });

    it('adds new keys and replaces an object by a scalar and back', () => {
      expect(diffMergePatch({ a: { x: 1 } }, { a: 5, b: 'new' })).to.deep.equal({ a: 5, b: 'new' });
      expect(diffMergePatch({ a: 5 }, { a: { x: 1 } })).to.deep.equal({ a: { x: 1 } });
    });

    it('treats equal Dates as unchanged', () => {
      expect(diffMergePatch({ at: new Date(0) }, { at: new Date(0) })).to.deep.equal({});
    });
  });

  describe('round trip', () => {
    const pairs: [JsonObject, JsonObject][] = [
      [{}, { a: 1 }],
      [{ a: 1 }, {}],
      [{ a: 1, b: 'x', c: true }, { a: 2, b: 'x', d: false }],
      [{ user: { name: 'Ada', tags: ['a'], address: { city: 'London' } } }, { user: { name: 'Ada', tags: ['a', 'b'], address: { city: 'Paris', zip: '75' } } }],
      [{ deep: { deeper: { deepest: 1, other: 2 } } }, { deep: { deeper: { other: 2 } } }],
      [{ list: [{ id: 1 }, { id: 2 }] }, { list: [{ id: 2 }] }],
      [{ a: { b: 1 } }, { a: [1, 2] }],
      [{ a: 'héllo ✓ 日本' }, { a: 'line one\nline two' }],
      [{ a: { b: 1 } }, { a: {} }],
    ];

    pairs.forEach(([before, after], index) => {
      it(`apply(before, diff(before, after)) equals after (case ${index + 1})`, () => {
        expect(applyMergePatch(before, diffMergePatch(before, after))).to.deep.equal(after);
      });
    });
  });

  describe('helpers', () => {
    it('isPlainObject accepts plain objects only', () => {
      expect(isPlainObject({})).to.equal(true);
      expect(isPlainObject(Object.create(null))).to.equal(true);
      expect(isPlainObject([])).to.equal(false);
      expect(isPlainObject(null)).to.equal(false);
      expect(isPlainObject(new Date())).to.equal(false);
      expect(isPlainObject('x')).to.equal(false);
    });

    it('cloneJson copies deeply with JSON semantics', () => {
      const source = { a: { b: [1] }, at: new Date(0) };
      const copy = cloneJson(source);
      expect(copy).to.deep.equal({ a: { b: [1] }, at: '1970-01-01T00:00:00.000Z' });
      copy.a.b.push(2);
      expect(source.a.b).to.deep.equal([1]);
      expect(cloneJson(undefined)).to.equal(undefined);
    });
  });
});
