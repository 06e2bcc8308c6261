/**
 * @module @starmodel/knex/query
 * `find` in SQL: equality filters on fields or id (JSON columns compared as JSON), ordering with
 * nulls placed as the memory store places them (creation order when none is asked for), paging.
 */
import type { Knex } from 'knex';
import { coerce, StarmodelError, type EntityMeta, type FindQuery } from 'starmodel';
import { encodeValue } from './columns.js';
import type { SqlDialect } from './connection.js';
import type { TableSpec } from './tables.js';

function unknownField(meta: EntityMeta, key: string): StarmodelError {
  return new StarmodelError('SM_QUERY_INVALID', { entity: meta.name, reason: `it has no field "${key}"; use one of: id, ${Object.keys(meta.fields).join(', ')}.` });
}

/** Adds the `where` equality filters of a query. */
export function applyWhere(builder: Knex.QueryBuilder, meta: EntityMeta, spec: TableSpec, where: FindQuery['where'], dialect: SqlDialect): void {
  for (const [key, raw] of Object.entries(where ?? {})) {
    if (key === 'id') {
      builder.where('id', String(raw));
      continue;
    }
    const column = spec.byName.get(key);
    const schema = meta.fields[key];
    if (!column || !schema) throw unknownField(meta, key);
    const value = coerce(schema, raw);
    if (value === null || value === undefined) {
      builder.whereNull(key);
    } else if (column.kind === 'json') {
      // Structural equality: jsonb compares by value on pg; SQLite's json() normalises spacing.
      const json = JSON.stringify(value);
      if (dialect === 'postgres') builder.whereRaw('?? = ?::jsonb', [key, json]);
      else builder.whereRaw('json(??) = json(?)', [key, json]);
    } else {
      builder.where(key, encodeValue(column, value, dialect) as Knex.Value);
    }
  }
}

/**
 * Adds ordering and paging. With no `orderBy`, rows come in the order they were created; `id`
 * always breaks ties, as in the memory store, so pages never overlap.
 */
export function applyOrderAndPage(builder: Knex.QueryBuilder, meta: EntityMeta, spec: TableSpec, query: FindQuery): void {
  const order = query.orderBy ?? [];
  for (const { field, direction } of order) {
    if (field !== 'id' && !spec.byName.has(field)) throw unknownField(meta, field);
    // The memory store sorts missing values first; match it on both databases. (knex's own
    // `nulls` option loses the direction on SQLite, whose NULLS FIRST/LAST is native since 3.30.)
    builder.orderByRaw(`?? ${direction === 'desc' ? 'desc nulls last' : 'asc nulls first'}`, [field]);
  }
  if (order.length === 0) builder.orderBy('created_at', 'asc');
  if (!order.some(({ field }) => field === 'id')) builder.orderBy('id', 'asc');
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  if (query.limit !== undefined) builder.limit(Math.max(0, Math.floor(query.limit)));
  if (offset > 0) builder.offset(offset);
}
