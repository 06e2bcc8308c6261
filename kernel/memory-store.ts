/**
 * @module memory-store
 * The default store: entities in process memory, with versions and per-entity TTL (expired on read,
 * and swept periodically). Single process only; use SQL or Redis to share state between processes.
 */
import type { JsonObject } from './merge-patch.js';
import { cloneJson } from './merge-patch.js';
import type { EntityMeta } from './registry.js';
import { VersionConflict, type FindQuery, type FindResult, type SaveRequest, type Store, type StoredRecord } from './store.js';

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** Milliseconds between sweeps of expired entities; 0 turns the sweep off. @default 60000 */
  sweepIntervalMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Compares two field values for `find` ordering (numbers numerically, others as text). */
export function compareValues(left: unknown, right: unknown): number {
  if (left === right) return 0;
  if (left === undefined || left === null) return -1;
  if (right === undefined || right === null) return 1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  return String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
}

/** Applies equality filters, ordering and paging to records in memory (shared by simple stores). */
export function queryRecords(records: Iterable<StoredRecord>, query: FindQuery): FindResult {
  const where = Object.entries(query.where ?? {});
  const matching = [...records].filter((record) => where.every(([key, value]) => (key === 'id' ? record.id : record.state[key]) === value));
  const order = query.orderBy ?? [];
  matching.sort((a, b) => {
    for (const { field, direction } of order) {
      const result = compareValues(field === 'id' ? a.id : a.state[field], field === 'id' ? b.id : b.state[field]);
      if (result !== 0) return direction === 'desc' ? -result : result;
    }
    return compareValues(a.id, b.id);
  });
  const offset = Math.max(0, query.offset ?? 0);
  const end = query.limit === undefined ? undefined : offset + Math.max(0, query.limit);
  return { items: matching.slice(offset, end), total: matching.length };
}

/** The in-memory store. */
export class MemoryStore implements Store {
  readonly #types = new Map<string, Map<string, StoredRecord>>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval > 0) {
      this.#timer = setInterval(() => this.sweep(), interval);
      this.#timer.unref();
    }
  }

  #table(meta: EntityMeta): Map<string, StoredRecord> {
    let table = this.#types.get(meta.name);
    if (!table) this.#types.set(meta.name, (table = new Map()));
    return table;
  }

  #live(table: Map<string, StoredRecord>, id: string): StoredRecord | undefined {
    const record = table.get(id);
    if (record?.expiresAt !== undefined && record.expiresAt <= this.#now()) {
      table.delete(id);
      return undefined;
    }
    return record;
  }

  async get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    const record = this.#live(this.#table(meta), id);
    return record && cloneJson(record);
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    const table = this.#table(meta);
    const current = this.#live(table, request.id);
    const actual = current?.version ?? 0;
    if (actual !== request.expectedVersion) throw new VersionConflict(meta.name, request.id, request.expectedVersion, actual);
    const now = this.#now();
    const record: StoredRecord = {
      id: request.id,
      version: actual + 1,
      state: cloneJson(request.state) as JsonObject,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      ...(request.ttlSeconds !== undefined ? { expiresAt: now + request.ttlSeconds * 1000 } : {}),
    };
    table.set(request.id, record);
    return cloneJson(record);
  }

  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    const table = this.#table(meta);
    const current = this.#live(table, id);
    if (!current) {
      if (expectedVersion !== undefined && expectedVersion !== 0) throw new VersionConflict(meta.name, id, expectedVersion, 0);
      return false;
    }
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw new VersionConflict(meta.name, id, expectedVersion, current.version);
    return table.delete(id);
  }

  async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    const table = this.#table(meta);
    const live = [...table.keys()].map((id) => this.#live(table, id)).filter((record): record is StoredRecord => record !== undefined);
    const result = queryRecords(live, query);
    return { items: result.items.map((record) => cloneJson(record)), total: result.total };
  }

  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    const table = this.#table(meta);
    const current = table.get(id);
    if ((current?.version ?? 0) !== writtenVersion) return;
    if (previous) table.set(id, cloneJson(previous));
    else table.delete(id);
  }

  /** Removes every expired entity now; returns how many were removed. */
  sweep(): number {
    let removed = 0;
    for (const table of this.#types.values()) {
      for (const id of [...table.keys()]) if (!this.#live(table, id)) removed++;
    }
    return removed;
  }

  /** Stops the periodic sweep (expiry on read still applies). */
  stopSweep(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.stopSweep();
  }
}
