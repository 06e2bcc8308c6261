/**
 * @module @starmodel/knex/commands/migrate
 * `starmodel migrate [--dry-run]`: applies pending migration files, compares the entities with
 * the database, writes a migration file for the difference under `migrations/` and applies it.
 * `--dry-run` prints what would happen, with the SQL, and changes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeChange, diffSchema } from '../migrations/diff.js';
import { applyPending, changesSql, pendingMigrations } from '../migrations/runner.js';
import { renderMigration } from '../migrations/writer.js';
import { connect, sqlApp, type SqlCommand } from './shared.js';

const migrate: SqlCommand = {
  summary: 'write a migration for entity changes and apply pending migrations (--dry-run prints the SQL)',
  usage: [
    'starmodel migrate            apply pending migrations, then write and apply one for what changed',
    'starmodel migrate --dry-run  print the pending migrations and the SQL of the changes; change nothing',
  ].join('\n'),
  async run(context) {
    const { argv, out } = context;
    const unknown = argv.filter((arg) => arg !== '--dry-run');
    if (unknown.length > 0) {
      context.err.write(`starmodel migrate: unknown option ${unknown.join(' ')}. Use --dry-run or nothing.\n`);
      return 2;
    }
    const dryRun = argv.includes('--dry-run');
    const { store, entities, tables } = await sqlApp(context);
    const { knex } = store;
    const dir = store.migrationsDir;
    const shownDir = relative(context.cwd, dir) || '.';
    out.write(`Database: ${store.database.description}\n`);
    await connect(store);
    if (entities.length === 0) {
      out.write('No entity uses the SQL store (static store = \'sql\'); nothing to migrate.\n');
      return 0;
    }

    out.write(`Checking migration history in ${shownDir}/ ...\n`);
    const pending = await pendingMigrations(knex, dir);
    if (dryRun) {
      for (const name of pending) out.write(`  pending (not applied): ${name}\n`);
    } else if (pending.length > 0) {
      out.write(`Applying ${pending.length} pending migration${pending.length === 1 ? '' : 's'} ...\n`);
      for (const name of await applyPending(knex, dir)) out.write(`  applied ${name}\n`);
    }

    out.write(`Comparing ${entities.length} ${entities.length === 1 ? 'entity' : 'entities'} (${entities.map((meta) => meta.name).join(', ')}) with the database ...\n`);
    const diff = await diffSchema(knex, tables);
    for (const note of diff.notes) out.write(`  note: ${note}\n`);
    if (diff.changes.length === 0) {
      out.write(pending.length > 0 && dryRun ? 'No further changes beyond the pending migrations (compared with the database before they run).\n' : 'The database matches the entities; no migration needed.\n');
      return 0;
    }
    for (const change of diff.changes) out.write(`  ${describeChange(change)}\n`);

    const file = renderMigration(diff.changes);
    if (dryRun) {
      if (pending.length > 0) out.write('(Compared with the database as it is now, before the pending migrations above.)\n');
      out.write(`SQL that ${shownDir}/${file.name} would run on ${store.database.description}:\n`);
      for (const line of await changesSql(knex, diff.changes)) out.write(`${line}\n`);
      out.write('Dry run: no file written, nothing applied.\n');
      return 0;
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file.name), file.source);
    out.write(`Wrote ${join(shownDir, file.name)}\n`);
    out.write('Applying it ...\n');
    for (const name of await applyPending(knex, dir)) out.write(`  applied ${name}\n`);
    out.write('Done: the database matches the entities.\n');
    return 0;
  },
};

export default migrate;
