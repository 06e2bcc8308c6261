/**
 * The SQL store beyond the conformance suite, on SQLite and on PostgreSQL: every field type
 * round-trips exactly and gets a typed column, JSON fields can be filtered on, TTL hides and
 * then removes rows, and database errors reach the caller as the kernel's codes without SQL.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import { Entity, event, field, isStarmodelError, isVersionConflict, metaOf, z, type EntityMeta, type JsonObject, type StarmodelError } from '../../../kernel/index.js';
import { KnexStore, toStoreError } from '../../../plugins/knex/index.js';
import { recordingLogger } from '../../fixtures/logger.js';
import { isolatedSchema, postgresUrl, removeTempFolders, sqliteStore, type IsolatedSchema } from './support.js';

/** One field of every kind the store maps. */
class Gadget extends Entity {
  static override scope = 'record' as const;
  @field(z.string().trim().min(1).max(40)) label = 'gadget';
  notes = '';
  @field(z.number()) weight = 0;
  @field(z.number().int().min(0)) count = 0;
  flag = false;
  @field(z.date()) madeAt = new Date(0);
  @field(z.enum(['small', 'large'])) size: 'small' | 'large' = 'small';
  tags: string[] = [];
  @field(z.record(z.string(), z.number())) scores: Record<string, number> = {};
  @field(z.object({ street: z.string(), zip: z.string() })) address = { street: '', zip: '' };
  @field(z.string().nullable()) nickname: string | null = null;
  @field(z.string().optional()) motto: string | undefined = undefined;
  @field(z.string().meta({ unique: true })) sku = '';
  @event() touch() { this.count++; }
}

const full: JsonObject = {
  label: 'Ünïcødé ✓ \'quoted\' "twice"', notes: 'line one\nline two; DROP TABLE gadget; --', weight: 1.25, count: Number.MAX_SAFE_INTEGER,
  flag: true, madeAt: '2024-02-29T12:34:56.789Z', size: 'large', tags: ['a', 'b'], scores: { math: 9.5, art: 7 },
  address: { street: 'Main St 1', zip: '1234' }, nickname: null, motto: 'Stay curious', sku: 'G-1',
};

async function failure(promise: Promise<unknown>): Promise<StarmodelError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(isStarmodelError(error), `expected a StarmodelError, got ${String(error)}`).to.equal(true);
  return error as StarmodelError;
}

