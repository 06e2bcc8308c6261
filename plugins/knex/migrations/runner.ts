/**
 * @module @starmodel/knex/migrations/runner
 * Applying migration files with knex's migrator (history in `knex_migrations`), and the SQL a
 * set of schema changes would run, for `--dry-run`.
 */
import type { Knex } from 'knex';
import type { SchemaChange } from './diff.js';
import { FolderMigrationSource } from './source.js';
import { changeBuilders } from './writer.js';

/** knex's migrator settings for a folder. */
export function migratorConfig(dir: string): Knex.MigratorConfig {
  return { migrationSource: new FolderMigrationSource(dir), tableName: 'knex_migrations' };
}

const nameOf = (entry: unknown): string => (typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null && 'name' in entry ? String((entry as { name: unknown }).name) : String(entry));

/** Migration files in the folder that the database has not run yet. */
export async function pendingMigrations(knex: Knex, dir: string): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(migratorConfig(dir))) as [unknown[], unknown[]];
  return pending.map(nameOf);
}

/** Runs every pending migration (each in its own transaction where the database allows); returns their names. */
export async function applyPending(knex: Knex, dir: string): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migratorConfig(dir))) as [number, unknown[]];
  return applied.map(nameOf);
}

interface CompiledStatement { sql: string; bindings?: readonly unknown[]; statementsProducer?: (pragma: undefined, connection: unknown) => Promise<{ pre: string[]; sql: string[]; post: string[] }> }

/**
 * The SQL the changes would run, without running it. SQLite changes a column's type by
 * rebuilding the table; knex works those statements out from the table's current definition,
 * which is read (only read) here.
 */
export async function changesSql(knex: Knex, changes: readonly SchemaChange[]): Promise<string[]> {
  const lines: string[] = [];
  const statementOf = (sql: string) => `${sql.trim().replace(/;+$/, '')};`;
  const inline = (sql: string, bindings: readonly unknown[] | undefined) => (bindings && bindings.length > 0 ? knex.raw(sql, bindings as Knex.RawBinding[]).toQuery() : sql);
  for (const builder of changeBuilders(knex, changes)) {
    for (const statement of builder.toSQL() as unknown as CompiledStatement[]) {
      if (!statement.statementsProducer) {
        lines.push(statementOf(inline(statement.sql, statement.bindings)));
        continue;
      }
      const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<unknown> };
      const connection = await client.acquireConnection();
      try {
        const produced = await statement.statementsProducer(undefined, connection);
        for (const sql of [...produced.pre, ...produced.sql, ...produced.post]) lines.push(statementOf(sql));
      } finally {
        await client.releaseConnection(connection);
      }
    }
  }
  return lines;
}
