/**
 * @module @starmodel/knex
 * The StarModel SQL store over knex: entities with `static store = 'sql'` live in one table per
 * type, in a SQLite file under `./data/` by default, or in PostgreSQL with `DATABASE_URL`.
 *
 * ```ts
 * // starmodel.config.ts: nothing is needed for SQLite; options are optional
 * export default defineConfig({ plugins: { '@starmodel/knex': { filename: 'data/app.sqlite' } } });
 * ```
 *
 * CLI: `starmodel migrate [--dry-run]`, `starmodel db shell`, `starmodel db reset [--yes]`.
 */
import type { StarmodelPlugin } from 'starmodel';
import { parseKnexOptions } from './options.js';
import { KnexStore } from './store.js';

export { KnexStore, type KnexStoreOptions } from './store.js';
export type { KnexPluginOptions, SqlClient } from './options.js';
export type { ResolvedDatabase, SqlDialect } from './connection.js';
export type { ColumnKind, ColumnSpec } from './columns.js';
export { tableNameOf, type TableSpec } from './tables.js';
export { toStoreError } from './errors.js';

/** Creates the SQL plugin from its config options: provides the `sql` store, closed on shutdown. */
export default function knexPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseKnexOptions(options);
  return {
    setup(api) {
      const store = new KnexStore({ ...parsed, logger: api.log });
      api.provideStore('sql', store);
      api.hooks.close.tap(() => store.close());
    },
  };
}
