/**
 * @module @starmodel/mongo/unconfigured
 * The `mongo` store when no server is configured (no MONGO_URL, no `url`): the app starts and
 * runs, nothing connects anywhere, and any use of the store answers 503 saying to set MONGO_URL.
 * This is what lets an app depend on the plugin and still run without MongoDB.
 */
import type { EntityMeta, FindResult, Logger, Store, StoredRecord } from 'starmodel';
import { notConfigured } from './errors.js';

/** A store that refuses every operation with 503 SM_STORE_UNAVAILABLE (set MONGO_URL). */
export class UnconfiguredMongoStore implements Store {
  readonly #warned = new Set<string>();

  constructor(private readonly log?: Logger) {}

  async prepare(meta: EntityMeta): Promise<void> {
    if (this.#warned.has(meta.name)) return;
    this.#warned.add(meta.name);
    this.log?.warn(`"${meta.name}" uses the "mongo" store, but MONGO_URL is not set: its requests answer 503 until it is.`);
  }

  async get(meta: EntityMeta): Promise<StoredRecord | undefined> {
    throw notConfigured(meta.name);
  }

  async save(meta: EntityMeta): Promise<StoredRecord> {
    throw notConfigured(meta.name);
  }

  async delete(meta: EntityMeta): Promise<boolean> {
    throw notConfigured(meta.name);
  }

  async find(meta: EntityMeta): Promise<FindResult> {
    throw notConfigured(meta.name);
  }

  async restore(meta: EntityMeta): Promise<void> {
    throw notConfigured(meta.name);
  }
}
