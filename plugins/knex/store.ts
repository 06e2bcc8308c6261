/**
 * @module @starmodel/knex/store
 * The SQL store: one table per entity type, one row per entity, a version column for optimistic
 * concurrency. Every write is a single conditional statement (insert-if-absent, update-if-version,
 * delete-if-version), so a lost race changes nothing and is reported as a VersionConflict.
 */
import { resolve } from 'node:path';
import type { Knex } from 'knex';
import { consoleLogger, StarmodelError, VersionConflict, type EntityMeta, type FindQuery, type FindResult, type JsonObject, type Logger, type SaveRequest, type Store, type StoredRecord } from 'starmodel';
import { ABSENT, decodeValue, encodeValue } from './columns.js';
import { openKnex, resolveDatabase, type ResolvedDatabase, type SqlDialect } from './connection.js';
import { driverMessage, isConnectionError, toStoreError } from './errors.js';
import { describeChange, diffTable } from './migrations/diff.js';
import type { KnexPluginOptions } from './options.js';
import { applyOrderAndPage, applyWhere } from './query.js';
import { createTableBuilder, tableSpecOf, type TableSpec } from './tables.js';

/** Options of a {@link KnexStore}: the plugin's options plus what the host provides. */
export interface KnexStoreOptions extends KnexPluginOptions {
  /** The app folder; a relative SQLite file and the migrations folder resolve against it. @default process.cwd() */
  appDir?: string;
  /** Where the store logs (table creation, schema drift). @default a console logger */
  logger?: Logger;
  /** Clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

/** Expired rows are deleted on read; a whole table is swept at most this often (ms). */
const SWEEP_INTERVAL_MS = 60_000;

type Row = Record<string, unknown>;

/** The SQL store (`static store = 'sql'`), over knex: SQLite by default, PostgreSQL with DATABASE_URL. */
export class KnexStore implements Store {
  readonly #options: KnexStoreOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sweptAt = new Map<string, number>();
  #appDir: string;
  #database: ResolvedDatabase;
  #knex: Knex | undefined;
  #closed = false;

  constructor(options: KnexStoreOptions = {}) {
    this.#options = options;
    this.#log = options.logger ?? consoleLogger(undefined, '@starmodel/knex');
    this.#now = options.now ?? Date.now;
    this.#appDir = resolve(options.appDir ?? process.cwd());
    this.#database = resolveDatabase(options, this.#appDir);
  }

  /** The database this store uses (described without credentials in `database.description`). */
  get database(): ResolvedDatabase {
    return this.#database;
  }

  /** `'sqlite'` or `'postgres'`. */
  get dialect(): SqlDialect {
    return this.#database.dialect;
  }

  /** Whether missing tables are created on `prepare` (development) or refused (production). */
  get autoCreateTables(): boolean {
    return this.#options.autoCreateTables ?? process.env.NODE_ENV !== 'production';
  }

