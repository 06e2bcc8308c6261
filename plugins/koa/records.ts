/**
 * @module @starmodel/koa/records
 * Read routes every record entity gets: `GET /<entity>` (a page of records as JSON, with
 * `limit`, `offset`, `orderBy` and equality filters) and `GET /<entity>/<id>`.
 */
import type { Context } from 'koa';
import { coerce, signalsOf, StarmodelError, versionOf, type EntityMeta, type FindQuery, type Kernel, type OrderBy } from 'starmodel';

const PAGING = new Set(['limit', 'offset', 'orderBy', 'datastar']);

function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new StarmodelError('SM_VALIDATION_FAILED', { summary: `${name}: a whole number from ${min} to ${max}` }, { fields: { [name]: `Expected a whole number from ${min} to ${max}` } });
  }
  return number;
}

/** Reads `?limit=&offset=&orderBy=-price,name&category=books` into a FindQuery, refusing unknown fields. */
export function findQueryOf(meta: EntityMeta, query: Readonly<Record<string, unknown>>): FindQuery {
  const known = (field: string) => field === 'id' || Object.hasOwn(meta.fields, field);
  const orderBy: OrderBy[] = [];
  const order = query.orderBy;
  for (const part of (typeof order === 'string' ? order : '').split(',').map((item) => item.trim()).filter(Boolean)) {
    const [field, direction] = part.startsWith('-') ? [part.slice(1), 'desc' as const] : [part.replace(/:(asc|desc)$/, ''), part.endsWith(':desc') ? 'desc' as const : 'asc' as const];
    if (!known(field)) throw new StarmodelError('SM_VALIDATION_FAILED', { summary: `orderBy: no field "${field}"` }, { fields: { orderBy: `No field "${field}"; use one of: id, ${Object.keys(meta.fields).join(', ')}` } });
    orderBy.push({ field, direction });
  }
  const where: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (PAGING.has(key)) continue;
    if (!known(key)) throw new StarmodelError('SM_VALIDATION_FAILED', { summary: `${key}: not a field` }, { fields: { [key]: `Not a field of ${meta.name}; filter on one of: id, ${Object.keys(meta.fields).join(', ')}` } });
    where[key] = key === 'id' ? String(value) : coerce(meta.fields[key]!, value);
  }
  return { where, orderBy, limit: integer(query.limit, 'limit', 1, 500, 50), offset: integer(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0) };
}

/** `GET /<entity>`: `{ items, total }`. */
export function listHandler(kernel: Kernel, meta: EntityMeta) {
  return async (ctx: Context): Promise<void> => {
    const result = await kernel.find(meta.cls, findQueryOf(meta, ctx.query));
    ctx.body = { items: result.items.map((entity) => signalsOf(meta, entity)), total: result.total };
  };
}

/** `GET /<entity>/<id>`: `{ entity: { type, id, version, signals } }`. */
export function recordHandler(kernel: Kernel, meta: EntityMeta) {
  return async (ctx: Context & { params?: Record<string, string> }): Promise<void> => {
    const entity = await kernel.load(meta.cls, {}, ctx.params?.id);
    ctx.body = { entity: { type: meta.name, id: entity.id, version: versionOf(entity), signals: signalsOf(meta, entity) } };
  };
}
