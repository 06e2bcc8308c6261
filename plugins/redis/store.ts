/**
 * @module @starmodel/redis/store
 * The `redis` store: one key per entity, `<prefix>:<type>:<id>`, holding the record as JSON;
 * a sorted set per type, `<prefix>:<type>`, listing its ids (scored by expiry time, +inf for
 * none) for `find`. Version checks, writes and index updates happen in one Lua script each
 * (see scripts.ts), so concurrent writers in any number of processes never both win.
 *
 * `find` reads every live id of the type, fetches the records (MGET, 500 at a time) and filters,
 * orders and pages them in this process: right for the hundreds or few thousands of records a
 * type usually has here; use the SQL store for large, queried collections.
 */
import type { Redis } from 'ioredis';
import { cloneJson, isPlainObject, queryRecords, StarmodelError, VersionConflict } from 'starmodel';
import type { EntityMeta, FindQuery, FindResult, JsonObject, SaveRequest, Store, StoredRecord } from 'starmodel';
import { toStoreError, unavailable } from './errors.js';
import { scripts } from './scripts.js';

const MGET_CHUNK = 500;

/** Where the store gets its connection from. */
export interface RedisStoreOptions {
  /** Key prefix. */
  readonly prefix: string;
  /** The command connection; undefined when the plugin has no URL (every call then fails with `missing()`). */
  readonly client: () => Redis | undefined;
  /** The error for a store with no connection configured. */
  readonly missing: () => Error;
  /** Called once per entity class that names this store when no connection is configured. */
  readonly onUnconfigured?: (meta: EntityMeta) => void;
}

/** The record as stored: head fields first, so the Lua scripts can read them without decoding the state. */
export function serializeRecord(record: StoredRecord): string {
  return JSON.stringify({
    version: record.version, createdAt: Math.round(record.createdAt), updatedAt: Math.round(record.updatedAt),
    ...(record.expiresAt !== undefined ? { expiresAt: Math.round(record.expiresAt) } : {}),
    state: record.state,
  });
}

function parseRecord(key: string, id: string, text: string): StoredRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const doc = isPlainObject(parsed) ? parsed : {};
  const { version, createdAt, updatedAt, expiresAt, state } = doc;
  if (typeof version !== 'number' || typeof createdAt !== 'number' || typeof updatedAt !== 'number' || !isPlainObject(state) || (expiresAt !== undefined && typeof expiresAt !== 'number')) {
    throw new StarmodelError('SM_STORE_FAILED', { store: 'redis', reason: `${key} does not hold a StarModel record; delete the key or use another prefix.` });
  }
  return { id, version, state: state as JsonObject, createdAt, updatedAt, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

/** The Redis store adapter (see the module comment for the key layout). */
export class RedisStore implements Store {
  readonly #options: RedisStoreOptions;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
  }

  /** Key of one entity. */
  recordKey(type: string, id: string): string {
    return `${this.#options.prefix}:${type}:${id}`;
  }

  /** Key of a type's index (a sorted set of ids). */
  indexKey(type: string): string {
    return `${this.#options.prefix}:${type}`;
  }

  /** The connection, or the 503 to answer with: not configured, or Redis is down right now. */
  #client(): Redis {
    const client = this.#options.client();
    if (!client) throw this.#options.missing();
    if (client.status !== 'ready') throw unavailable();
    return client;
  }

  async prepare(meta: EntityMeta): Promise<void> {
    if (!this.#options.client()) this.#options.onUnconfigured?.(meta);
  }

  async get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    const key = this.recordKey(meta.name, id);
    try {
      const text = await this.#client().get(key);
      return text === null ? undefined : parseRecord(key, id, text);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    const ttlMs = request.ttlSeconds === undefined ? '' : Math.max(1, Math.round(request.ttlSeconds * 1000));
    try {
      const reply = await scripts.save.run(this.#client(), [this.recordKey(meta.name, request.id), this.indexKey(meta.name)], [request.id, request.expectedVersion, JSON.stringify(request.state), ttlMs]);
      const [won, version, updatedAt, createdAt, expiresAt] = reply as [number, number, string, string, string | undefined];
      if (won !== 1) throw new VersionConflict(meta.name, request.id, request.expectedVersion, Number(version));
      return {
        id: request.id, version: Number(version), state: cloneJson(request.state) as JsonObject,
        createdAt: Number(createdAt), updatedAt: Number(updatedAt),
        ...(expiresAt !== undefined ? { expiresAt: Number(expiresAt) } : {}),
      };
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    try {
      const reply = await scripts.delete.run(this.#client(), [this.recordKey(meta.name, id), this.indexKey(meta.name)], [id, expectedVersion ?? '']);
      const [outcome, actual] = reply as [number, number];
      if (outcome === -1) throw new VersionConflict(meta.name, id, expectedVersion ?? 0, Number(actual));
      return outcome === 1;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    try {
      await scripts.restore.run(this.#client(), [this.recordKey(meta.name, id), this.indexKey(meta.name)], [
        id, writtenVersion, previous ? serializeRecord(previous) : '', previous?.expiresAt !== undefined ? Math.round(previous.expiresAt) : '',
      ]);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    try {
      const wantedId = query.where?.id;
      if (wantedId !== undefined) {
        // One key to read; no need to walk the index.
        const record = typeof wantedId === 'string' ? await this.get(meta, wantedId) : undefined;
        return queryRecords(record ? [record] : [], query);
      }
      const client = this.#client();
      const index = this.indexKey(meta.name);
      const ids = (await scripts.ids.run(client, [index], [])) as string[];
      const records: StoredRecord[] = [];
      const missing: string[] = [];
      for (let start = 0; start < ids.length; start += MGET_CHUNK) {
        const chunk = ids.slice(start, start + MGET_CHUNK);
        const keys = chunk.map((id) => this.recordKey(meta.name, id));
        const texts = await client.mget(...keys);
        texts.forEach((text, position) => {
          if (text === null) missing.push(chunk[position]!);
          else records.push(parseRecord(keys[position]!, chunk[position]!, text));
        });
      }
      if (missing.length > 0) this.#forget(client, meta, missing.slice(0, MGET_CHUNK));
      return queryRecords(records, query);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Drops index entries of records that vanished behind the store's back (best effort, not awaited). */
  #forget(client: Redis, meta: EntityMeta, ids: string[]): void {
    const keys = ids.map((id) => this.recordKey(meta.name, id));
    scripts.forgetMissing.run(client, [this.indexKey(meta.name), ...keys], ids).catch(() => undefined);
  }
}
