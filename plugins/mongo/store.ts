/**
 * @module @starmodel/mongo/store
 * The `mongo` store: one collection per entity type, one document per entity (`_id` = entity id).
 *
 * - Optimistic concurrency without unique indexes or transactions: a first save inserts (the
 *   primary key `_id` refuses a second insert of the same id: VersionConflict); later saves
 *   update with `{ _id, version: expected }` in the filter, so a writer holding a stale version
 *   matches nothing (VersionConflict). Both are single-document atomic operations.
 * - TTL: `expiresAt` carries a TTL index (MongoDB deletes the document within about a minute of
 *   expiry) and every read, find, update and delete also checks it, so an expired document is
 *   absent at once, even on a server without a TTL monitor.
 * - Nothing here depends on change streams, unique secondary indexes or transactions.
 */
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { StarmodelError, VersionConflict, type EntityMeta, type FindQuery, type FindResult, type Logger, type SaveRequest, type Store, type StoredRecord } from 'starmodel';
import { checkFieldNames, documentOfRecord, fieldsOfState, isExpired, liveClause, recordOfDocument, toStoredValue, type EntityDocument } from './documents.js';
import { isDuplicateKey, isUnavailable, redact, toStoreError } from './errors.js';
import { declaredIndexes, TTL_INDEX, type IndexSpec } from './indexes.js';

/** Options of a MongoStore. */
export interface MongoStoreOptions {
  /** Connection string. Never logged or put into an error message. */
  readonly url: string;
  /** Database name. @default 'starmodel' */
  readonly database?: string;
  /** Put in front of every collection name. @default '' */
  readonly collectionPrefix?: string;
  /** Milliseconds to find a server before failing with 503. @default the driver's (30000) */
  readonly serverSelectionTimeoutMS?: number | undefined;
  /** Largest connection pool. @default the driver's (100) */
  readonly maxPoolSize?: number | undefined;
  /** Create the TTL index and declared indexes on first use. @default true */
  readonly createIndexes?: boolean;
  readonly logger?: Logger;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

type FieldProblems = Record<string, string>;

/** The MongoDB store. */
export class MongoStore implements Store {
  /** The driver's client (for queries the store does not offer, such as aggregations). */
  readonly client: MongoClient;
  /** The database the store writes to. */
  readonly db: Db;
  readonly #prefix: string;
  readonly #createIndexes: boolean;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  /** Entities whose indexes could not be created yet because no server answered. */
  readonly #indexesPending = new Map<string, IndexSpec[]>();
  #closed = false;

  constructor(options: MongoStoreOptions) {
    try {
      this.client = new MongoClient(options.url, {
        appName: 'starmodel',
        ...(options.serverSelectionTimeoutMS !== undefined ? { serverSelectionTimeoutMS: options.serverSelectionTimeoutMS } : {}),
        ...(options.maxPoolSize !== undefined ? { maxPoolSize: options.maxPoolSize } : {}),
      });
    } catch (error) {
      const reason = redact(error instanceof Error ? error.message : String(error));
      throw new StarmodelError('SM_CONFIG_INVALID', { file: 'MONGO_URL or plugins["@starmodel/mongo"].url', key: 'url', reason: `the connection string is not valid: ${reason}. (Special characters in the user name or password must be percent-encoded.)` });
    }
    this.db = this.client.db(options.database ?? 'starmodel');
    this.#prefix = options.collectionPrefix ?? '';
    this.#createIndexes = options.createIndexes ?? true;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** The collection of an entity type: the class name, after the prefix. */
  collectionName(meta: EntityMeta): string {
    return `${this.#prefix}${meta.name}`;
  }

  /** The collection of an entity type. */
  collection(meta: EntityMeta): Collection<EntityDocument> {
    return this.db.collection<EntityDocument>(this.collectionName(meta));
  }

  /** Runs one driver call, mapping its errors to the kernel's codes. */
  async #run<T>(meta: EntityMeta, work: (collection: Collection<EntityDocument>, now: Date) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StarmodelError('SM_STORE_UNAVAILABLE', { store: 'mongo' });
    try {
      const pending = this.#indexesPending.get(meta.name);
      if (pending) await this.#ensureIndexes(meta, pending);
      return await work(this.collection(meta), new Date(this.#now()));
    } catch (error) {
      throw toStoreError(error, meta.name);
    }
  }

  async #ensureIndexes(meta: EntityMeta, indexes: IndexSpec[]): Promise<void> {
    await this.collection(meta).createIndexes(indexes.map(({ name, key, expireAfterSeconds }) => ({ name, key, ...(expireAfterSeconds !== undefined ? { expireAfterSeconds } : {}) })));
    this.#indexesPending.delete(meta.name);
  }

  /**
   * Checks the entity (field names, `static indexes`) and creates its indexes. When no server
   * answers, the app still starts: the indexes are created on the first operation that reaches one.
   */
  async prepare(meta: EntityMeta): Promise<void> {
    checkFieldNames(meta);
    const indexes = [TTL_INDEX, ...declaredIndexes(meta)];
    if (!this.#createIndexes) return;
    try {
      await this.#ensureIndexes(meta, indexes);
    } catch (error) {
      if (!isUnavailable(error)) throw toStoreError(error, meta.name);
      this.#indexesPending.set(meta.name, indexes);
      this.#log?.warn(`MongoDB is not reachable: "${meta.name}" answers 503 until it is (its indexes are created then).`);
    }
  }

  async get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    return this.#run(meta, async (collection, now) => {
      const document = await collection.findOne({ _id: id });
      return document && !isExpired(document, now) ? recordOfDocument(document) : undefined;
    });
  }

