/**
 * @module @starmodel/knex/migrations/diff
 * Compares entity tables with the database: missing tables, missing columns, columns whose type
 * no longer matches the field. Columns the entities no longer use are reported, never dropped.
 */
import type { Knex } from 'knex';
import { familyOf, kindOfDatabaseType, type ColumnSpec } from '../columns.js';
import { SYSTEM_COLUMNS, type TableSpec } from '../tables.js';

/** One difference between an entity and its table. */
export type SchemaChange =
  | { readonly kind: 'create-table'; readonly table: TableSpec }
  | { readonly kind: 'add-column'; readonly table: string; readonly entity: string; readonly column: ColumnSpec }
  | { readonly kind: 'alter-column'; readonly table: string; readonly entity: string; readonly column: ColumnSpec; readonly fromType: string; readonly fromNullable: boolean };

/** The changes a migration would make, plus notes it will not act on. */
export interface SchemaDiff {
  readonly changes: readonly SchemaChange[];
  readonly notes: readonly string[];
}

interface ColumnInfo { type: string; nullable: boolean }

/** One line describing a change: `add column item.note (text)`. */
export function describeChange(change: SchemaChange): string {
  switch (change.kind) {
    case 'create-table': return `create table ${change.table.name} for ${change.table.entity} (${change.table.columns.map((column) => `${column.name} ${column.kind}`).join(', ') || 'no fields'})`;
    case 'add-column': return `add column ${change.table}.${change.column.name} (${change.column.kind}) for ${change.entity}`;
    case 'alter-column': return `change column ${change.table}.${change.column.name} from ${change.fromType} to ${change.column.kind} for ${change.entity}`;
  }
}

/** Differences between one entity table and the database. */
export async function diffTable(knex: Knex, spec: TableSpec): Promise<SchemaDiff> {
  if (!(await knex.schema.hasTable(spec.name))) return { changes: [{ kind: 'create-table', table: spec }], notes: [] };
  const info = (await knex(spec.name).columnInfo()) as unknown as Record<string, ColumnInfo>;
  const changes: SchemaChange[] = [];
  const notes: string[] = [];
  for (const column of spec.columns) {
    const existing = info[column.name];
    if (!existing) {
      changes.push({ kind: 'add-column', table: spec.name, entity: spec.entity, column });
      continue;
    }
    const family = kindOfDatabaseType(existing.type);
    if (family !== familyOf(column.kind)) {
      changes.push({ kind: 'alter-column', table: spec.name, entity: spec.entity, column, fromType: existing.type, fromNullable: existing.nullable });
    }
  }
  for (const name of Object.keys(info)) {
    if ((SYSTEM_COLUMNS as readonly string[]).includes(name)) continue;
    if (!spec.byName.has(name)) notes.push(`column ${spec.name}.${name} is no longer a field of ${spec.entity}; it is kept (drop it yourself if its data is not needed).`);
  }
  for (const name of SYSTEM_COLUMNS) {
    if (!info[name]) notes.push(`table ${spec.name} lacks the store's column "${name}"; it was not created by StarModel. Rename it, or let StarModel create a fresh table.`);
  }
  return { changes, notes };
}

/** Differences between every entity table and the database. */
export async function diffSchema(knex: Knex, specs: readonly TableSpec[]): Promise<SchemaDiff> {
  const changes: SchemaChange[] = [];
  const notes: string[] = [];
  for (const spec of specs) {
    const diff = await diffTable(knex, spec);
    changes.push(...diff.changes);
    notes.push(...diff.notes);
  }
  return { changes, notes };
}
