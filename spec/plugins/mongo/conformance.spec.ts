/**
 * The kernel's store conformance suite against the mongo store, through the official driver: on
 * the in-process wire-compatible test server by default, on the server at MONGO_URL when set (then
 * nothing is pending: an unreachable server fails the suite).
 */
import { storeConformance } from '../../../kernel/testing/index.js';
import { MongoStore } from '../../../plugins/mongo/index.js';
import { specMongo, type SpecMongo } from './support/test-server.js';

let mongo: SpecMongo | undefined;

storeConformance(process.env.MONGO_URL ? 'mongo (MONGO_URL)' : 'mongo (in-process test server)', async () => {
  mongo = await specMongo();
  return new MongoStore({ url: mongo.url, database: mongo.database, serverSelectionTimeoutMS: 5000 });
}, {
  close: async (store) => {
    await (store as MongoStore).db.dropDatabase();
    await store.close?.();
    await mongo?.stop();
  },
});
