/**
 * Shared set-up for the SQL store specs: temp folders, a PostgreSQL schema of its own per run
 * (so parallel runs against the same `test` database never see each other's tables), and stores.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { serviceUrl } from '../../../kernel/testing/index.js';
import { KnexStore, type KnexStoreOptions } from '../../../plugins/knex/index.js';
import { recordingLogger } from '../../fixtures/logger.js';

const folders: string[] = [];

/** A fresh folder under the OS temp dir, removed by `removeTempFolders()`. */
export function tempFolder(prefix = 'starmodel-sql-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Removes every folder `tempFolder()` made. */
export function removeTempFolders(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A SQLite store on a new file in a temp folder, logging into a list (SQLite even when DATABASE_URL is set). */
export function sqliteStore(options: KnexStoreOptions = {}) {
  const log = recordingLogger();
  const filename = join(tempFolder(), 'store.sqlite');
  return { store: new KnexStore({ client: 'sqlite3', filename, logger: log.logger, ...options }), log, filename };
}

/** The PostgreSQL URL for specs, or undefined (pending, printed) when none answers; CI fails instead. */
export function postgresUrl(context: { skip(): void }): Promise<string | undefined> {
  return serviceUrl(context, { env: 'DATABASE_URL', fallback: 'postgres://postgres@127.0.0.1:5432/test', what: 'PostgreSQL' });
}

/** A schema of its own in the spec database: `url` puts it first on the search path. */
export interface IsolatedSchema {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a uniquely named schema; tables made through `url` land in it. */
export async function isolatedSchema(baseUrl: string): Promise<IsolatedSchema> {
  const name = `sm_spec_${randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('create schema ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name, url: url.toString(),
    drop: async () => {
      const cleaner = knexFactory({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
      try {
        await cleaner.raw('drop schema if exists ?? cascade', [name]);
      } finally {
        await cleaner.destroy();
      }
    },
  };
}
