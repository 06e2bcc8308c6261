/**
 * @module @starmodel/mongo/documents
 * Entities as MongoDB documents, shaped by the entity schema:
 *
 * ```js
 * { _id: '<entity id>', title: 'Nice', stars: 4, tags: ['a'], postedAt: ISODate(...),   // the fields
 *   version: 3, createdAt: ISODate(...), updatedAt: ISODate(...), expiresAt: ISODate(...) } // the store's
 * ```
 *
 * A field whose schema is a date (also inside arrays, objects and records) is stored as a BSON
 * date, so MongoDB sorts, compares and expires it as a date; reading turns every date back into
 * the ISO string the kernel keeps in state. Everything else is stored as it is (JSON values).
 */
import { isPlainObject, StarmodelError, type EntityMeta, type JsonObject, type Schema, type StoredRecord } from 'starmodel';

/** Names the store keeps beside the fields; an entity field may not use them. */
export const BOOKKEEPING = ['_id', 'version', 'createdAt', 'updatedAt', 'expiresAt'] as const;
const BOOKKEEPING_SET: ReadonlySet<string> = new Set(BOOKKEEPING);

/** A stored entity. Fields sit beside the bookkeeping keys. */
export interface EntityDocument {
  _id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt?: Date | null;
  [field: string]: unknown;
}

interface ZodDefView {
  type: string;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  valueType?: Schema;
}

function defOf(schema: Schema): ZodDefView {
  return (schema as unknown as { _zod: { def: ZodDefView } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function unwrap(schema: Schema): ZodDefView {
  let def = defOf(schema);
  for (let depth = 0; depth < 20; depth++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else break;
  }
  return def;
}

/** A state value as it is stored: dates (per the schema) become BSON dates. */
export function toStoredValue(schema: Schema | undefined, value: unknown): unknown {
  if (schema === undefined || value === null || value === undefined) return value;
  const def = unwrap(schema);
  switch (def.type) {
    case 'date': {
      if (value instanceof Date) return value;
      if (typeof value !== 'string' && typeof value !== 'number') return value;
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? value : date;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item) => toStoredValue(def.element, item)) : value;
    case 'object':
      if (!isPlainObject(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toStoredValue(def.shape?.[key], item)]));
    case 'record':
      if (!isPlainObject(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toStoredValue(def.valueType, item)]));
    default:
      return value;
  }
}

/** A stored value as JSON-compatible state: dates become ISO strings, BSON wrappers plain values. */
export function toStateValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toStateValue(item));
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (typeof bsonType === 'string') {
    if (bsonType === 'ObjectId') return (value as { toHexString(): string }).toHexString();
    if (bsonType === 'Long' || bsonType === 'Int32' || bsonType === 'Double') return Number(String(value));
    return String(value);
  }
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) result[key] = toStateValue(item);
  return result;
}

/** The fields of a document for `state` (JSON values as the kernel keeps them). */
export function stateOfDocument(document: Readonly<Record<string, unknown>>): JsonObject {
  const state: JsonObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (!BOOKKEEPING_SET.has(key)) state[key] = toStateValue(value);
  }
  return state;
}

/** The stored form of a state, field by field, refusing a field named like a bookkeeping key. */
export function fieldsOfState(meta: EntityMeta, state: JsonObject): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (BOOKKEEPING_SET.has(key)) throw reservedField(meta, key);
    if (value !== undefined) fields[key] = toStoredValue(meta.fields[key], value);
  }
  return fields;
}

/** The error for an entity whose field collides with the store's own keys. */
export function reservedField(meta: EntityMeta, field: string): StarmodelError {
  return new StarmodelError('SM_ENTITY_INVALID', {
    entity: meta.name,
    reason: `its field "${field}" has a name the mongo store uses for its own bookkeeping (${BOOKKEEPING.join(', ')}). Rename the field.`,
  });
}

/** Throws when an entity declares a field the store cannot hold beside its bookkeeping keys. */
export function checkFieldNames(meta: EntityMeta): void {
  for (const field of Object.keys(meta.fields)) if (BOOKKEEPING_SET.has(field)) throw reservedField(meta, field);
}

function millis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return new Date(value).getTime();
  return 0;
}

/** A document as the kernel's StoredRecord. */
export function recordOfDocument(document: Readonly<Record<string, unknown>>): StoredRecord {
  const expiresAt = document.expiresAt;
  return {
    id: String(document._id),
    version: Number(document.version ?? 0),
    state: stateOfDocument(document),
    createdAt: millis(document.createdAt),
    updatedAt: millis(document.updatedAt),
    ...(expiresAt !== undefined && expiresAt !== null ? { expiresAt: millis(expiresAt) } : {}),
  };
}

/** A StoredRecord as a document, exactly (for `restore`). */
export function documentOfRecord(meta: EntityMeta, record: StoredRecord): EntityDocument {
  return {
    _id: record.id,
    ...fieldsOfState(meta, record.state),
    version: record.version,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    ...(record.expiresAt !== undefined ? { expiresAt: new Date(record.expiresAt) } : {}),
  };
}

/** True when a document has expired at `now` (a document past its TTL is absent). */
export function isExpired(document: Readonly<Record<string, unknown>>, now: Date): boolean {
  const expiresAt = document.expiresAt;
  return expiresAt !== undefined && expiresAt !== null && millis(expiresAt) <= now.getTime();
}

/** The filter clause that leaves out expired documents (ones the TTL monitor has not removed yet). */
export function liveClause(now: Date): Record<string, unknown>[] {
  return [{ expiresAt: null }, { expiresAt: { $gt: now } }];
}
