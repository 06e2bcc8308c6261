/**
 * The redis store: the kernel's conformance suite against the real Redis (a unique prefix per run),
 * then what the Redis layout promises (one JSON key per entity, Redis expiry, a self-healing index),
 * the inert plugin (no URL) and bad options.
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { Entity, event, isStarmodelError, metaOf, type Store } from '../../../kernel/index.js';
import { ConformanceItem, createTestKernel, storeConformance, type TestKernel } from '../../../kernel/testing/index.js';
import redisPlugin from '../../../plugins/redis/index.js';
import { recordingLogger } from '../../fixtures/logger.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from './support.js';

/** A global counter kept in Redis. */
class StoredCounter extends Entity {
  static override scope = 'global' as const;
  static override store = 'redis';
  count = 0;
  @event() increment(amount = 1) {
    this.count += amount;
  }
}

/** Builds the plugin as if REDIS_URL were not set, whatever this machine's environment says. */
function withoutRedisUrl<T>(make: () => T): T {
  const saved = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    return make();
  } finally {
    if (saved !== undefined) process.env.REDIS_URL = saved;
  }
}

describe('@starmodel/redis store', function () {
  this.timeout(20_000);

  describe('conformance', function () {
    const prefix = uniquePrefix('conformance');
    let url: string | undefined;
    let test: TestKernel | undefined;
    storeConformance('redis', async function (this: Mocha.Context) {
      url = await redisUrl(this);
      if (!url) return undefined;
      test = await createTestKernel({ plugins: { '@starmodel/redis': redisPlugin({ url, prefix }) } });
      return test.kernel.store('redis');
    }, {
      close: async () => {
        await test?.close();
        if (url) await dropPrefix(url, prefix);
      },
    });
  });

  describe('on Redis', function () {
    const prefix = uniquePrefix('layout');
    const meta = metaOf(ConformanceItem);
    let url: string;
    let test: TestKernel;
    let store: Store;
    let redis: Redis;

    before(async function () {
      const found = await redisUrl(this);
      if (!found) return;
      url = found;
      test = await createTestKernel({ entities: [StoredCounter], plugins: { '@starmodel/redis': redisPlugin({ url, prefix }) } });
      store = test.kernel.store('redis')!;
      redis = await connect(url);
    });
    after(async () => {
      redis?.disconnect();
      await test?.close();
      if (url) await dropPrefix(url, prefix);
    });

    it('keeps one JSON key per entity, named <prefix>:<type>:<id>, and lists it in the type\'s index', async () => {
      await test.client().call(StoredCounter, 'increment', 4);
      const raw = await redis.get(`${prefix}:StoredCounter:global`);
      const doc = JSON.parse(raw ?? 'null') as Record<string, unknown>;
      expect(doc.version).to.equal(1);
      expect(doc.state).to.deep.equal({ count: 4 });
      expect(doc.createdAt).to.be.a('number');
      expect(doc.updatedAt).to.equal(doc.createdAt);
      expect(await redis.zrange(`${prefix}:StoredCounter`, '0', '-1')).to.deep.equal(['global']);
      expect(await redis.pttl(`${prefix}:StoredCounter:global`)).to.equal(-1);
    });

    it('gives a record with a TTL a Redis expiry, so Redis itself removes it', async () => {
      await store.save(meta, { id: 'ttl', state: { name: 'x', rank: 0, active: false, tags: [] }, expectedVersion: 0, ttlSeconds: 60 });
      const ttl = await redis.pttl(`${prefix}:ConformanceItem:ttl`);
      expect(ttl).to.be.greaterThan(50_000).and.at.most(60_000);
      const record = await store.get(meta, 'ttl');
      expect(record?.expiresAt).to.be.a('number');
      await store.delete(meta, 'ttl');
    });

    it('forgets an index entry whose key was deleted behind the store\'s back', async () => {
      await store.save(meta, { id: 'gone', state: { name: 'g', rank: 0, active: false, tags: [] }, expectedVersion: 0 });
      await redis.del(`${prefix}:ConformanceItem:gone`);
      expect((await store.find(meta, {})).items.map((record) => record.id)).to.not.include('gone');
      // The clean-up is not awaited by find; give it its round trip.
      for (let attempt = 0; attempt < 50 && (await redis.zscore(`${prefix}:ConformanceItem`, 'gone')) !== null; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await redis.zscore(`${prefix}:ConformanceItem`, 'gone')).to.equal(null);
    });

    it('refuses a key that does not hold a StarModel record with SM_STORE_FAILED naming the key', async () => {
      await redis.set(`${prefix}:ConformanceItem:alien`, 'not json');
      const error = await store.get(meta, 'alien').then(() => undefined, (thrown: unknown) => thrown);
      expect(isStarmodelError(error) && error.code).to.equal('SM_STORE_FAILED');
      expect((error as Error).message).to.include(`${prefix}:ConformanceItem:alien`);
      const saving = await store.save(meta, { id: 'alien', state: {}, expectedVersion: 0 }).then(() => undefined, (thrown: unknown) => thrown);
      expect(isStarmodelError(saving) && saving.code).to.equal('SM_STORE_FAILED');
      expect(await redis.get(`${prefix}:ConformanceItem:alien`)).to.equal('not json');
      await redis.del(`${prefix}:ConformanceItem:alien`);
    });

    it('reports its health through the redis service', async () => {
      const service = test.kernel.service('redis')!;
      const health = await service.ping();
      expect(health).to.include({ ok: true, configured: true, status: 'ready' });
      expect(health.target).to.match(/:\d+$/);
      expect(health.target).to.not.include('@');
      expect(service.prefix).to.equal(prefix);
    });
  });

  describe('without a URL (inert)', function () {
    it('opens no connection, and an event on a redis entity answers 503 SM_STORE_NOT_CONFIGURED saying to set REDIS_URL', async () => {
      const log = recordingLogger();
      const test = await createTestKernel({ entities: [StoredCounter], logger: log.logger, plugins: { '@starmodel/redis': withoutRedisUrl(() => redisPlugin({})) } });
      try {
        const error = await test.client().call(StoredCounter, 'increment', 1).then(() => undefined, (thrown: unknown) => thrown);
        expect(isStarmodelError(error)).to.equal(true);
        if (!isStarmodelError(error)) return;
        expect(error.code).to.equal('SM_STORE_NOT_CONFIGURED');
        expect(error.status).to.equal(503);
        expect(error.toJSON().error.message).to.include('REDIS_URL');
        expect(await test.kernel.service('redis')!.ping()).to.include({ ok: false, configured: false });
        // One line saying which entity is affected; nothing about connections.
        const warnings = log.lines.filter((line) => line.level === 'warn' || line.level === 'error').map((line) => line.message);
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.include('StoredCounter').and.include('REDIS_URL');
      } finally {
        await test.close();
      }
    });

    it('stays silent when no entity uses the redis store', async () => {
      const log = recordingLogger();
      const test = await createTestKernel({ logger: log.logger, plugins: { '@starmodel/redis': withoutRedisUrl(() => redisPlugin({})) } });
      await test.close();
      expect(log.lines.filter((line) => line.level !== 'debug')).to.deep.equal([]);
    });
  });

  describe('options', function () {
    const configError = (options: Record<string, unknown>) => {
      try {
        redisPlugin(options);
      } catch (error) {
        return error;
      }
      return undefined;
    };

    it('refuses a URL that is not redis:// with SM_CONFIG_INVALID naming the option, without echoing it', () => {
      const error = configError({ url: 'http://user:secret@example.test' });
      expect(isStarmodelError(error) && error.code).to.equal('SM_CONFIG_INVALID');
      expect((error as Error).message).to.include('plugins["@starmodel/redis"].url').and.not.include('secret');
      const garbage = configError({ url: 'not a url with secret' });
      expect((garbage as Error).message).to.include('redis://').and.not.include('secret');
    });

    it('refuses a prefix with spaces or glob characters, and a timeout that is not a positive number', () => {
      expect((configError({ url: 'redis://127.0.0.1:6379', prefix: 'my app*' }) as Error).message).to.include('prefix');
      expect((configError({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: -1 }) as Error).message).to.include('commandTimeoutMs');
      expect((configError({ url: 'redis://127.0.0.1:6379', localStores: 'memory' }) as Error).message).to.include('localStores');
    });
  });
});
