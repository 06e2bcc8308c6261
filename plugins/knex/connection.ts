/**
 * @module @starmodel/knex/connection
 * Which database the plugin talks to (SQLite file by default, PostgreSQL with DATABASE_URL or
 * config), and opening a knex instance on it. Descriptions for logs and prompts never carry a
 * user name or password.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { StarmodelError, type Logger } from 'starmodel';
import type { KnexPluginOptions } from './options.js';

/** The SQL dialects the store speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

/** A database to connect to. */
export interface ResolvedDatabase {
  readonly dialect: SqlDialect;
  readonly config: Knex.Config;
  /** Human description without credentials: `SQLite file data/starmodel.sqlite`, `PostgreSQL 127.0.0.1:5432/app`. */
  readonly description: string;
  /** The SQLite file (absolute), when SQLite. */
  readonly filename?: string;
}

/** Where the embedded database lives when nothing else is configured, relative to the app folder. */
export const DEFAULT_SQLITE_FILE = 'data/starmodel.sqlite';

const configError = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/knex"].${key}`, reason });

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function describePostgres(connection: string | Readonly<Record<string, unknown>>): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname || '/'}`;
    } catch {
      return 'PostgreSQL (unparsable URL)';
    }
  }
  const field = (key: string) => (typeof connection[key] === 'string' || typeof connection[key] === 'number' ? String(connection[key]) : undefined);
  if (field('connectionString')) return describePostgres(field('connectionString')!);
  return `PostgreSQL ${field('host') ?? 'localhost'}:${field('port') ?? '5432'}/${field('database') ?? ''}`;
}

function sqliteFileFromUrl(url: string): string | undefined {
  const match = /^(?:sqlite3?|file):(?:\/\/)?(.+)$/i.exec(url);
  return match?.[1];
}

/**
 * Picks the database from the options and the environment: `connection` / `client: 'pg'`, then
 * DATABASE_URL, then a SQLite file under the app folder.
 */
export function resolveDatabase(options: KnexPluginOptions, appDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedDatabase {
  const acquireConnectionTimeout = options.acquireTimeoutMs ?? 10_000;
  const postgres = (connection: string | Readonly<Record<string, unknown>>): ResolvedDatabase => ({
    dialect: 'postgres',
    description: describePostgres(connection),
    config: { client: 'pg', connection: connection as Knex.StaticConnectionConfig | string, acquireConnectionTimeout, ...(options.pool ? { pool: { ...options.pool } } : {}) },
  });
  const sqlite = (file: string): ResolvedDatabase => {
    const filename = file === ':memory:' ? file : resolve(appDir, file);
    const shown = filename === ':memory:' ? 'in memory' : relative(appDir, filename).startsWith('..') || isAbsolute(relative(appDir, filename)) ? filename : relative(appDir, filename);
    return { dialect: 'sqlite', filename, description: `SQLite file ${shown}`, config: { client: 'sqlite3', connection: { filename }, useNullAsDefault: true, acquireConnectionTimeout } };
  };

  const { connection, client } = options;
  if (connection !== undefined) {
    if (typeof connection === 'string') {
      if (isPostgresUrl(connection)) return postgres(connection);
      const file = sqliteFileFromUrl(connection) ?? (client === 'sqlite3' ? connection : undefined);
      if (file) return sqlite(file);
      throw configError('connection', 'must be a postgres:// URL (or set client: "sqlite3" and give a file name).');
    }
    if (client === 'sqlite3') {
      const file = connection.filename;
      if (typeof file !== 'string') throw configError('connection.filename', 'must name the SQLite file.');
      return sqlite(file);
    }
    return postgres(connection);
  }
  const fromEnv = env.DATABASE_URL?.trim();
  if (client === 'pg') {
    if (!fromEnv) throw configError('client', '"pg" needs a database: set DATABASE_URL=postgres://... or give `connection`.');
    return postgres(fromEnv);
  }
  if (client !== 'sqlite3' && fromEnv) {
    if (isPostgresUrl(fromEnv)) return postgres(fromEnv);
    const file = sqliteFileFromUrl(fromEnv);
    if (file) return sqlite(file);
    throw new StarmodelError('SM_CONFIG_INVALID', { file: 'environment', key: 'DATABASE_URL', reason: 'must be a postgres:// URL (or sqlite:<file>).' });
  }
  return sqlite(options.filename ?? env.STARMODEL_SQLITE_FILE ?? DEFAULT_SQLITE_FILE);
}

interface SqliteConnection {
  run(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * Opens knex on a database. For SQLite the file's folder is created first, and each connection
 * waits for locks held by another process (busy_timeout) instead of failing at once.
 */
export function openKnex(database: ResolvedDatabase, log: Logger): Knex {
  const config: Knex.Config = {
    ...database.config,
    // knex warns on the console about failed connection attempts; the store maps those errors itself.
    log: { warn: (message: unknown) => log.debug(String(message)), error: (message: unknown) => log.debug(String(message)), deprecate: (message: unknown) => log.warn(String(message)), debug: () => undefined },
  };
  if (database.dialect === 'sqlite') {
    if (database.filename && database.filename !== ':memory:') mkdirSync(dirname(database.filename), { recursive: true });
    config.pool = {
      afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: SqliteConnection) => void) => {
        connection.run('PRAGMA busy_timeout = 5000', (error) => {
          if (error) return done(error, connection);
          connection.run('PRAGMA journal_mode = WAL', (walError) => done(walError, connection));
        });
      },
    };
  }
  return knexFactory(config);
}
