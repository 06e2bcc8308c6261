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

describe('client-store: signing times and a replay memory a flood cannot defeat', () => {
  const signer = new StateSigner('spec-secret-signer');
  const state = { type: 'Wallet', id: 'abcdefghijklmnop', fields: { credits: 100 } };

  it('signs the signing time with the state: a token whose time was changed does not verify', () => {
    const token = signer.sign({ ...state, version: 2, signedAt: 1_700_000_000_123 });
    expect(token).to.match(/^2\.1700000000123\.[A-Za-z0-9_-]{43}$/);
    expect(StateSigner.parse(token)).to.deep.equal({ version: 2, signedAt: 1_700_000_000_123 });
    expect(signer.verify(token, state)).to.equal(true);
    expect(signer.verify(token.replace('.1700000000123.', '.1700000000124.'), state)).to.equal(false);
    expect(signer.verify(token.replace(/\.1700000000123\./, '.'), state), 'the time cannot be dropped either').to.equal(false);
  });

  it('still verifies a token of the first format (no time), as signed at an unknown time', () => {
    const token = signer.sign({ ...state, version: 2 });
    expect(StateSigner.parse(token)).to.deep.equal({ version: 2, signedAt: 0 });
    expect(signer.verify(token, state)).to.equal(true);
  });

  it('after a flood of three times its bound, still refuses an older state, and the state it forgot', () => {
    let now = 1_000;
    const memory = new ReplayMemory({ ttlMs: 60_000, maxEntries: 100, now: () => now });
    memory.remember('Wallet', 'victim', 1, now);
    const oldSignedAt = now;
    now += 5;
    memory.remember('Wallet', 'victim', 2, now);
    const newestSignedAt = now;
    expect(memory.check('Wallet', 'victim', 1, oldSignedAt)).to.deep.equal({ reason: 'stale', latest: 2 });
    // Other browsers (or one browser with fresh ids), each saving a new state.
    for (let index = 0; index < 300; index++) {
      now += 1;
      memory.remember('Wallet', `flood-${index}`, 1, now);
    }
    expect(memory.size).to.equal(100);
    expect(memory.latest('Wallet', 'victim'), 'the victim was pushed out').to.equal(undefined);
    expect(memory.check('Wallet', 'victim', 1, oldSignedAt)).to.deep.equal({ reason: 'forgotten' });
    expect(memory.check('Wallet', 'victim', 2, newestSignedAt), 'its newest state cannot be told from a replay either').to.deep.equal({ reason: 'forgotten' });
    // What is still remembered, and what is signed from now on, works as before.
    expect(memory.check('Wallet', 'flood-299', 1, now)).to.equal(undefined);
    now += 1;
    expect(memory.check('Wallet', 'fresh', 1, now)).to.equal(undefined);
  });

  it('forgets entries past their time without refusing anything for it (the documented window)', () => {
    let now = 1_000;
    const memory = new ReplayMemory({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    memory.remember('Wallet', 'a', 1, now);
    memory.remember('Wallet', 'b', 1, now);
    now += 2_000;
    memory.remember('Wallet', 'c', 1, now);
    memory.remember('Wallet', 'd', 1, now);
    expect(memory.watermark, 'only expired entries were dropped').to.equal(Number.NEGATIVE_INFINITY);
    expect(memory.check('Wallet', 'a', 1, 1_000)).to.equal(undefined);
  });
});
