/**
 * The mongo store's documents: shaped by the entity schema (dates as BSON dates, arrays and nested
 * objects as they are), bookkeeping beside the fields, indexes from `static indexes`, TTL checked
 * on every read, and `find` keeping equality an equality.
 */
import { expect } from 'chai';
import { Entity, event, field, isStarmodelError, metaOf, z, type EntityMeta, type StarmodelError } from '../../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js';
import mongoPlugin, { MongoStore, type MongoIndexes } from '../../../plugins/mongo/index.js';
import { specMongo, type SpecMongo } from './support/test-server.js';

class Shelf extends Entity {
  static override scope = 'record' as const;
  static override store = 'mongo';
  static indexes: MongoIndexes = [['category'], ['price', -1], ['category', 'price', -1]];
  category = '';
  price = 0;
  tags: string[] = [];
  @field(z.date()) publishedAt = new Date(0);
  @field(z.object({ city: z.string(), since: z.date() })) address = { city: '', since: new Date(0) };
  @field(z.array(z.object({ at: z.date(), note: z.string() }))) history: { at: Date; note: string }[] = [];
  extra: Record<string, unknown> = {};

  @event({ method: 'post' }) republish(at: Date) {
    this.publishedAt = at;
    this.history = [...this.history, { at, note: 'republished' }];
  }
}

class BadIndex extends Entity {
  static override store = 'mongo';
  static indexes = [['price', 1], ['colour']];
  price = 0;
}

class ClashingField extends Entity {
  static override store = 'mongo';
  title = '';
  createdAt = '';
}

const shelfState = () => ({
  category: 'books',
  price: 12.5,
  tags: ['new', 'paper'],
  publishedAt: '2024-05-01T10:00:00.000Z',
  address: { city: 'Lyon', since: '2020-02-29T00:00:00.000Z' },
  history: [{ at: '2024-05-02T08:30:00.000Z', note: 'restocked' }],
  extra: { nested: { deep: [1, 'two', { three: true }] }, empty: null },
});