  /** The version a reader sees now (0 when absent or expired), for VersionConflict messages. */
  async #currentVersion(collection: Collection<EntityDocument>, id: string, now: Date): Promise<number> {
    const document = await collection.findOne({ _id: id }, { projection: { version: 1, expiresAt: 1 } });
    return document && !isExpired(document, now) ? Number(document.version) : 0;
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    return this.#run(meta, async (collection, now) => {
      const fields = fieldsOfState(meta, request.state);
      const expiresAt = request.ttlSeconds !== undefined ? new Date(now.getTime() + request.ttlSeconds * 1000) : undefined;
      if (request.expectedVersion === 0) return this.#insert(meta, collection, request.id, fields, now, expiresAt);
      const unset: Record<string, ''> = {};
      for (const name of Object.keys(meta.fields)) if (!Object.hasOwn(fields, name)) unset[name] = '';
      if (!expiresAt) unset.expiresAt = '';
      const updated = await collection.findOneAndUpdate(
        { _id: request.id, version: request.expectedVersion, $or: liveClause(now) },
        {
          $set: { ...fields, version: request.expectedVersion + 1, updatedAt: now, ...(expiresAt ? { expiresAt } : {}) },
          ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
        },
        { returnDocument: 'after' },
      );
      if (updated) return recordOfDocument(updated);
      throw new VersionConflict(meta.name, request.id, request.expectedVersion, await this.#currentVersion(collection, request.id, now));
    });
  }

  async #insert(meta: EntityMeta, collection: Collection<EntityDocument>, id: string, fields: Record<string, unknown>, now: Date, expiresAt: Date | undefined): Promise<StoredRecord> {
    const document: EntityDocument = { _id: id, ...fields, version: 1, createdAt: now, updatedAt: now, ...(expiresAt ? { expiresAt } : {}) };
    try {
      await collection.insertOne(document);
      return recordOfDocument(document);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // The id is taken: by a live document (a lost race), or by an expired one no TTL monitor has
    // removed yet, which a new record may replace.
    const { _id: _ignored, ...replacement } = document;
    const replaced = await collection.findOneAndReplace({ _id: id, expiresAt: { $lte: now } }, replacement, { returnDocument: 'after' });
    if (replaced) return recordOfDocument(replaced);
    throw new VersionConflict(meta.name, id, 0, await this.#currentVersion(collection, id, now));
  }

  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    return this.#run(meta, async (collection, now) => {
      if (expectedVersion === undefined) {
        const removed = await collection.findOneAndDelete({ _id: id });
        return removed !== null && !isExpired(removed, now);
      }
      const result = await collection.deleteOne({ _id: id, version: expectedVersion, $or: liveClause(now) });
      if (result.deletedCount === 1) return true;
      const actual = await this.#currentVersion(collection, id, now);
      if (actual === 0 && expectedVersion === 0) return false;
      throw new VersionConflict(meta.name, id, expectedVersion, actual);
    });
  }

  async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    const problems: FieldProblems = {};
    const known = (name: string) => name === 'id' || Object.hasOwn(meta.fields, name);
    for (const name of Object.keys(query.where ?? {})) if (!known(name)) problems[`where.${name}`] = `"${meta.name}" has no field "${name}"`;
    for (const { field } of query.orderBy ?? []) if (!known(field)) problems[`orderBy.${field}`] = `"${meta.name}" has no field "${field}"`;
    if (Object.keys(problems).length > 0) {
      const summary = Object.entries(problems).map(([key, message]) => `${key}: ${message}`).join('; ');
      throw new StarmodelError('SM_VALIDATION_FAILED', { summary }, { fields: problems });
    }
    return this.#run(meta, async (collection, now) => {
      const filter: Document = { $or: liveClause(now) };
      for (const [name, value] of Object.entries(query.where ?? {})) {
        // $eq keeps a value an equality test even when it is an object such as { $ne: null }.
        const stored = name === 'id' ? value : toStoredValue(meta.fields[name], value);
        filter[name === 'id' ? '_id' : name] = { $eq: stored ?? null };
      }
      const sort: [string, 1 | -1][] = (query.orderBy ?? []).map(({ field, direction }) => [field === 'id' ? '_id' : field, direction === 'desc' ? -1 : 1]);
      if (!sort.some(([key]) => key === '_id')) sort.push(['_id', 1]);
      const offset = Math.max(0, Math.floor(query.offset ?? 0));
      const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
      const total = collection.countDocuments(filter);
      // A limit of 0 means "no limit" to MongoDB; to the store contract it means no items.
      const documents = limit === 0 ? Promise.resolve([]) : collection.find(filter).sort(sort).skip(offset).limit(limit ?? 0).toArray();
      const [items, count] = await Promise.all([documents, total]);
      return { items: items.map((document) => recordOfDocument(document)), total: count };
    });
  }

  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    await this.#run(meta, async (collection) => {
      if (writtenVersion === 0) {
        // Undoing a delete: put the record back unless someone created it again meanwhile.
        if (!previous) return;
        try {
          await collection.insertOne(documentOfRecord(meta, previous));
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        return;
      }
      if (previous) {
        const { _id: _ignored, ...replacement } = documentOfRecord(meta, previous);
        await collection.replaceOne({ _id: id, version: writtenVersion }, replacement);
      } else {
        await collection.deleteOne({ _id: id, version: writtenVersion });
      }
    });
  }

  /**
   * Deletes the expired documents of an entity type now and says how many. MongoDB's TTL monitor
   * does this by itself about once a minute; this is for servers without one (the in-process
   * test server) and for tests.
   */
  async sweepExpired(meta: EntityMeta): Promise<number> {
    return this.#run(meta, async (collection, now) => (await collection.deleteMany({ expiresAt: { $lte: now } })).deletedCount);
  }

  /** Closes the client (idempotent). Later calls answer 503. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.close();
  }
}
