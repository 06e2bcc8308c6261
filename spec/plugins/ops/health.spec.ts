/**
 * `/healthz` and `/readyz` over real HTTP: the app is alive; it is ready only when every store its
 * entities use answers (checked against real backends: a private redis-server that is killed and
 * restarted, a PostgreSQL URL that points nowhere) and the bus delivers; it stops being ready the
 * moment shutdown starts.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import knex, { type Knex } from 'knex';
import { Redis } from 'ioredis';
import { Entity, event, MemoryStore, type EntityMeta, type FindQuery, type FindResult } from '../../../kernel/index.js';
import { serviceUrl } from '../../../kernel/testing/index.js';
import { eventually, freePort, PrivateRedis, startPrivateRedis, startOpsApp, type OpsApp } from './support.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
}

/** Entities whose store is backed by Redis (`carts`, pingable) or by SQL (`ledger`, queried). */
class Cart extends Entity {
  static override scope = 'global' as const;
  static override store = 'carts';
  items = 0;
  @event() add() { this.items++; }
}

class Ledger extends Entity {
  static override scope = 'global' as const;
  static override store = 'ledger';
  total = 0;
  @event() book(amount = 1) { this.total += amount; }
}

/** Keeps records in memory but asks a real Redis before each query; answers `ping()` with a PING. */
class RedisBackedStore extends MemoryStore {
  constructor(private readonly redis: Redis) {
    super();
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  override async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    await this.redis.exists('ops-spec');
    return super.find(meta, query);
  }
}

/** Keeps records in memory but runs `select 1` on a real database before each query (no ping). */
class SqlBackedStore extends MemoryStore {
  constructor(private readonly db: Knex) {
    super();
  }

  override async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    await this.db.raw('select 1');
    return super.find(meta, query);
  }
}

interface ReadyBody { status: string; failing: string[]; checks: Record<string, { status: string; error?: string }> }

