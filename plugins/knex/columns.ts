/**
 * @module @starmodel/knex/columns
 * From a field's zod schema to a SQL column: its kind, the knex builder calls that declare it
 * (applied to a live table builder, or rendered as code in a migration file, from one list so
 * the two never disagree), and the encoding of values on the way in and out.
 */
import { baseType, z, type Schema } from 'starmodel';
import type { Knex } from 'knex';
import type { SqlDialect } from './connection.js';

/** What a column holds. `string` is a bounded varchar, `text` unbounded. */
export type ColumnKind = 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'date' | 'enum' | 'json';

/** One field's column. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** varchar length, for `string`. */
  readonly maxLength?: number;
  /** Allowed values, for `enum` (a CHECK constraint). */
  readonly values?: readonly string[];
  /** NULL allowed: the schema accepts null or undefined. */
  readonly nullable: boolean;
  /** The schema accepts null itself (so a NULL reads back as null rather than as a missing key). */
  readonly acceptsNull: boolean;
  /** Column default (the entity's initial value), already in SQL-friendly form. */
  readonly defaultValue?: string | number | boolean;
  /** A UNIQUE constraint: `@field(z.string().meta({ unique: true }))`. */
  readonly unique: boolean;
}

/** A knex builder call: the first names the column on the table builder, the rest chain on it. */
export type BuilderCall = readonly [method: string, ...args: unknown[]];

/** Varchar is used up to this length; longer or unbounded strings are `text`. */
const VARCHAR_LIMIT = 255;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'pipe']);

interface DefView {
  type: string;
  innerType?: Schema;
  in?: Schema;
  format?: string;
  checks?: { _zod: { def: { check?: string; format?: string; maximum?: number; length?: number } } }[];
  entries?: Record<string, unknown>;
}

function defOf(schema: Schema): DefView {
  return (schema as unknown as { _zod: { def: DefView } })._zod.def;
}

/** The schema itself and every schema it wraps (optional, default, pipe ...), outermost first. */
function layers(schema: Schema): Schema[] {
  const list: Schema[] = [schema];
  for (let current = schema, depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    const next = WRAPPERS.has(def.type) ? (def.type === 'pipe' ? def.in : def.innerType) : undefined;
    if (!next) break;
    list.push(next);
    current = next;
  }
  return list;
}

function isInteger(def: DefView): boolean {
  const integral = (format: string | undefined) => format === 'safeint' || format === 'int32' || format === 'uint32' || format === 'int64' || format === 'uint64';
  return integral(def.format) || (def.checks ?? []).some((check) => check._zod.def.check === 'number_format' && integral(check._zod.def.format));
}

function maxLengthOf(def: DefView): number | undefined {
  let max: number | undefined;
  for (const check of def.checks ?? []) {
    const value = check._zod.def.check === 'max_length' ? check._zod.def.maximum : check._zod.def.check === 'length_equals' ? check._zod.def.length : undefined;
    if (typeof value === 'number') max = max === undefined ? value : Math.min(max, value);
  }
  return max;
}

function metaFlag(schema: Schema, key: string): boolean {
  return layers(schema).some((layer) => {
    const meta = z.globalRegistry.get(layer);
    return typeof meta === 'object' && meta !== null && (meta as Record<string, unknown>)[key] === true;
  });
}

/** The column kind a schema maps to. */
export function kindOf(schema: Schema): Pick<ColumnSpec, 'kind' | 'maxLength' | 'values'> {
  const inner = layers(schema).at(-1)!;
  const def = defOf(inner);
  switch (baseType(schema)) {
    case 'string': {
      const max = maxLengthOf(def);
      return max !== undefined && max <= VARCHAR_LIMIT ? { kind: 'string', maxLength: max } : { kind: 'text' };
    }
    case 'number':
      return { kind: isInteger(def) ? 'integer' : 'number' };
    case 'int':
    case 'bigint':
      return { kind: 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'date':
      return { kind: 'date' };
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return values.every((value): value is string => typeof value === 'string') ? { kind: 'enum', values } : { kind: 'json' };
    }
    default:
      return { kind: 'json' };
  }
}

/** The SQL-friendly default of a column from the entity's initial value (undefined: none). */
function defaultFor(kind: ColumnKind, value: unknown): string | number | boolean | undefined {
  if (value === undefined || value === null) return undefined;
  switch (kind) {
    case 'string': case 'text': case 'enum':
      return typeof value === 'string' ? value : undefined;
    case 'number': case 'integer':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'json':
      return JSON.stringify(value);
    default:
      // A date initializer is the instant the class was loaded: no use as a column default.
      return undefined;
  }
}

