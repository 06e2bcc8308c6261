/**
 * @module @starmodel/knex/options
 * The SQL plugin's options, narrowed from the config's untyped values.
 */
import { isPlainObject, StarmodelError } from 'starmodel';

/** The SQL drivers the plugin speaks. */
export type SqlClient = 'sqlite3' | 'pg';

/**
 * Options of `@starmodel/knex` (in starmodel.config.ts: `plugins: { '@starmodel/knex': { ... } }`).
 * Which database is used, first match wins: `connection` (or `client: 'pg'`), then the
 * `DATABASE_URL` environment variable, then a SQLite file (`filename`, `STARMODEL_SQLITE_FILE`,
 * or `./data/starmodel.sqlite` in the app folder).
 */
export interface KnexPluginOptions {
  /** Driver: `'sqlite3'` or `'pg'`. @default from `connection` / DATABASE_URL, else 'sqlite3' */
  client?: SqlClient;
  /** A `postgres://` URL or a knex connection object (host, port, user, password, database ...). */
  connection?: string | Readonly<Record<string, unknown>>;
  /** The SQLite file, relative to the app folder. @default STARMODEL_SQLITE_FILE or './data/starmodel.sqlite' */
  filename?: string;
  /** Connection pool bounds (PostgreSQL; SQLite always uses one connection). @default knex's */
  pool?: { min?: number; max?: number };
  /**
   * Create missing tables when the app starts, with a log line. In production a missing table is
   * an error that says to run `starmodel migrate`. @default NODE_ENV !== 'production'
   */
  autoCreateTables?: boolean;
  /** Folder of migration files, relative to the app folder. @default 'migrations' */
  migrationsDir?: string;
  /** Milliseconds to wait for a pooled connection before answering 503. @default 10000 */
  acquireTimeoutMs?: number;
}

/** Checks the config's options, naming the key that is wrong. */
export function parseKnexOptions(raw: Readonly<Record<string, unknown>>): KnexPluginOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/knex"].${key}`, reason });
  const options: KnexPluginOptions = {};
  const { client, connection, filename, pool, autoCreateTables, migrationsDir, acquireTimeoutMs } = raw;
  if (client !== undefined) {
    if (client === 'postgres' || client === 'postgresql' || client === 'pg') options.client = 'pg';
    else if (client === 'sqlite3' || client === 'sqlite') options.client = 'sqlite3';
    else throw fail('client', 'must be "sqlite3" or "pg".');
  }
  if (connection !== undefined) {
    if (typeof connection !== 'string' && !isPlainObject(connection)) throw fail('connection', 'must be a postgres:// URL or a connection object.');
    options.connection = connection;
  }
  if (filename !== undefined) {
    if (typeof filename !== 'string' || filename.length === 0) throw fail('filename', 'must be a file path.');
    options.filename = filename;
  }
  if (pool !== undefined) {
    if (!isPlainObject(pool)) throw fail('pool', 'must be { min?, max? }.');
    const bound = (key: 'min' | 'max') => {
      const value = pool[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw fail(`pool.${key}`, 'must be a whole number of connections.');
      return value;
    };
    const min = bound('min');
    const max = bound('max');
    options.pool = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  if (autoCreateTables !== undefined) {
    if (typeof autoCreateTables !== 'boolean') throw fail('autoCreateTables', 'must be true or false.');
    options.autoCreateTables = autoCreateTables;
  }
  if (migrationsDir !== undefined) {
    if (typeof migrationsDir !== 'string' || migrationsDir.length === 0) throw fail('migrationsDir', 'must be a folder path.');
    options.migrationsDir = migrationsDir;
  }
  if (acquireTimeoutMs !== undefined) {
    if (typeof acquireTimeoutMs !== 'number' || !(acquireTimeoutMs > 0)) throw fail('acquireTimeoutMs', 'must be a positive number of milliseconds.');
    options.acquireTimeoutMs = acquireTimeoutMs;
  }
  return options;
}
