/**
 * @module @starmodel/knex/commands/db-reset
 * `starmodel db reset [--yes]`: drops the entity tables and the migration history, then
 * recreates the tables empty (by running the migration files when there are any, then creating
 * whatever they do not cover). Asks for confirmation unless `--yes`.
 */
import { applyPending } from '../migrations/runner.js';
import { migrationFiles } from '../migrations/source.js';
import { ask, connect, sqlApp, type SqlCommand } from './shared.js';

const HISTORY_TABLES = ['knex_migrations', 'knex_migrations_lock'];

const reset: SqlCommand = {
  summary: 'drop and recreate the SQL tables of every entity, empty (asks first; --yes skips)',
  usage: 'starmodel db reset [--yes]   every row of every SQL entity is deleted',
  async run(context) {
    const { argv, out } = context;
    const unknown = argv.filter((arg) => arg !== '--yes' && arg !== '-y');
    if (unknown.length > 0) {
      context.err.write(`starmodel db reset: unknown option ${unknown.join(' ')}. Use --yes or nothing.\n`);
      return 2;
    }
    const { store, tables } = await sqlApp(context);
    const { knex } = store;
    const where = store.database.description;
    if (tables.length === 0) {
      out.write('No entity uses the SQL store (static store = \'sql\'); nothing to reset.\n');
      return 0;
    }
    await connect(store);
    const names = tables.map((table) => table.name);
    out.write(`This deletes every row of ${names.join(', ')} in ${where}, and the migration history, then recreates the tables empty.\n`);
    if (!argv.includes('--yes') && !argv.includes('-y')) {
      const answer = (await ask(context, 'Type "yes" to continue: '))?.trim().toLowerCase();
      if (answer !== 'yes' && answer !== 'y') {
        out.write('Cancelled; nothing changed.\n');
        return 1;
      }
    }
    for (const name of [...names, ...HISTORY_TABLES]) {
      if (!(await knex.schema.hasTable(name))) continue;
      out.write(`Dropping ${name} ...\n`);
      await knex.schema.dropTable(name);
    }
    if (migrationFiles(store.migrationsDir).length > 0) {
      out.write('Running the migration files ...\n');
      for (const name of await applyPending(knex, store.migrationsDir)) out.write(`  applied ${name}\n`);
    }
    for (const table of tables) {
      if (await knex.schema.hasTable(table.name)) continue;
      out.write(`Creating ${table.name} for ${table.entity} ...\n`);
      await store.createTable(table);
    }
    out.write(`Done: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} empty.\n`);
    return 0;
  },
};

export default reset;
