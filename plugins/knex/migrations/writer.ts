/**
 * @module @starmodel/knex/migrations/writer
 * Turns schema changes into a knex migration file (TypeScript, knex schema builder calls, so a
 * migration written against SQLite in development applies to PostgreSQL in production), and
 * into schema builders that run the same changes directly.
 */
import type { Knex } from 'knex';
import { applyCalls, columnCalls, renderCalls, type BuilderCall, type ColumnKind, type ColumnSpec } from '../columns.js';
import { kindOfDatabaseType } from '../columns.js';
import { createTableCalls } from '../tables.js';
import { describeChange, type SchemaChange } from './diff.js';

/** A migration file to write: its name (sortable, starts with a timestamp) and its source. */
export interface MigrationFile {
  readonly name: string;
  readonly source: string;
}

/**
 * A required column added to a table that already has rows needs a value for them: the field's
 * initial value when it has one, else the column is added as nullable.
 */
function addable(column: ColumnSpec): ColumnSpec {
  return !column.nullable && column.defaultValue === undefined ? { ...column, nullable: true } : column;
}

/** The column as it was, for `down`, from its database type. */
function previousCalls(change: Extract<SchemaChange, { kind: 'alter-column' }>): BuilderCall[] {
  const family = kindOfDatabaseType(change.fromType);
  const kinds: Record<NonNullable<typeof family>, ColumnKind> = { string: 'text', number: 'number', integer: 'integer', boolean: 'boolean', date: 'date', json: 'json' };
  if (!family) return [['specificType', change.column.name, change.fromType], [change.fromNullable ? 'nullable' : 'notNullable'], ['alter']];
  const previous: ColumnSpec = { name: change.column.name, kind: kinds[family], nullable: change.fromNullable, acceptsNull: change.fromNullable, unique: false };
  return [...columnCalls(previous).filter(([method]) => method !== 'unique'), ['alter']];
}

/** One schema operation: a table and the builder call lists to run in `createTable`/`alterTable`. */
interface Operation {
  readonly verb: 'createTable' | 'alterTable' | 'dropTableIfExists';
  readonly table: string;
  readonly columns: readonly (readonly BuilderCall[])[];
}

/**
 * Puts consecutive column additions (or drops) on one table into one `alterTable`. A type change
 * stays on its own: SQLite rebuilds the whole table for it.
 */
function grouped(operations: Operation[]): Operation[] {
  const merged: Operation[] = [];
  const changesType = (operation: Operation) => operation.columns.some((calls) => calls.some(([method]) => method === 'alter'));
  for (const operation of operations) {
    const last = merged.at(-1);
    if (last && last.verb === 'alterTable' && operation.verb === 'alterTable' && last.table === operation.table && !changesType(last) && !changesType(operation)) {
      merged[merged.length - 1] = { ...last, columns: [...last.columns, ...operation.columns] };
    } else {
      merged.push(operation);
    }
  }
  return merged;
}

function upOperations(changes: readonly SchemaChange[]): Operation[] {
  return grouped(changes.map((change): Operation => {
    switch (change.kind) {
      case 'create-table': return { verb: 'createTable', table: change.table.name, columns: createTableCalls(change.table) };
      case 'add-column': return { verb: 'alterTable', table: change.table, columns: [columnCalls(addable(change.column))] };
      // Without `unique`: altering a column must not add a second unique index.
      case 'alter-column': return { verb: 'alterTable', table: change.table, columns: [[...columnCalls(change.column).filter(([method]) => method !== 'unique'), ['alter']]] };
    }
  }));
}

function downOperations(changes: readonly SchemaChange[]): Operation[] {
  return grouped([...changes].reverse().map((change): Operation => {
    switch (change.kind) {
      case 'create-table': return { verb: 'dropTableIfExists', table: change.table.name, columns: [] };
      case 'add-column': return { verb: 'alterTable', table: change.table, columns: [[['dropColumn', change.column.name]]] };
      case 'alter-column': return { verb: 'alterTable', table: change.table, columns: [previousCalls(change)] };
    }
  }));
}

function renderOperation(operation: Operation): string {
  if (operation.verb === 'dropTableIfExists') return `  await knex.schema.dropTableIfExists(${JSON.stringify(operation.table)});`;
  const body = operation.columns.map((calls) => `    ${renderCalls('table', calls)};`).join('\n');
  return `  await knex.schema.${operation.verb}(${JSON.stringify(operation.table)}, (table) => {\n${body}\n  });`;
}

/** Schema builders that run the changes (for applying without a file, and for `--dry-run`'s SQL). */
export function changeBuilders(knex: Knex, changes: readonly SchemaChange[]): Knex.SchemaBuilder[] {
  return upOperations(changes).map((operation) => {
    if (operation.verb === 'dropTableIfExists') return knex.schema.dropTableIfExists(operation.table);
    return knex.schema[operation.verb](operation.table, (table: Knex.CreateTableBuilder) => {
      for (const calls of operation.columns) applyCalls(table, calls);
    });
  });
}

function stamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}${pad(date.getUTCMilliseconds(), 3)}`;
}

function slugOf(changes: readonly SchemaChange[]): string {
  const parts = changes.map((change) => {
    switch (change.kind) {
      case 'create-table': return `create_${change.table.name}`;
      case 'add-column': return `add_${change.table}_${change.column.name}`;
      case 'alter-column': return `change_${change.table}_${change.column.name}`;
    }
  });
  const slug = parts.join('_').replace(/[^a-z0-9_]+/gi, '_').toLowerCase();
  return slug.length > 60 ? `${slug.slice(0, 60).replace(/_+$/, '')}_etc` : slug;
}

/** Renders the migration file for a list of changes. */
export function renderMigration(changes: readonly SchemaChange[], date = new Date()): MigrationFile {
  const summary = changes.map((change) => ` * - ${describeChange(change)}`).join('\n');
  const source = `/**
 * Written by \`starmodel migrate\` on ${date.toISOString()}:
${summary}
 * Edit it if you need to (e.g. to fill a new column from old ones) before it reaches production.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
${upOperations(changes).map(renderOperation).join('\n')}
}

export async function down(knex: Knex): Promise<void> {
${downOperations(changes).map(renderOperation).join('\n')}
}
`;
  return { name: `${stamp(date)}_${slugOf(changes)}.ts`, source };
}
