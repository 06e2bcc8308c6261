/**
 * @module testing/store-conformance
 * The store conformance suite (mocha). A store adapter passes it to be a StarModel store:
 *
 * ```ts
 * import { storeConformance } from 'starmodel/testing';
 * storeConformance('my store', async () => new MyStore(url), { skip: { ttl: 'no expiry in this backend' } });
 * ```
 */
import { expect } from 'chai';
import { Entity } from '../entity.js';
import { metaOf } from '../entity.js';
import type { EntityMeta } from '../registry.js';
import { isVersionConflict, type Store } from '../store.js';

/** The entity the suite stores: a string, a number, a boolean and a list. */
export class ConformanceItem extends Entity {
  static override scope = 'record' as const;
  name = '';
  rank = 0;
  active = false;
  tags: string[] = [];
}

/** Scenario names, for `skip`. */
export const CONFORMANCE_SCENARIOS = ['crud', 'versions', 'restore', 'ttl', 'find', 'order', 'paging', 'concurrency'] as const;
/** One scenario of the suite. */
export type ConformanceScenario = (typeof CONFORMANCE_SCENARIOS)[number];

/** Options of the suite. */
export interface ConformanceOptions {
  /** Scenarios the store cannot do, each with the reason (printed as the pending test's title). */
  skip?: Partial<Record<ConformanceScenario, string>>;
  /** The entity metadata to store under (defaults to ConformanceItem's). */
  meta?: EntityMeta;
  /** Called after each test; by default every ConformanceItem is deleted. */
  cleanup?: (store: Store, meta: EntityMeta) => Promise<void>;
  /** Called once after the suite, e.g. to close the store. @default store.close() */
  close?: (store: Store) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Declares the conformance suite for a store made by `makeStore` (called once, in `before`). */
export function storeConformance(name: string, makeStore: () => Promise<Store | undefined> | Store | undefined, options: ConformanceOptions = {}): void {
  describe(`store conformance: ${name}`, function () {
    let store: Store;
    let meta: EntityMeta;
    let ready = false;

    before(async function () {
      const made = await makeStore.call(this);
      if (!made) return this.skip();
      store = made;
      meta = options.meta ?? metaOf(ConformanceItem);
      await store.prepare?.(meta);
      ready = true;
      await clear();
    });

    async function clear(): Promise<void> {
      if (!ready) return;
      if (options.cleanup) return options.cleanup(store, meta);
      const all = await store.find(meta, {});
      for (const record of all.items) await store.delete(meta, record.id);
    }

    afterEach(clear);
    after(async () => {
      if (!ready) return;
      if (options.close) await options.close(store);
      else await store.close?.();
    });

    const item = (values: Partial<Record<'name' | 'rank' | 'active' | 'tags', unknown>>) => ({ name: '', rank: 0, active: false, tags: [], ...values });

    function scenario(key: ConformanceScenario, title: string, body: () => Promise<void>): void {
      const reason = options.skip?.[key];
      if (reason) it(`${title} (not run: ${reason})`);
      else it(title, body);
    }

    scenario('crud', 'saves, gets and deletes a record, keeping every field type', async () => {
      expect(await store.get(meta, 'a')).to.equal(undefined);
      const saved = await store.save(meta, { id: 'a', state: item({ name: 'Ada', rank: 3, active: true, tags: ['x', 'y'] }), expectedVersion: 0 });
      expect(saved.version).to.equal(1);
      const loaded = await store.get(meta, 'a');
      expect(loaded?.state).to.deep.equal(item({ name: 'Ada', rank: 3, active: true, tags: ['x', 'y'] }));
      expect(loaded?.version).to.equal(1);
      expect(loaded?.createdAt).to.be.a('number');
      expect(await store.delete(meta, 'a')).to.equal(true);
      expect(await store.get(meta, 'a')).to.equal(undefined);
      expect(await store.delete(meta, 'a')).to.equal(false);
    });

    scenario('versions', 'increments the version and refuses a stale write without changing anything', async () => {
      await store.save(meta, { id: 'v', state: item({ rank: 1 }), expectedVersion: 0 });
      const second = await store.save(meta, { id: 'v', state: item({ rank: 2 }), expectedVersion: 1 });
      expect(second.version).to.equal(2);
      let conflict: unknown;
      await store.save(meta, { id: 'v', state: item({ rank: 99 }), expectedVersion: 1 }).catch((error: unknown) => (conflict = error));
      expect(isVersionConflict(conflict), 'stale save must throw VersionConflict').to.equal(true);
      let duplicate: unknown;
      await store.save(meta, { id: 'v', state: item({ rank: 98 }), expectedVersion: 0 }).catch((error: unknown) => (duplicate = error));
      expect(isVersionConflict(duplicate), 'creating an existing record must throw VersionConflict').to.equal(true);
      const loaded = await store.get(meta, 'v');
      expect(loaded?.state.rank).to.equal(2);
      expect(loaded?.version).to.equal(2);
      let staleDelete: unknown;
      await store.delete(meta, 'v', 1).catch((error: unknown) => (staleDelete = error));
      expect(isVersionConflict(staleDelete), 'stale delete must throw VersionConflict').to.equal(true);
      expect(await store.get(meta, 'v')).to.not.equal(undefined);
    });

    scenario('restore', 'restores the previous record (or removes a new one) when a commit is rolled back', async () => {
      const first = await store.save(meta, { id: 'r', state: item({ rank: 1 }), expectedVersion: 0 });
      const second = await store.save(meta, { id: 'r', state: item({ rank: 2 }), expectedVersion: 1 });
      await store.restore(meta, 'r', first, second.version);
      const loaded = await store.get(meta, 'r');
      expect(loaded?.version).to.equal(1);
      expect(loaded?.state.rank).to.equal(1);
      const created = await store.save(meta, { id: 'n', state: item({}), expectedVersion: 0 });
      await store.restore(meta, 'n', undefined, created.version);
      expect(await store.get(meta, 'n')).to.equal(undefined);
    });

    scenario('ttl', 'expires a record after its TTL', async () => {
      await store.save(meta, { id: 't', state: item({ name: 'short' }), expectedVersion: 0, ttlSeconds: 1 });
      await store.save(meta, { id: 'k', state: item({ name: 'kept' }), expectedVersion: 0 });
      expect(await store.get(meta, 't')).to.not.equal(undefined);
      await sleep(1300);
      expect(await store.get(meta, 't')).to.equal(undefined);
      expect((await store.find(meta, {})).items.map((record) => record.id)).to.deep.equal(['k']);
    });

    scenario('find', 'finds by equality on strings, numbers, booleans and id', async () => {
      await store.save(meta, { id: '1', state: item({ name: 'a', rank: 1, active: true }), expectedVersion: 0 });
      await store.save(meta, { id: '2', state: item({ name: 'b', rank: 1, active: false }), expectedVersion: 0 });
      await store.save(meta, { id: '3', state: item({ name: 'a', rank: 2, active: true }), expectedVersion: 0 });
      const ids = async (where: Record<string, unknown>) => (await store.find(meta, { where, orderBy: [{ field: 'id' }] })).items.map((record) => record.id);
      expect(await ids({ name: 'a' })).to.deep.equal(['1', '3']);
      expect(await ids({ rank: 1 })).to.deep.equal(['1', '2']);
      expect(await ids({ active: false })).to.deep.equal(['2']);
      expect(await ids({ name: 'a', rank: 2 })).to.deep.equal(['3']);
      expect(await ids({ id: '2' })).to.deep.equal(['2']);
      expect(await ids({ name: 'zzz' })).to.deep.equal([]);
    });

    scenario('order', 'orders by one or more fields, ascending and descending', async () => {
      await store.save(meta, { id: 'x', state: item({ name: 'b', rank: 2 }), expectedVersion: 0 });
      await store.save(meta, { id: 'y', state: item({ name: 'a', rank: 2 }), expectedVersion: 0 });
      await store.save(meta, { id: 'z', state: item({ name: 'c', rank: 10 }), expectedVersion: 0 });
      const order = async (orderBy: { field: string; direction?: 'asc' | 'desc' }[]) => (await store.find(meta, { orderBy })).items.map((record) => record.id);
      expect(await order([{ field: 'rank', direction: 'desc' }, { field: 'name' }])).to.deep.equal(['z', 'y', 'x']);
      expect(await order([{ field: 'name' }])).to.deep.equal(['y', 'x', 'z']);
      expect(await order([{ field: 'rank' }, { field: 'name', direction: 'desc' }])).to.deep.equal(['x', 'y', 'z']);
    });

    scenario('paging', 'pages with limit and offset and reports the total', async () => {
      for (let index = 0; index < 7; index++) await store.save(meta, { id: `p${index}`, state: item({ rank: index }), expectedVersion: 0 });
      const page = await store.find(meta, { orderBy: [{ field: 'rank' }], limit: 3, offset: 3 });
      expect(page.items.map((record) => record.state.rank)).to.deep.equal([3, 4, 5]);
      expect(page.total).to.equal(7);
      const last = await store.find(meta, { orderBy: [{ field: 'rank' }], limit: 3, offset: 6 });
      expect(last.items.map((record) => record.state.rank)).to.deep.equal([6]);
    });

    scenario('concurrency', 'lets exactly one of many concurrent writers of one version win', async () => {
      await store.save(meta, { id: 'c', state: item({ rank: 0 }), expectedVersion: 0 });
      const attempts = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => store.save(meta, { id: 'c', state: item({ rank: index + 1 }), expectedVersion: 1 })));
      const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
      expect(won).to.have.length(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') expect(isVersionConflict(attempt.reason), `a losing writer must get VersionConflict, got: ${String(attempt.reason)}`).to.equal(true);
      }
      expect((await store.get(meta, 'c'))?.version).to.equal(2);
    });
  });
}
