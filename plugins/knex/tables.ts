/**
 * @module @starmodel/knex/tables
 * One table per entity type: its name, its columns (the entity's fields plus the columns the
 * store keeps for itself), and creating it.
 */
import type { Knex } from 'knex';
import { StarmodelError, type EntityMeta } from 'starmodel';
import { applyCalls, columnCalls, columnOf, type BuilderCall, type ColumnSpec } from './columns.js';

/** Columns the store keeps on every table; a field may not use these names. */
export const SYSTEM_COLUMNS = ['id', 'version', 'created_at', 'updated_at', 'expires_at'] as const;

/** An entity's table. */
export interface TableSpec {
  readonly name: string;
  readonly entity: string;
  /** The field columns, in field order. */
  readonly columns: readonly ColumnSpec[];
  readonly byName: ReadonlyMap<string, ColumnSpec>;
}

/** `ProductVariant` → `product_variant`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** The table of an entity: `static table = 'name'` on the class, else its name in snake case. */
export function tableNameOf(meta: EntityMeta): string {
  const explicit = (meta.cls as unknown as { table?: unknown }).table;
  return typeof explicit === 'string' && explicit.length > 0 ? explicit : snakeCase(meta.name);
}

const specs = new WeakMap<EntityMeta, TableSpec>();

/** The table spec of an entity (cached); refuses fields that clash with the store's own columns. */
export function tableSpecOf(meta: EntityMeta): TableSpec {
  let spec = specs.get(meta);
  if (spec) return spec;
  const columns: ColumnSpec[] = [];
  for (const [name, schema] of Object.entries(meta.fields)) {
    if ((SYSTEM_COLUMNS as readonly string[]).includes(name)) {
      throw new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: `field "${name}" has the name of a column the SQL store keeps for itself (${SYSTEM_COLUMNS.join(', ')}); rename the field.` });
    }
    columns.push(columnOf(name, schema, meta.defaults[name]));
  }
  spec = { name: tableNameOf(meta), entity: meta.name, columns, byName: new Map(columns.map((column) => [column.name, column])) };
  specs.set(meta, spec);
  return spec;
}

/** The store's own columns, as builder calls. */
export function systemColumnCalls(table: string): BuilderCall[][] {
  return [
    [['text', 'id'], ['primary']],
    [['integer', 'version'], ['notNullable']],
    [['bigInteger', 'created_at'], ['notNullable']],
    [['bigInteger', 'updated_at'], ['notNullable']],
    // Named, so a migration written on SQLite creates the same index on PostgreSQL.
    [['bigInteger', 'expires_at'], ['nullable'], ['index', `${table}_expires_at_index`]],
  ];
}

/** Every builder call list of a new table: system columns, then fields. */
export function createTableCalls(spec: TableSpec): BuilderCall[][] {
  return [...systemColumnCalls(spec.name), ...spec.columns.map(columnCalls)];
}

/** A `createTable` builder for a spec (run it, or call `.toSQL()` to see it). */
export function createTableBuilder(schema: Knex.SchemaBuilder, spec: TableSpec): Knex.SchemaBuilder {
  return schema.createTable(spec.name, (table) => {
    for (const calls of createTableCalls(spec)) applyCalls(table, calls);
  });
}
