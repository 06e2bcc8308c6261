/**
 * @module @starmodel/mongo
 * The StarModel MongoDB store through the official driver: entities with `static store = 'mongo'`
 * live in one collection per type, one document per entity, shaped by the entity's schema.
 *
 * ```ts
 * // MONGO_URL=mongodb://127.0.0.1:27017/shop npm start   (or, in starmodel.config.ts:)
 * export default defineConfig({ plugins: { '@starmodel/mongo': { url: 'mongodb://127.0.0.1:27017', database: 'shop' } } });
 * ```
 *
 * With no URL the plugin is inert: the `mongo` store answers 503 and nothing connects.
 */
import type { StarmodelPlugin } from 'starmodel';
import { parseMongoOptions } from './options.js';
import { MongoStore } from './store.js';
import { UnconfiguredMongoStore } from './unconfigured.js';

export { MongoStore, type MongoStoreOptions } from './store.js';
export { UnconfiguredMongoStore } from './unconfigured.js';
export { parseMongoOptions, databaseOfUrl, type MongoPluginOptions, type ResolvedMongoOptions } from './options.js';
export { toStoreError, redact } from './errors.js';
export { declaredIndexes, TTL_INDEX, type IndexSpec, type MongoIndexes } from './indexes.js';
export { BOOKKEEPING, type EntityDocument } from './documents.js';

/** Creates the MongoDB plugin from its config options: provides the `mongo` store (closed with the kernel). */
export default function mongoPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseMongoOptions(options);
  return {
    setup(api) {
      if (parsed.url === undefined) {
        api.provideStore('mongo', new UnconfiguredMongoStore(api.log));
        return;
      }
      // The kernel closes every store on close(), which closes the client.
      api.provideStore('mongo', new MongoStore({ ...parsed, url: parsed.url, logger: api.log }));
    },
  };
}
