import { expect } from 'chai';
import { canonicalJson, ReplayMemory, StateSigner } from '../../../plugins/client-store/index.js';

describe('client-store: signatures and replay memory', () => {
  const signer = new StateSigner('spec-secret-signer');
  const state = { type: 'Prefs', id: 'abcdefghijklmnop', fields: { theme: 'dark', size: 18, tags: ['a', 'b'], nested: { b: 1, a: 2 } } };

  it('signs type, id, version and fields regardless of the order the browser sends keys in', () => {
    const token = signer.sign({ ...state, version: 3 });
    expect(token).to.match(/^3\.[A-Za-z0-9_-]{43}$/);
    const reordered = { nested: { a: 2, b: 1 }, tags: ['a', 'b'], size: 18, theme: 'dark' };
    expect(signer.verify(token, { ...state, fields: reordered })).to.equal(true);
    expect(canonicalJson(reordered)).to.equal(canonicalJson(state.fields));
  });

  it('rejects any change: a field, the id, the type, the version, the array order, or another secret', () => {
    const token = signer.sign({ ...state, version: 3 });
    expect(signer.verify(token, { ...state, fields: { ...state.fields, size: 19 } })).to.equal(false);
    expect(signer.verify(token, { ...state, id: 'abcdefghijklmnoq' })).to.equal(false);
    expect(signer.verify(token, { ...state, type: 'Other' })).to.equal(false);
    expect(signer.verify(token.replace(/^3\./, '4.'), state)).to.equal(false);
    expect(signer.verify(token, { ...state, fields: { ...state.fields, tags: ['b', 'a'] } })).to.equal(false);
    expect(new StateSigner('another-secret').verify(token, state)).to.equal(false);
    expect(signer.verify('not-a-token', state)).to.equal(false);
    expect(StateSigner.versionOf('0.' + 'a'.repeat(43))).to.equal(undefined);
  });

  it('treats a null member as absent, because Datastar removes null signals in the browser', () => {
    expect(canonicalJson({ a: null, b: 1 })).to.equal(canonicalJson({ b: 1 }));
    expect(canonicalJson([null, 1])).to.equal('[null,1]');
  });

  it('remembers versions for a bounded time and number of entities, the least recently signed forgotten first', () => {
    let now = 0;
    const memory = new ReplayMemory({ ttlMs: 1000, maxEntries: 2, now: () => now });
    memory.remember('T', 'a', 1);
    memory.remember('T', 'b', 1);
    memory.remember('T', 'a', 2);
    memory.remember('T', 'c', 1);
    expect(memory.latest('T', 'b')).to.equal(undefined);
    expect(memory.latest('T', 'a')).to.equal(2);
    expect(memory.size).to.equal(2);
    now = 1000;
    expect(memory.latest('T', 'a')).to.equal(undefined);
  });
});