/** The column of one field. */
export function columnOf(name: string, schema: Schema, initial: unknown): ColumnSpec {
  const kind = kindOf(schema);
  const acceptsNull = schema.safeParse(null).success;
  const nullable = acceptsNull || schema.safeParse(undefined).success;
  const defaultValue = defaultFor(kind.kind, initial);
  return { name, ...kind, nullable, acceptsNull, unique: metaFlag(schema, 'unique'), ...(defaultValue !== undefined ? { defaultValue } : {}) };
}

/** The builder calls that declare a column (append `['alter']` to change an existing one). */
export function columnCalls(spec: ColumnSpec): BuilderCall[] {
  const calls: BuilderCall[] = [];
  switch (spec.kind) {
    case 'string': calls.push(['string', spec.name, spec.maxLength ?? VARCHAR_LIMIT]); break;
    case 'text': calls.push(['text', spec.name]); break;
    case 'number': calls.push(['double', spec.name]); break;
    case 'integer': calls.push(['bigInteger', spec.name]); break;
    case 'boolean': calls.push(['boolean', spec.name]); break;
    case 'date': calls.push(['timestamp', spec.name, { useTz: true }]); break;
    case 'enum': calls.push(['enu', spec.name, [...(spec.values ?? [])]]); break;
    case 'json': calls.push(['jsonb', spec.name]); break;
  }
  calls.push([spec.nullable ? 'nullable' : 'notNullable']);
  if (spec.defaultValue !== undefined) calls.push(['defaultTo', spec.defaultValue]);
  if (spec.unique) calls.push(['unique']);
  return calls;
}

type Chainable = Record<string, (...args: unknown[]) => unknown>;

/** Runs builder calls on a live knex table builder. */
export function applyCalls(table: Knex.TableBuilder | Knex.CreateTableBuilder, calls: readonly BuilderCall[]): void {
  let target = table as unknown as Chainable;
  for (const [method, ...args] of calls) {
    const fn = target[method];
    if (typeof fn !== 'function') throw new Error(`knex has no table builder method "${method}"`);
    target = fn.apply(target, args) as Chainable;
  }
}

/** The same calls as source code: `table.string("title", 200).notNullable()`. */
export function renderCalls(target: string, calls: readonly BuilderCall[]): string {
  return `${target}${calls.map(([method, ...args]) => `.${method}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`).join('')}`;
}

/** A value as it is written to its column. */
export function encodeValue(spec: ColumnSpec, value: unknown, dialect: SqlDialect): unknown {
  if (value === undefined || value === null) return null;
  switch (spec.kind) {
    case 'json':
      // pg would send a JS array as a Postgres array literal, so JSON always travels as text.
      return JSON.stringify(value);
    case 'date': {
      const date = value instanceof Date ? value : new Date(value as string | number);
      return Number.isNaN(date.getTime()) ? value : dialect === 'sqlite' ? date.toISOString() : date;
    }
    case 'boolean':
      return dialect === 'sqlite' && typeof value === 'boolean' ? (value ? 1 : 0) : value;
    default:
      return value;
  }
}

/** Marks a NULL that reads back as a missing key (an optional field that is not nullable). */
export const ABSENT: unique symbol = Symbol('absent');

/** A column value as read, back to the JSON the entity state holds. */
export function decodeValue(spec: ColumnSpec, raw: unknown, dialect: SqlDialect): unknown {
  if (raw === null || raw === undefined) return spec.acceptsNull ? null : ABSENT;
  switch (spec.kind) {
    case 'json':
      return dialect === 'sqlite' && typeof raw === 'string' ? JSON.parse(raw) : raw;
    case 'boolean':
      return raw === true || raw === 1 || raw === '1' || raw === 't' || raw === 'true';
    case 'integer': case 'number':
      // pg returns bigint (and numeric) as strings to avoid precision loss; fields are JS numbers.
      return typeof raw === 'string' ? Number(raw) : raw;
    case 'date': {
      const date = raw instanceof Date ? raw : new Date(typeof raw === 'number' ? raw : String(raw));
      return Number.isNaN(date.getTime()) ? String(raw) : date.toISOString();
    }
    default:
      return raw;
  }
}

/** The kind family an existing column's database type belongs to (for schema diffs). */
export function kindOfDatabaseType(type: string): 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'json' | undefined {
  const name = type.toLowerCase();
  if (/^(text|character varying|varchar|character|char|nvarchar|uuid|citext|clob)/.test(name)) return 'string';
  if (/^(double|real|float|numeric|decimal)/.test(name)) return 'number';
  if (/^(bigint|integer|int|smallint|int2|int4|int8|tinyint|mediumint)/.test(name)) return 'integer';
  if (/^(boolean|bool)/.test(name)) return 'boolean';
  if (/^(timestamp|datetime|date)/.test(name)) return 'date';
  if (/^jsonb?/.test(name)) return 'json';
  return undefined;
}

/** The family of a column kind, comparable with {@link kindOfDatabaseType}. */
export function familyOf(kind: ColumnKind): 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'json' {
  return kind === 'text' || kind === 'enum' ? 'string' : kind;
}
