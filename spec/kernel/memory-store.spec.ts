import { expect } from 'chai';
import { MemoryStore, metaOf } from '../../kernel/index.js';
import { ConformanceItem, storeConformance } from '../../kernel/testing/index.js';

storeConformance('memory', () => new MemoryStore({ sweepIntervalMs: 0 }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const state = (name: string) => ({ name, rank: 0, active: false, tags: [] });

describe('MemoryStore', () => {
  const meta = metaOf(ConformanceItem);
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  describe('TTL with an injected clock', () => {
    it('keeps a record until its TTL has passed, then expires it on read', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 0 });
      const saved = await store.save(meta, { id: 'a', state: state('short'), expectedVersion: 0, ttlSeconds: 10 });
      expect(saved.expiresAt).to.equal(now + 10_000);
      now += 9_999;
      expect((await store.get(meta, 'a'))?.state.name).to.equal('short');
      now += 1;
      expect(await store.get(meta, 'a')).to.equal(undefined);
      expect((await store.find(meta, {})).total).to.equal(0);
    });

    it('restarts the TTL on every save', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 0 });
      await store.save(meta, { id: 'a', state: state('v1'), expectedVersion: 0, ttlSeconds: 10 });
      now += 8_000;
      await store.save(meta, { id: 'a', state: state('v2'), expectedVersion: 1, ttlSeconds: 10 });
      now += 8_000;
      expect((await store.get(meta, 'a'))?.state.name).to.equal('v2');
    });

    it('treats an expired record as absent when saving: a new record starts at version 1', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 0 });
      await store.save(meta, { id: 'a', state: state('old'), expectedVersion: 0, ttlSeconds: 1 });
      now += 1_000;
      const fresh = await store.save(meta, { id: 'a', state: state('new'), expectedVersion: 0 });
      expect(fresh.version).to.equal(1);
      expect(fresh.createdAt).to.equal(now);
    });

    it('keeps records without a TTL forever', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 0 });
      await store.save(meta, { id: 'k', state: state('kept'), expectedVersion: 0 });
      now += 10 * 365 * 24 * 3600 * 1000;
      expect((await store.get(meta, 'k'))?.state.name).to.equal('kept');
    });

    it('removes every expired record on sweep() and reports how many', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 0 });
      await store.save(meta, { id: 'a', state: state('a'), expectedVersion: 0, ttlSeconds: 1 });
      await store.save(meta, { id: 'b', state: state('b'), expectedVersion: 0, ttlSeconds: 1 });
      await store.save(meta, { id: 'c', state: state('c'), expectedVersion: 0, ttlSeconds: 100 });
      await store.save(meta, { id: 'k', state: state('k'), expectedVersion: 0 });
      expect(store.sweep()).to.equal(0);
      now += 1_000;
      expect(store.sweep()).to.equal(2);
      expect(store.sweep()).to.equal(0);
      expect((await store.find(meta, { orderBy: [{ field: 'id' }] })).items.map((record) => record.id)).to.deep.equal(['c', 'k']);
    });
  });

  describe('the periodic sweep', () => {
    it('sweeps expired records on its own timer', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 5 });
      try {
        await store.save(meta, { id: 'a', state: state('a'), expectedVersion: 0, ttlSeconds: 1 });
        now += 1_000;
        await sleep(40);
        expect(store.sweep(), 'the timer already removed it').to.equal(0);
      } finally {
        store.stopSweep();
      }
    });

    it('stops sweeping after stopSweep() (expiry on read still applies)', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 5 });
      store.stopSweep();
      await store.save(meta, { id: 'a', state: state('a'), expectedVersion: 0, ttlSeconds: 1 });
      now += 1_000;
      await sleep(40);
      expect(store.sweep(), 'nothing swept it meanwhile').to.equal(1);
      await store.save(meta, { id: 'b', state: state('b'), expectedVersion: 0, ttlSeconds: 1 });
      now += 1_000;
      expect(await store.get(meta, 'b')).to.equal(undefined);
    });

    it('stops sweeping on close()', async () => {
      const store = new MemoryStore({ now: clock, sweepIntervalMs: 5 });
      await store.close();
      await store.save(meta, { id: 'a', state: state('a'), expectedVersion: 0, ttlSeconds: 1 });
      now += 1_000;
      await sleep(40);
      expect(store.sweep()).to.equal(1);
    });
  });

  describe('isolation', () => {
    it('hands out copies: changing a returned record does not change the store', async () => {
      const store = new MemoryStore({ sweepIntervalMs: 0 });
      const input = state('a');
      const saved = await store.save(meta, { id: 'a', state: input, expectedVersion: 0 });
      input.name = 'changed after save';
      (saved.state as { name: string }).name = 'changed saved copy';
      const loaded = await store.get(meta, 'a');
      (loaded!.state as { name: string }).name = 'changed loaded copy';
      expect((await store.get(meta, 'a'))?.state.name).to.equal('a');
    });

    it('keeps entity types apart', async () => {
      const store = new MemoryStore({ sweepIntervalMs: 0 });
      const other = { ...meta, name: 'OtherItem' };
      await store.save(meta, { id: 'same', state: state('item'), expectedVersion: 0 });
      expect(await store.get(other, 'same')).to.equal(undefined);
    });
  });
});