/** A TCP port nothing listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 1;
}

after(removeTempFolders);

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`SQL store on ${dialect}`, function () {
    let store: KnexStore;
    let meta: EntityMeta;
    let schema: IsolatedSchema | undefined;
    let clock = Date.now();
    const log = recordingLogger();

    before(async function () {
      const options = { logger: log.logger, now: () => clock };
      if (dialect === 'sqlite') {
        store = sqliteStore(options).store;
      } else {
        const url = await postgresUrl(this);
        if (!url) return;
        schema = await isolatedSchema(url);
        store = new KnexStore({ connection: schema.url, ...options });
      }
      meta = metaOf(Gadget);
      await store.prepare(meta);
    });
    after(async () => {
      await store?.close();
      await schema?.drop();
    });
    afterEach(async () => {
      clock = Date.now();
      await store?.knex('gadget').del();
    });

    const save = (id: string, values: JsonObject, expectedVersion = 0, ttlSeconds?: number) =>
      store.save(meta, { id, state: { ...full, sku: `sku-${id}`, ...values }, expectedVersion, ttlSeconds });

    it('creates the missing table in development and says so in the log', () => {
      expect(log.lines.some((line) => line.level === 'info' && /created table "gadget" for Gadget/.test(line.message))).to.equal(true);
    });

    it('gives every field a column of its type', async () => {
      const info = (await store.knex('gadget').columnInfo()) as unknown as Record<string, { type: string; nullable: boolean }>;
      const types = Object.fromEntries(Object.entries(info).map(([name, column]) => [name, column.type]));
      const expected = dialect === 'sqlite'
        ? { label: 'varchar', notes: 'text', weight: 'float', count: 'bigint', flag: 'boolean', madeAt: 'datetime', size: 'text', tags: 'json', address: 'json', version: 'integer', expires_at: 'bigint' }
        : { label: 'character varying', notes: 'text', weight: 'double precision', count: 'bigint', flag: 'boolean', madeAt: 'timestamp with time zone', size: 'text', tags: 'jsonb', address: 'jsonb', version: 'integer', expires_at: 'bigint' };
      expect(types).to.include(expected);
      expect(info.label?.nullable).to.equal(false);
      expect(info.nickname?.nullable).to.equal(true);
    });

    it('round-trips every field type exactly (text, numbers, integers, booleans, dates, enums, JSON, null, optional)', async () => {
      const saved = await save('all', {});
      const loaded = await store.get(meta, 'all');
      expect(loaded?.state).to.deep.equal({ ...full, sku: 'sku-all' });
      expect(saved.state).to.deep.equal(loaded?.state);
      const { motto: _motto, ...withoutMotto } = full;
      await store.save(meta, { id: 'bare', state: { ...withoutMotto, sku: 'sku-bare', nickname: 'Bee' }, expectedVersion: 0 });
      const bare = await store.get(meta, 'bare');
      expect(bare?.state).to.not.have.property('motto');
      expect(bare?.state.nickname).to.equal('Bee');
      const page = await store.find(meta, { where: { id: 'all' } });
      expect(page.items[0]?.state).to.deep.equal({ ...full, sku: 'sku-all' });
    });

    it('lists records in the order they were created when no order is asked for', async () => {
      for (const [index, id] of ['m', 'c', 'x', 'a'].entries()) {
        clock = 1_750_000_000_000 + index;
        await save(id, {});
      }
      expect((await store.find(meta, {})).items.map((record) => record.id)).to.deep.equal(['m', 'c', 'x', 'a']);
      expect((await store.find(meta, { limit: 2, offset: 1 })).items.map((record) => record.id)).to.deep.equal(['c', 'x']);
    });

    it('keeps created time, bumps updated time and version on each save', async () => {
      clock = 1_700_000_000_000;
      await save('v', { count: 1 });
      clock += 5000;
      const second = await save('v', { count: 2 }, 1);
      expect(second).to.include({ version: 2, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_005_000 });
      expect((await store.get(meta, 'v'))?.state.count).to.equal(2);
    });

    it('filters on JSON, date and boolean fields, and refuses unknown fields with a 400', async () => {
      await save('j1', { tags: ['a', 'b'], address: { street: 'Elm', zip: '9' }, flag: false });
      await save('j2', { tags: ['b'], madeAt: '2030-01-01T00:00:00.000Z' });
      const ids = async (where: Record<string, unknown>) => (await store.find(meta, { where })).items.map((record) => record.id);
      expect(await ids({ tags: ['a', 'b'] })).to.deep.equal(['j1']);
      expect(await ids({ address: { street: 'Elm', zip: '9' } })).to.deep.equal(['j1']);
      expect(await ids({ madeAt: '2030-01-01T00:00:00.000Z' })).to.deep.equal(['j2']);
      expect(await ids({ flag: 'false' })).to.deep.equal(['j1']);
      const bad = await failure(store.find(meta, { where: { colour: 'red' } }));
      expect(bad).to.include({ code: 'SM_QUERY_INVALID', status: 400 });
      expect(bad.message).to.match(/no field "colour"/);
      const badOrder = await failure(store.find(meta, { orderBy: [{ field: 'nope' }] }));
      expect(badOrder.code).to.equal('SM_QUERY_INVALID');
    });

    it('hides an expired record from get and find, removes it, and lets its id be created again', async () => {
      clock = 1_800_000_000_000;
      await save('ttl', {}, 0, 10);
      await save('kept', {});
      clock += 9_000;
      expect(await store.get(meta, 'ttl')).to.not.equal(undefined);
      clock += 2_000;
      expect((await store.find(meta, {})).items.map((record) => record.id)).to.deep.equal(['kept']);
      expect(await store.get(meta, 'ttl')).to.equal(undefined);
      expect(await store.knex('gadget').where('id', 'ttl').first()).to.equal(undefined);
      const again = await save('ttl', { count: 7 });
      expect(again.version).to.equal(1);
      expect(isVersionConflict(await save('kept', {}).catch((error: unknown) => error))).to.equal(true);
    });

    it('answers a duplicate on a unique column with 409 SM_STORE_DUPLICATE naming the field, without SQL', async () => {
      await save('u1', { sku: 'DUP-VALUE-42' });
      const error = await failure(save('u2', { sku: 'DUP-VALUE-42' }));
      expect(error).to.include({ code: 'SM_STORE_DUPLICATE', status: 409, expose: true });
      expect(error.fields).to.deep.equal({ sku: 'Already taken' });
      expect(JSON.stringify(error.toJSON())).to.not.match(/insert|DUP-VALUE|constraint|"gadget"/i);
      expect(await store.get(meta, 'u2')).to.equal(undefined);
    });

    it('answers a value the table refuses (required, not one of an enum) with 400 naming the field', async () => {
      const missing = await failure(save('n1', { label: null }));
      expect(missing).to.include({ code: 'SM_VALIDATION_FAILED', status: 400 });
      expect(missing.fields).to.deep.equal({ label: 'Required' });
      const outside = await failure(save('n2', { size: 'huge' }));
      expect(outside).to.include({ code: 'SM_VALIDATION_FAILED', status: 400 });
      expect(outside.fields).to.deep.equal({ size: 'Expected one of: small, large' });
      expect(JSON.stringify(outside.toJSON())).to.not.match(/insert|huge/i);
    });
  });
}

describe('SQL store: schema checks and unreachable databases', function () {
  after(removeTempFolders);

  class Plain extends Entity {
    static override scope = 'record' as const;
    title = '';
  }
  class PlainWithMore extends Entity {
    static override scope = 'record' as const;
    static table = 'plain';
    title = '';
    rating = 0;
  }

  it('refuses to start in production on a missing table, telling to run `starmodel migrate`', async () => {
    const { store } = sqliteStore({ autoCreateTables: false });
    const error = await failure(store.prepare(metaOf(Plain)));
    expect(error.code).to.equal('SM_STORE_FAILED');
    expect(error.message).to.match(/table "plain" for entity Plain does not exist.*starmodel migrate/);
    await store.close();
  });

  it('warns in development, and refuses in production, when a table lacks a field\'s column', async () => {
    const { store, log, filename } = sqliteStore();
    await store.prepare(metaOf(Plain));
    await store.prepare(metaOf(PlainWithMore));
    expect(log.lines.some((line) => line.level === 'warn' && /add column plain\.rating.*starmodel migrate/.test(line.message))).to.equal(true);
    await store.close();
    const production = new KnexStore({ client: 'sqlite3', filename, autoCreateTables: false, logger: recordingLogger().logger });
    const error = await failure(production.prepare(metaOf(PlainWithMore)));
    expect(error.message).to.match(/does not match entity PlainWithMore \(add column plain\.rating.*starmodel migrate/);
    await production.close();
  });

  it('refuses a field named like a column the store keeps for itself', async () => {
    class Clash extends Entity {
      static override scope = 'record' as const;
      version = 1;
    }
    const { store } = sqliteStore();
    const error = await failure(store.prepare(metaOf(Clash)));
    expect(error.code).to.equal('SM_ENTITY_INVALID');
    expect(error.message).to.match(/"version".*rename the field/);
    await store.close();
  });

  it('answers 503 SM_STORE_UNAVAILABLE when PostgreSQL refuses the connection, without leaking the URL', async () => {
    const port = await unusedPort();
    const log = recordingLogger();
    const store = new KnexStore({ connection: `postgres://postgres:hunter2@127.0.0.1:${port}/test`, logger: log.logger });
    const error = await failure(store.get(metaOf(Plain), 'x'));
    expect(error).to.include({ code: 'SM_STORE_UNAVAILABLE', status: 503, expose: true });
    expect((await failure(store.ping())).code).to.equal('SM_STORE_UNAVAILABLE');
    expect(JSON.stringify(error.toJSON())).to.not.match(/hunter2|postgres:|ECONNREFUSED/);
    const starting = await failure(store.prepare(metaOf(Plain)));
    expect(starting.status).to.equal(503);
    expect(log.errors().join('\n')).to.match(new RegExp(`cannot reach PostgreSQL 127\\.0\\.0\\.1:${port}/test`));
    expect(log.errors().join('\n')).to.not.match(/hunter2/);
    await store.close();
  });

  it('answers 503 when PostgreSQL drops a connection mid-query, and works again on the next call', async function () {
    const url = await postgresUrl(this);
    if (!url) return;
    const schema = await isolatedSchema(url);
    const tagged = new URL(schema.url);
    tagged.searchParams.set('application_name', schema.name);
    const store = new KnexStore({ connection: tagged.toString(), logger: recordingLogger().logger });
    const admin = new KnexStore({ connection: url, logger: recordingLogger().logger });
    try {
      await store.prepare(metaOf(Plain));
      const running = store.knex.raw('select pg_sleep(5)').then(() => undefined, (error: unknown) => error);
      await admin.knex.raw("select pg_sleep(0.3), pg_terminate_backend(pid) from pg_stat_activity where application_name = ? and query like '%pg_sleep(5)%'", [schema.name]);
      const error = toStoreError(await running);
      expect(error).to.include({ code: 'SM_STORE_UNAVAILABLE', status: 503 });
      expect(await store.get(metaOf(Plain), 'nobody')).to.equal(undefined);
      await store.ping();
    } finally {
      await store.close();
      await admin.close();
      await schema.drop();
    }
  });
});