describe('ops: /healthz and /readyz', function () {
  describe('with the memory store', () => {
    let app: OpsApp;
    before(async () => {
      app = await startOpsApp([Counter]);
    });
    after(() => app.close());

    it('answers /healthz with 200 { status: "ok" }, never cached', async () => {
      const response = await app.get('/healthz');
      expect(response.status).to.equal(200);
      expect(response.headers.get('cache-control')).to.equal('no-store');
      expect(await response.json()).to.deep.equal({ status: 'ok' });
    });

    it('answers /readyz with 200 when the memory store answers and the bus delivers', async () => {
      const { status, body } = await app.json<ReadyBody>('/readyz');
      expect(status).to.equal(200);
      expect(body.status).to.equal('ok');
      expect(body.failing).to.deep.equal([]);
      expect(body.checks['store:memory']?.status).to.equal('ok');
      expect(body.checks.bus?.status).to.equal('ok');
    });

    it('names a failing check another plugin added through the ops service', async () => {
      const ops = app.app.kernel.service('ops');
      ops?.addReadinessCheck('queue', async () => {
        throw new Error('queue worker is not running');
      });
      const { status, body } = await app.json<ReadyBody>('/readyz');
      expect(status).to.equal(503);
      expect(body.failing).to.deep.equal(['queue']);
      expect(body.checks.queue?.error).to.equal('queue worker is not running');
      ops?.addReadinessCheck('queue', async () => undefined);
      expect((await app.get('/readyz')).status).to.equal(200);
    });
  });

  describe('with a store on a Redis that goes away', () => {
    let redis: PrivateRedis;
    let client: Redis;
    let app: OpsApp;
    before(async function () {
      redis = await startPrivateRedis(this);
      client = new Redis(redis.url, { lazyConnect: false });
      client.on('error', () => undefined);
      app = await startOpsApp([Counter, Cart], { readyTimeoutMs: 500 }, { stores: { carts: new RedisBackedStore(client) } });
    });
    after(async () => {
      await app?.close();
      client?.disconnect();
      await redis?.stop();
    });

    it('is ready while that Redis answers, then 503 naming store:carts when it is killed, and ready again when it is back', async () => {
      expect((await app.json<ReadyBody>('/readyz')).status).to.equal(200);
      await redis.stop();
      const down = await app.json<ReadyBody>('/readyz');
      expect(down.status).to.equal(503);
      expect(down.body.status).to.equal('failed');
      expect(down.body.failing).to.deep.equal(['store:carts']);
      expect(down.body.checks['store:carts']?.status).to.equal('failed');
      expect(down.body.checks['store:memory']?.status).to.equal('ok');
      expect((await app.get('/healthz')).status, 'alive even when not ready').to.equal(200);
      await redis.restart();
      await eventually(async () => (await app.get('/readyz')).status === 200, 10_000, 'ready again after Redis came back');
    });
  });

  describe('with the Redis plugin carrying changes between instances', () => {
    let redis: PrivateRedis;
    before(async function () {
      redis = await startPrivateRedis(this);
    });
    after(() => redis?.stop());

    it('names bus:redis when that Redis is gone, and is ready again when it is back', async function () {
      const redisPlugin = fileURLToPath(new URL('../../../plugins/redis', import.meta.url));
      let app: OpsApp;
      try {
        app = await startOpsApp([Counter], { readyTimeoutMs: 1000 }, { config: { plugins: { [redisPlugin]: { url: redis.url, prefix: `ops-spec-${process.pid}` } } } });
      } catch (error) {
        if (process.env.CI === 'true') throw error;
        console.log(`      pending: the Redis plugin does not load yet (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
        return this.skip();
      }
      try {
        const up = await app.json<ReadyBody>('/readyz');
        expect(up.status).to.equal(200);
        expect(up.body.checks['bus:redis']?.status).to.equal('ok');
        await redis.stop();
        const down = await app.json<ReadyBody>('/readyz');
        expect(down.status).to.equal(503);
        expect(down.body.failing).to.include('bus:redis');
        await redis.restart();
        await eventually(async () => (await app.get('/readyz')).status === 200, 10_000, 'ready again after Redis came back');
      } finally {
        await app.close();
      }
    });
  });

  describe('with a SQL store', () => {
    let db: Knex | undefined;
    afterEach(async () => {
      await db?.destroy();
      db = undefined;
    });

    const quietKnex = (connection: string) => knex({ client: 'pg', connection, pool: { min: 0, max: 2 }, acquireConnectionTimeout: 1500, log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined } });

    it('answers 503 naming store:ledger when DATABASE_URL points where no database listens, without echoing the password', async () => {
      db = quietKnex(`postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/test`);
      const app = await startOpsApp([Counter, Ledger], { readyTimeoutMs: 3000 }, { stores: { ledger: new SqlBackedStore(db) } });
      try {
        const response = await app.get('/readyz');
        const text = await response.text();
        expect(response.status).to.equal(503);
        const body = JSON.parse(text) as ReadyBody;
        expect(body.failing).to.deep.equal(['store:ledger']);
        expect(body.checks['store:ledger']?.error).to.match(/ECONNREFUSED/);
        expect(text).not.to.include('s3cret-pw');
      } finally {
        await app.close();
      }
    });

    it('is ready when the same store reaches the real PostgreSQL', async function () {
      const url = await serviceUrl(this, { env: 'DATABASE_URL', fallback: 'postgres://postgres@127.0.0.1:5432/test', what: 'PostgreSQL' });
      if (!url) return;
      db = quietKnex(url);
      const app = await startOpsApp([Counter, Ledger], {}, { stores: { ledger: new SqlBackedStore(db) } });
      try {
        const { status, body } = await app.json<ReadyBody>('/readyz');
        expect(status).to.equal(200);
        expect(body.checks['store:ledger']?.status).to.equal('ok');
      } finally {
        await app.close();
      }
    });
  });

  it('answers 503 "draining" as soon as shutdown starts, while requests still finish', async () => {
    const app = await startOpsApp([Counter], { drainDelayMs: 400 });
    const closing = app.close();
    const { status, body } = await app.json<ReadyBody>('/readyz');
    expect(status).to.equal(503);
    expect(body.status).to.equal('draining');
    expect((await app.get('/healthz')).status).to.equal(200);
    await closing;
  });

  it('answers on custom paths when configured', async () => {
    const app = await startOpsApp([Counter], { healthPath: '/live', readyPath: '/ready' });
    try {
      expect((await app.get('/live')).status).to.equal(200);
      expect((await app.get('/ready')).status).to.equal(200);
      expect((await app.get('/healthz')).status).to.equal(404);
    } finally {
      await app.close();
    }
  });
});
