/**
 * @module @starmodel/knex/migrations/source
 * Where knex finds migrations: the app's `migrations/` folder, loaded with `import()`. knex's own
 * loader `require()`s files unless their package is `"type": "module"`, which breaks `.ts`
 * migrations in CommonJS app folders; StarModel runs under tsx, whose import hook loads
 * `.ts`, `.mts`, `.mjs` and `.js` alike.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const LOADABLE = /\.(ts|mts|js|mjs|cjs)$/;

/** The migration files of a folder (sorted by name; declaration files skipped). */
export function migrationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((file) => LOADABLE.test(file) && !file.endsWith('.d.ts')).sort();
}

/** A knex migration source reading one folder. */
export class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    return migrationFiles(this.dir);
  }

  getMigrationName(migration: string): string {
    return migration;
  }

  async getMigration(migration: string): Promise<Knex.Migration> {
    const module = (await import(pathToFileURL(join(this.dir, migration)).href)) as { up?: unknown; down?: unknown; default?: { up?: unknown; down?: unknown } };
    const source = typeof module.up === 'function' ? module : module.default ?? {};
    if (typeof source.up !== 'function') throw new Error(`migration ${migration} must export an async function up(knex).`);
    return source as Knex.Migration;
  }
}
