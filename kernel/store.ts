/**
 * @module store
 * The contract every store adapter meets (memory, SQL, Redis, Mongo, ...). The kernel's store
 * conformance suite (`starmodel/testing`) checks it.
 */
import type { JsonObject } from './merge-patch.js';
import type { EntityMeta } from './registry.js';

/** One entity as a store keeps it. */
export interface StoredRecord {
  readonly id: string;
  /** Increases by one on every save; 1 after the first. */
  readonly version: number;
  /** Field values (JSON-compatible; Dates as ISO strings). */
  readonly state: JsonObject;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When set, the record is gone after this instant (milliseconds since the epoch). */
  readonly expiresAt?: number;
}

/** A write: the new state and the version the writer saw (0 when it expects no record yet). */
export interface SaveRequest {
  readonly id: string;
  readonly state: JsonObject;
  readonly expectedVersion: number;
  /** Seconds to live from now; undefined keeps the record until deleted. */
  readonly ttlSeconds?: number | undefined;
}

/** Sort order for `find`. */
export interface OrderBy { readonly field: string; readonly direction?: 'asc' | 'desc' }

/** A query over one entity type. */
export interface FindQuery {
  /** Equality filters on fields (or `id`). */
  readonly where?: Readonly<Record<string, unknown>>;
  readonly orderBy?: readonly OrderBy[];
  readonly limit?: number;
  readonly offset?: number;
}

/** A page of records plus how many match in all. */
export interface FindResult { readonly items: readonly StoredRecord[]; readonly total: number }

/**
 * A store adapter. Writes are conditional on the version: `save` with a stale `expectedVersion`
 * throws {@link VersionConflict} and changes nothing.
 */
export interface Store {
  /** Called once per entity class that names this store, before first use (create tables...). */
  prepare?(meta: EntityMeta): Promise<void>;
  get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined>;
  save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord>;
  /** Deletes; with `expectedVersion`, only if the version still matches (else VersionConflict). */
  delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean>;
  find(meta: EntityMeta, query: FindQuery): Promise<FindResult>;
  /**
   * Undoes a save or delete that a later commit tap refused: puts `previous` back exactly (or removes
   * the record when `previous` is undefined), provided the record is still at `writtenVersion`.
   */
  restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void>;
  /** Answers when the backend is reachable (a round trip, no data read); readiness checks use it. */
  ping?(): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** Thrown by a store when a write lost the race: someone else saved a newer version first. */
export class VersionConflict extends Error {
  constructor(readonly entity: string, readonly id: string, readonly expected: number, readonly actual: number) {
    super(`Version conflict on ${entity} ${id}: expected version ${expected}, found ${actual}.`);
    this.name = 'VersionConflict';
  }
}

/** True for a VersionConflict from any copy of the kernel. */
export function isVersionConflict(value: unknown): value is VersionConflict {
  return value instanceof VersionConflict || (value instanceof Error && value.name === 'VersionConflict');
}
