/**
 * The mongo store's failures as a user meets them: no server (503, the app still starts), a
 * duplicate key (409), no MONGO_URL at all (inert, 503 saying to set it), bad configuration
 * (refused at startup naming the key), and shutdown (the client is closed). No message, cause
 * or client answer carries the connection string or its password.
 */
import { expect } from 'chai';
import { Entity, event, isStarmodelError, metaOf, type StarmodelError } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing/index.js';
import mongoPlugin, { MongoStore, UnconfiguredMongoStore, parseMongoOptions, toStoreError } from '../../../plugins/mongo/index.js';
import { recordingLogger } from '../../fixtures/logger.js';
import { freePort, specMongo, type SpecMongo } from './support/test-server.js';

class Basket extends Entity {
  static override scope = 'global' as const;
  static override store = 'mongo';
  items = 0;
  @event() add() { this.items++; }
}

class Note extends Entity {
  static override scope = 'global' as const;
  text = '';
  @event() write(text: string) { this.text = text; }
}

async function rejection(promise: Promise<unknown>): Promise<StarmodelError> {
  try {
    await promise;
  } catch (error) {
    if (isStarmodelError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function thrown(work: () => unknown): StarmodelError {
  try {
    work();
  } catch (error) {
    if (isStarmodelError(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

const SECRET = 'hunter2-s3cret';

describe('mongo store: errors and configuration', function () {
  describe('with no server at the URL', function () {
    let url: string;
    before(async () => {
      url = `mongodb://alice:${SECRET}@127.0.0.1:${await freePort()}/shop`;
    });

    it('answers 503 SM_STORE_UNAVAILABLE to reads and writes, leaking neither the URL nor its password', async () => {
      const store = new MongoStore({ url, serverSelectionTimeoutMS: 300 });
      try {
        const meta = metaOf(Basket);
        for (const attempt of [store.get(meta, 'a'), store.save(meta, { id: 'a', state: { items: 1 }, expectedVersion: 0 }), store.find(meta, {})]) {
          const error = await rejection(attempt);
          expect(error.code).to.equal('SM_STORE_UNAVAILABLE');
          expect(error.status).to.equal(503);
          const everything = `${error.message} ${JSON.stringify(error.toJSON())} ${String(error.cause)} ${(error.cause as Error).stack ?? ''}`;
          expect(everything).to.not.contain(SECRET);
          expect(everything).to.not.contain('alice');
          expect(everything).to.not.contain('mongodb://');
        }
      } finally {
        await store.close();
      }
    });

    it('still starts the app (with a warning) and answers its events with 503', async () => {
      const recorded = recordingLogger();
      const kernel = await createTestKernel({ logger: recorded.logger, entities: [Basket, Note], plugins: { '@starmodel/mongo': mongoPlugin({ url, serverSelectionTimeoutMS: 300 }) } });
      try {
        expect(recorded.lines.filter((line) => line.level === 'warn').map((line) => line.message).join('\n')).to.contain('MongoDB is not reachable');
        const error = await rejection(kernel.client().call(Basket, 'add'));
        expect(error.toJSON().error).to.deep.include({ code: 'SM_STORE_UNAVAILABLE', status: 503 });
        await kernel.client().call(Note, 'write', 'memory entities keep working');
      } finally {
        await kernel.close();
      }
    });
  });

  describe('with the test server (or MONGO_URL)', function () {
    let mongo: SpecMongo;
    before(async () => {
      mongo = await specMongo();
    });
    after(() => mongo.stop());

    it('maps a duplicate key to 409 SM_STORE_DUPLICATE naming the key, not the value', async () => {
      const store = new MongoStore({ url: mongo.url, database: mongo.database });
      try {
        const collection = store.collection(metaOf(Basket));
        await collection.insertOne({ _id: 'twice', items: 1, version: 1, createdAt: new Date(), updatedAt: new Date() });
        let driverError: unknown;
        await collection.insertOne({ _id: 'twice', items: 2, version: 1, createdAt: new Date(), updatedAt: new Date() }).catch((error: unknown) => (driverError = error));
        const mapped = toStoreError(driverError, 'Basket') as StarmodelError;
        expect(mapped.code).to.equal('SM_STORE_DUPLICATE');
        expect(mapped.status).to.equal(409);
        expect(mapped.message).to.equal('A "Basket" with the same id already exists.');
      } finally {
        await store.db.dropDatabase();
        await store.close();
      }
    });

    it('closes the driver client when the kernel closes; later use answers 503', async () => {
      const kernel = await createTestKernel({ entities: [Basket], plugins: { '@starmodel/mongo': mongoPlugin({ url: mongo.url, database: mongo.database }) } });
      const store = kernel.kernel.store('mongo');
      expect(store).to.be.instanceOf(MongoStore);
      const mongoStore = store as MongoStore;
      await kernel.client().call(Basket, 'add');
      const closed = new Promise<void>((resolve) => mongoStore.client.once('topologyClosed', () => resolve()));
      await mongoStore.db.dropDatabase();
      await kernel.close();
      await closed;
      const error = await rejection(mongoStore.get(metaOf(Basket), 'global'));
      expect(error.code).to.equal('SM_STORE_UNAVAILABLE');
    });
  });

  describe('configuration', function () {
    it('stays inert without MONGO_URL: no client, and a mongo entity answers 503 saying to set MONGO_URL', async () => {
      const saved = process.env.MONGO_URL;
      delete process.env.MONGO_URL;
      const recorded = recordingLogger();
      try {
        const kernel = await createTestKernel({ logger: recorded.logger, entities: [Basket, Note], plugins: { '@starmodel/mongo': mongoPlugin({}) } });
        try {
          expect(kernel.kernel.store('mongo')).to.be.instanceOf(UnconfiguredMongoStore);
          expect(recorded.lines.map((line) => line.message).join('\n')).to.contain('"Basket" uses the "mongo" store, but MONGO_URL is not set');
          const error = await rejection(kernel.client().call(Basket, 'add'));
          expect(error.status).to.equal(503);
          expect(error.code).to.equal('SM_STORE_NOT_CONFIGURED');
          expect(error.toJSON().error.message).to.contain('Set MONGO_URL');
          const note = await kernel.client().call(Note, 'write', 'still fine');
          expect(note.signals.text).to.equal('still fine');
        } finally {
          await kernel.close();
        }
      } finally {
        if (saved !== undefined) process.env.MONGO_URL = saved;
      }
    });

    it('reads MONGO_URL, takes the database from its path (else "starmodel"), and lets options win', () => {
      expect(parseMongoOptions({}, { MONGO_URL: 'mongodb://db.local:27017/shop?retryWrites=true' })).to.deep.include({ url: 'mongodb://db.local:27017/shop?retryWrites=true', database: 'shop' });
      expect(parseMongoOptions({}, { MONGO_URL: 'mongodb://db.local:27017' }).database).to.equal('starmodel');
      expect(parseMongoOptions({ url: 'mongodb://a,b,c/x', database: 'other' }, { MONGO_URL: 'mongodb://ignored/y' })).to.deep.include({ url: 'mongodb://a,b,c/x', database: 'other' });
      expect(parseMongoOptions({}, {}).url).to.equal(undefined);
      expect(parseMongoOptions({}, { MONGO_URL: 'mongodb://h/?serverSelectionTimeoutMS=900' }).serverSelectionTimeoutMS, 'the URL sets it').to.equal(undefined);
      expect(parseMongoOptions({}, { MONGO_URL: 'mongodb://h/' }).serverSelectionTimeoutMS).to.equal(5000);
    });

    it('refuses a URL that is not a mongodb:// connection string, without echoing it', () => {
      const error = thrown(() => parseMongoOptions({}, { MONGO_URL: `http://bob:${SECRET}@example.org/` }));
      expect(error.code).to.equal('SM_CONFIG_INVALID');
      expect(error.message).to.contain('mongodb://').and.contain('MONGO_URL').and.not.contain(SECRET);
    });

    it('refuses a malformed connection string at startup, naming the problem but not the password', async () => {
      const error = await rejection(createTestKernel({ plugins: { '@starmodel/mongo': mongoPlugin({ url: `mongodb://bob:${SECRET}@127.0.0.1:1/?serverSelectionTimeoutMS=soon` }) } }));
      expect(error.code).to.equal('SM_CONFIG_INVALID');
      expect(error.message).to.contain('serverSelectionTimeoutMS').and.not.contain(SECRET);
    });

    it('refuses options of the wrong type, naming the key', () => {
      expect(thrown(() => parseMongoOptions({ serverSelectionTimeoutMS: '5s' }, {})).message).to.contain('plugins["@starmodel/mongo"].serverSelectionTimeoutMS');
      expect(thrown(() => parseMongoOptions({ database: 'my.db' }, {})).message).to.contain('plugins["@starmodel/mongo"].database');
      expect(thrown(() => parseMongoOptions({ createIndexes: 'yes' }, {})).message).to.contain('plugins["@starmodel/mongo"].createIndexes');
    });
  });
});