  /** The folder migration files are written to and read from. */
  get migrationsDir(): string {
    return resolve(this.#appDir, this.#options.migrationsDir ?? 'migrations');
  }

  /** The knex instance, connected on first use. */
  get knex(): Knex {
    if (this.#closed) throw new StarmodelError('SM_STORE_UNAVAILABLE', { store: 'sql' });
    if (!this.#knex) {
      this.#knex = openKnex(this.#database, this.#log);
      this.#log.info(`using ${this.#database.description}`);
    }
    return this.#knex;
  }

  /**
   * Resolves relative paths (SQLite file, migrations) against another app folder. Only before the
   * first query: CLI commands run in-process with a `cwd` that is not the process's.
   */
  useAppDir(dir: string): void {
    if (this.#knex) return;
    this.#appDir = resolve(dir);
    this.#database = resolveDatabase(this.#options, this.#appDir);
  }

  /** The table of an entity. */
  tableOf(meta: EntityMeta): TableSpec {
    return tableSpecOf(meta);
  }

  /** Creates an entity's table (no-op when another process created it meanwhile). */
  async createTable(spec: TableSpec): Promise<void> {
    try {
      await createTableBuilder(this.knex.schema, spec);
    } catch (error) {
      // Two processes starting together both try; the loser finds the table there.
      if (await this.knex.schema.hasTable(spec.name).catch(() => false)) return;
      throw error;
    }
  }

  async prepare(meta: EntityMeta): Promise<void> {
    const spec = this.tableOf(meta);
    const where = this.#database.description;
    try {
      await this.#run(spec, async (knex) => {
        if (!(await knex.schema.hasTable(spec.name))) {
          if (!this.autoCreateTables) {
            throw new StarmodelError('SM_STORE_FAILED', { store: 'sql', reason: `table "${spec.name}" for entity ${meta.name} does not exist in ${where}, and tables are not created automatically in production. Run \`npx starmodel migrate\` to create it.` });
          }
          await this.createTable(spec);
          this.#log.info(`created table "${spec.name}" for ${meta.name} in ${where} (development mode; \`starmodel migrate\` writes the migration production needs)`);
          return;
        }
        const diff = await diffTable(knex, spec);
        if (diff.changes.length === 0) return;
        const list = diff.changes.map(describeChange).join('; ');
        if (!this.autoCreateTables) {
          throw new StarmodelError('SM_STORE_FAILED', { store: 'sql', reason: `table "${spec.name}" does not match entity ${meta.name} (${list}). Run \`npx starmodel migrate\` to update it.` });
        }
        this.#log.warn(`table "${spec.name}" does not match entity ${meta.name}: ${list}. Run \`npx starmodel migrate\` to write and apply the migration.`);
      });
    } catch (error) {
      if (isConnectionError(error)) this.#log.error(`cannot reach ${where}: ${driverMessage(error instanceof Error && error.cause ? error.cause : error)}`);
      throw error;
    }
  }

  async get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    const spec = this.tableOf(meta);
    return this.#run(spec, async (knex) => {
      const row = (await knex(spec.name).where('id', id).first()) as Row | undefined;
      if (!row) return undefined;
      const now = this.#now();
      if (this.#expired(row, now)) {
        await knex(spec.name).where('id', id).andWhere('expires_at', '<=', now).del();
        return undefined;
      }
      return this.#toRecord(spec, row);
    }, true);
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    const spec = this.tableOf(meta);
    const { id, expectedVersion } = request;
    const now = this.#now();
    const fields = this.#fieldRow(spec, request.state);
    const expiresAt = request.ttlSeconds !== undefined ? now + request.ttlSeconds * 1000 : null;
    const state = this.#normalise(spec, fields);
    return this.#run(spec, async (knex) => {
      if (expectedVersion === 0) {
        // Insert, or take over a row whose TTL ran out; a live row with this id is a lost race.
        for (let attempt = 0; attempt < 3; attempt++) {
          const inserted = (await knex(spec.name)
            .insert({ ...fields, id, version: 1, created_at: now, updated_at: now, expires_at: expiresAt })
            .onConflict('id').merge().where(`${spec.name}.expires_at`, '<=', now)
            .returning(['id'])) as Row[];
          if (inserted.length > 0) return this.#record(id, 1, state, now, now, expiresAt);
          const actual = await this.#liveVersion(knex, spec, id, now);
          if (actual !== 0) throw new VersionConflict(meta.name, id, 0, actual);
          // The row was deleted between the two statements: try the insert again.
        }
        throw new VersionConflict(meta.name, id, 0, await this.#liveVersion(knex, spec, id, now));
      }
      const updated = (await knex(spec.name)
        .where({ id, version: expectedVersion })
        .andWhere((live) => this.#live(live, now))
        .update({ ...fields, version: expectedVersion + 1, updated_at: now, expires_at: expiresAt })
        .returning(['created_at'])) as Row[];
      const row = updated[0];
      if (!row) throw new VersionConflict(meta.name, id, expectedVersion, await this.#liveVersion(knex, spec, id, now));
      return this.#record(id, expectedVersion + 1, state, Number(row.created_at), now, expiresAt);
    });
  }

  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    const spec = this.tableOf(meta);
    const now = this.#now();
    return this.#run(spec, async (knex) => {
      if (expectedVersion === undefined) {
        const removed = await knex(spec.name).where('id', id).andWhere((live) => this.#live(live, now)).del();
        // An expired row counts as absent, but is not left behind.
        if (removed === 0) await knex(spec.name).where('id', id).andWhere('expires_at', '<=', now).del();
        return removed > 0;
      }
      if (expectedVersion > 0) {
        const count = await knex(spec.name).where({ id, version: expectedVersion }).andWhere((live) => this.#live(live, now)).del();
        if (count > 0) return true;
      }
      const actual = await this.#liveVersion(knex, spec, id, now);
      if (actual !== expectedVersion) throw new VersionConflict(meta.name, id, expectedVersion, actual);
      return false;
    });
  }

  async find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    const spec = this.tableOf(meta);
    const now = this.#now();
    return this.#run(spec, async (knex) => {
      await this.#sweep(knex, spec, now);
      const matching = (builder: Knex.QueryBuilder) => {
        builder.where((live) => this.#live(live, now));
        applyWhere(builder, meta, spec, query.where, this.dialect);
        return builder;
      };
      // Count and page from one snapshot, so `total` agrees with `items`.
      return knex.transaction(async (trx) => {
        const counted = (await matching(trx(spec.name)).count({ n: '*' })) as Row[];
        const total = Number(counted[0]?.n ?? 0);
        if (query.limit !== undefined && query.limit <= 0) return { items: [], total };
        const page = matching(trx(spec.name).select('*'));
        applyOrderAndPage(page, meta, spec, query);
        const rows = (await page) as Row[];
        return { items: rows.map((row) => this.#toRecord(spec, row)), total };
      }, this.dialect === 'postgres' ? { isolationLevel: 'repeatable read', readOnly: true } : {});
    }, true);
  }

  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    const spec = this.tableOf(meta);
    await this.#run(spec, async (knex) => {
      if (writtenVersion === 0) {
        // Undoing a delete: put the row back, unless the id was taken again since.
        if (previous) await knex(spec.name).insert(this.#fullRow(spec, previous)).onConflict('id').ignore();
        return;
      }
      const mine = knex(spec.name).where({ id, version: writtenVersion });
      if (previous) {
        const { id: _id, ...row } = this.#fullRow(spec, previous);
        await mine.update(row);
      } else {
        await mine.del();
      }
    });
  }

  /** One round trip to the database (readiness checks); 503 SM_STORE_UNAVAILABLE when it does not answer. */
  async ping(): Promise<void> {
    try {
      await this.knex.raw('select 1');
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const knex = this.#knex;
    this.#knex = undefined;
    await knex?.destroy();
  }

  /**
   * Runs store work, mapping errors at the boundary. A read is tried once more when its pooled
   * connection turns out to be dead (the database restarted, or killed it): the pool replaces it.
   * Writes are not: one that reached the database before the connection dropped must not run twice.
   */
  async #run<T>(spec: TableSpec, fn: (knex: Knex) => Promise<T>, read = false): Promise<T> {
    try {
      return await fn(this.knex);
    } catch (error) {
      if (read && isConnectionError(error) && !this.#closed) {
        try {
          return await fn(this.knex);
        } catch (again) {
          throw toStoreError(again, { entity: spec.entity, table: spec.name, columns: spec.byName });
        }
      }
      throw toStoreError(error, { entity: spec.entity, table: spec.name, columns: spec.byName });
    }
  }

  #live(builder: Knex.QueryBuilder, now: number): void {
    builder.whereNull('expires_at').orWhere('expires_at', '>', now);
  }

  #expired(row: Row, now: number): boolean {
    return row.expires_at !== null && row.expires_at !== undefined && Number(row.expires_at) <= now;
  }

  async #liveVersion(knex: Knex, spec: TableSpec, id: string, now: number): Promise<number> {
    const row = (await knex(spec.name).select('version').where('id', id).andWhere((live) => this.#live(live, now)).first()) as Row | undefined;
    return row ? Number(row.version) : 0;
  }

  /** Deletes expired rows of a table, at most once a minute (reads already skip them). */
  async #sweep(knex: Knex, spec: TableSpec, now: number): Promise<void> {
    if (now - (this.#sweptAt.get(spec.name) ?? 0) < SWEEP_INTERVAL_MS) return;
    this.#sweptAt.set(spec.name, now);
    await knex(spec.name).where('expires_at', '<=', now).del();
  }

  #fieldRow(spec: TableSpec, state: JsonObject): Row {
    const row: Row = {};
    for (const column of spec.columns) row[column.name] = encodeValue(column, state[column.name], this.dialect);
    return row;
  }

  #fullRow(spec: TableSpec, record: StoredRecord): Row {
    return {
      ...this.#fieldRow(spec, record.state),
      id: record.id, version: record.version, created_at: record.createdAt, updated_at: record.updatedAt, expires_at: record.expiresAt ?? null,
    };
  }

  /** The state exactly as a later read returns it (only known fields, values normalised). */
  #normalise(spec: TableSpec, fields: Row): JsonObject {
    const state: JsonObject = {};
    for (const column of spec.columns) {
      const raw = fields[column.name];
      // JSON was just encoded to text on every dialect, so it is parsed back here whatever pg would do.
      const value = column.kind === 'json' && typeof raw === 'string' ? JSON.parse(raw) as unknown : decodeValue(column, raw, this.dialect);
      if (value !== ABSENT) state[column.name] = value as JsonObject[string];
    }
    return state;
  }

  #toRecord(spec: TableSpec, row: Row): StoredRecord {
    const state: JsonObject = {};
    for (const column of spec.columns) {
      const value = decodeValue(column, row[column.name], this.dialect);
      if (value !== ABSENT) state[column.name] = value as JsonObject[string];
    }
    const expiresAt = row.expires_at === null || row.expires_at === undefined ? null : Number(row.expires_at);
    return this.#record(String(row.id), Number(row.version), state, Number(row.created_at), Number(row.updated_at), expiresAt);
  }

  #record(id: string, version: number, state: JsonObject, createdAt: number, updatedAt: number, expiresAt: number | null): StoredRecord {
    return { id, version, state, createdAt, updatedAt, ...(expiresAt !== null ? { expiresAt } : {}) };
  }
}