async function rejection(promise: Promise<unknown>): Promise<StarmodelError> {
  try {
    await promise;
  } catch (error) {
    if (isStarmodelError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('mongo store: documents shaped by the schema', function () {
  let mongo: SpecMongo;
  let store: MongoStore;
  let meta: EntityMeta;
  const extraStores: MongoStore[] = [];
  const storeAt = (now?: () => number) => {
    const made = new MongoStore({ url: mongo.url, database: mongo.database, ...(now ? { now } : {}) });
    extraStores.push(made);
    return made;
  };

  before(async () => {
    mongo = await specMongo();
    store = new MongoStore({ url: mongo.url, database: mongo.database });
    meta = metaOf(Shelf);
    await store.prepare(meta);
  });
  afterEach(async () => {
    await store.collection(meta).deleteMany({});
  });
  after(async () => {
    await store.db.dropDatabase();
    for (const extra of extraStores) await extra.close();
    await store.close();
    await mongo.stop();
  });

  it('keeps one document per entity: _id is the entity id, fields beside version and timestamps', async () => {
    await store.save(meta, { id: 'shelf-1', state: shelfState(), expectedVersion: 0 });
    const document = await store.collection(meta).findOne({ _id: 'shelf-1' });
    expect(store.collectionName(meta)).to.equal('Shelf');
    expect(document).to.not.equal(null);
    const { createdAt, updatedAt, publishedAt, address, history, ...rest } = document!;
    expect(rest).to.deep.equal({ _id: 'shelf-1', category: 'books', price: 12.5, tags: ['new', 'paper'], extra: shelfState().extra, version: 1 });
    expect(createdAt).to.be.instanceOf(Date);
    expect(updatedAt).to.be.instanceOf(Date);
    expect(publishedAt, 'a date field is a BSON date, so MongoDB sorts and compares it as one').to.be.instanceOf(Date);
    expect((publishedAt as Date).toISOString()).to.equal('2024-05-01T10:00:00.000Z');
    expect((address as { since: unknown }).since).to.be.instanceOf(Date);
    expect((history as { at: unknown }[])[0]!.at).to.be.instanceOf(Date);
    expect(document).to.not.have.property('expiresAt');
  });

  it('reads back exactly the state it was given: dates, arrays and nested objects round-trip', async () => {
    await store.save(meta, { id: 'shelf-2', state: shelfState(), expectedVersion: 0 });
    const loaded = await store.get(meta, 'shelf-2');
    expect(loaded?.state).to.deep.equal(shelfState());
    const updated = await store.save(meta, { id: 'shelf-2', state: { ...shelfState(), tags: [], price: 3 }, expectedVersion: 1 });
    expect(updated.state).to.deep.equal({ ...shelfState(), tags: [], price: 3 });
    expect(updated.createdAt).to.equal(loaded?.createdAt);
    expect((await store.get(meta, 'shelf-2'))?.state).to.deep.equal({ ...shelfState(), tags: [], price: 3 });
  });

  it('gives an entity its Date field back as a Date through the kernel, after an event changed it', async () => {
    const kernel: TestKernel = await createTestKernel({ entities: [Shelf], plugins: { '@starmodel/mongo': mongoPlugin({ url: mongo.url, database: mongo.database }) } });
    try {
      const created = await kernel.client().send(Shelf, 'create', { body: { category: 'maps' } });
      const at = new Date('2025-01-15T12:00:00.000Z');
      await kernel.kernel.dispatch({ entity: Shelf, event: 'republish', id: created.id, query: { at: at.toISOString() } });
      const shelf = await Shelf.get(created.id);
      expect(shelf.publishedAt).to.be.instanceOf(Date);
      expect(shelf.publishedAt.getTime()).to.equal(at.getTime());
      // The kernel revives top-level date fields only; a nested date comes back as its ISO string.
      expect(String(shelf.history[0]?.at)).to.equal(at.toISOString());
      const document = await store.collection(meta).findOne({ _id: created.id });
      expect((document?.history as { at: unknown }[])[0]!.at, 'stored as a BSON date').to.be.instanceOf(Date);
      expect(shelf.category).to.equal('maps');
    } finally {
      await kernel.close();
    }
  });

  it('finds by a date field and orders by it as a date', async () => {
    const at = (iso: string) => ({ ...shelfState(), publishedAt: iso });
    await store.save(meta, { id: 'a', state: at('2024-01-02T00:00:00.000Z'), expectedVersion: 0 });
    await store.save(meta, { id: 'b', state: at('2023-12-31T00:00:00.000Z'), expectedVersion: 0 });
    await store.save(meta, { id: 'c', state: at('2024-01-01T00:00:00.000Z'), expectedVersion: 0 });
    const byDate = await store.find(meta, { where: { publishedAt: '2024-01-01T00:00:00.000Z' } });
    expect(byDate.items.map((record) => record.id)).to.deep.equal(['c']);
    const asDate = await store.find(meta, { where: { publishedAt: new Date('2023-12-31T00:00:00.000Z') } });
    expect(asDate.items.map((record) => record.id)).to.deep.equal(['b']);
    const newest = await store.find(meta, { orderBy: [{ field: 'publishedAt', direction: 'desc' }] });
    expect(newest.items.map((record) => record.id)).to.deep.equal(['a', 'c', 'b']);
  });

  it('treats a where value shaped like an operator as a value to compare, never as a query operator', async () => {
    await store.save(meta, { id: 'x', state: shelfState(), expectedVersion: 0 });
    const injected = await store.find(meta, { where: { category: { $ne: 'nothing' } } });
    expect(injected.total).to.equal(0);
    const idInjected = await store.find(meta, { where: { id: { $gt: '' } } });
    expect(idInjected.total).to.equal(0);
  });

  it('refuses a where or orderBy on a field the entity does not have, with 400 naming it', async () => {
    const error = await rejection(store.find(meta, { where: { $where: 'sleep(1000)' }, orderBy: [{ field: 'colour' }] }));
    expect(error.code).to.equal('SM_VALIDATION_FAILED');
    expect(error.status).to.equal(400);
    expect(error.fields).to.have.keys(['where.$where', 'orderBy.colour']);
  });

  it('clears an earlier expiry when a record is saved without a TTL, and removes fields the state no longer has', async () => {
    await store.save(meta, { id: 't', state: shelfState(), expectedVersion: 0, ttlSeconds: 3600 });
    expect((await store.collection(meta).findOne({ _id: 't' }))?.expiresAt).to.be.instanceOf(Date);
    const { extra: _extra, ...withoutExtra } = shelfState();
    const saved = await store.save(meta, { id: 't', state: withoutExtra, expectedVersion: 1 });
    expect(saved.expiresAt).to.equal(undefined);
    const document = await store.collection(meta).findOne({ _id: 't' });
    expect(document).to.not.have.property('expiresAt');
    expect(document).to.not.have.property('extra');
  });

  it('treats an expired document as absent at once, even before any TTL monitor removes it', async () => {
    const start = Date.now();
    const early = storeAt(() => start);
    const late = storeAt(() => start + 61_000);
    await early.save(meta, { id: 'e', state: shelfState(), expectedVersion: 0, ttlSeconds: 60 });
    await early.save(meta, { id: 'kept', state: shelfState(), expectedVersion: 0 });
    expect(await late.get(meta, 'e')).to.equal(undefined);
    expect((await late.find(meta, {})).items.map((record) => record.id)).to.deep.equal(['kept']);
    expect(await store.collection(meta).findOne({ _id: 'e' }), 'still in the collection').to.not.equal(null);
    const recreated = await late.save(meta, { id: 'e', state: { ...shelfState(), price: 1 }, expectedVersion: 0 });
    expect(recreated.version).to.equal(1);
    expect((await late.get(meta, 'e'))?.state.price).to.equal(1);
  });

  it('sweeps expired documents out of the collection on request', async () => {
    const start = Date.now();
    await storeAt(() => start).save(meta, { id: 'gone', state: shelfState(), expectedVersion: 0, ttlSeconds: 5 });
    await store.save(meta, { id: 'stays', state: shelfState(), expectedVersion: 0 });
    expect(await storeAt(() => start + 6000).sweepExpired(meta)).to.equal(1);
    expect(await store.collection(meta).countDocuments({})).to.equal(1);
  });

  it('creates the TTL index on expiresAt and the indexes the entity declares', async () => {
    const indexes = await store.collection(meta).listIndexes().toArray();
    const byName = new Map(indexes.map((index) => [index.name as string, index]));
    expect(byName.get('sm_ttl_expiresAt')).to.deep.include({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
    expect(byName.get('sm_category_1')?.key).to.deep.equal({ category: 1 });
    expect(byName.get('sm_price_-1')?.key).to.deep.equal({ price: -1 });
    expect(byName.get('sm_category_1_price_-1')?.key).to.deep.equal({ category: 1, price: -1 });
    expect(indexes.some((index) => index.unique === true && index.name !== '_id_'), 'no unique index is relied on').to.equal(false);
  });

  it('refuses static indexes that name a missing field, saying which', async () => {
    const error = await rejection(store.prepare(metaOf(BadIndex)));
    expect(error.code).to.equal('SM_ENTITY_INVALID');
    expect(error.message).to.contain('"colour"').and.contain('not a field of BadIndex');
  });

  it('refuses a field named like one of its bookkeeping keys, saying to rename it', async () => {
    const error = await rejection(store.prepare(metaOf(ClashingField)));
    expect(error.code).to.equal('SM_ENTITY_INVALID');
    expect(error.message).to.contain('"createdAt"').and.contain('Rename the field');
  });
});
