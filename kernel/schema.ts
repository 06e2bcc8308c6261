/**
 * @module schema
 * Runtime schemas: inferred from field initializers and argument defaults, refined by the user
 * with zod, and used to coerce text from URLs and forms into the declared types before validation.
 */
import { z } from 'zod';
import { StarmodelError, type FieldErrors } from './errors.js';
import { isPlainObject } from './merge-patch.js';

/** Any zod schema. */
export type Schema = z.ZodType;

/** The schema a field or argument gets from its initial value when the user gives none. */
export function inferSchema(value: unknown): Schema {
  if (typeof value === 'number') return z.number();
  if (typeof value === 'string') return z.string();
  if (typeof value === 'boolean') return z.boolean();
  if (typeof value === 'bigint') return z.bigint();
  if (value instanceof Date) return z.date();
  if (Array.isArray(value)) return z.array(z.unknown());
  if (isPlainObject(value)) return z.record(z.string(), z.unknown());
  return z.unknown();
}

interface ZodDefView { type: string; innerType?: Schema; in?: Schema; element?: Schema; shape?: Record<string, Schema> }

function defOf(schema: Schema): ZodDefView {
  return (schema as unknown as { _zod: { def: ZodDefView } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The type a schema finally checks, looking through optional/default/pipe wrappers. */
export function baseType(schema: Schema): string {
  let def = defOf(schema);
  for (let depth = 0; depth < 20; depth++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else break;
  }
  return def.type;
}

/**
 * True when `schema`, or a schema it wraps (optional, default, pipe ...), carries `key: true` in its
 * zod metadata (`.meta({ unique: true })`, `sensitive(schema)`).
 */
export function metaFlag(schema: Schema, key: string): boolean {
  let current: Schema | undefined = schema;
  for (let depth = 0; current && depth < 20; depth++) {
    const meta = z.globalRegistry.get(current) as Record<string, unknown> | undefined;
    if (meta && meta[key] === true) return true;
    const def: ZodDefView = defOf(current);
    current = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
  }
  return false;
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Turns text (from a query string or a form) into the type the schema expects, where that is
 * unambiguous: `"5"` for a number becomes 5, `"on"` for a boolean becomes true. Anything else is
 * returned as it is, so validation reports it.
 */
export function coerce(schema: Schema, value: unknown): unknown {
  let def = defOf(schema);
  for (let depth = 0; depth < 20; depth++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else break;
  }
  switch (def.type) {
    case 'number':
      return typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value.trim()) : value;
    case 'bigint':
      return typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) ? BigInt(value.trim()) : value;
    case 'boolean': {
      if (typeof value !== 'string') return value;
      const word = value.trim().toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
    }
    case 'date':
      if (typeof value === 'string' || typeof value === 'number') {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? value : date;
      }
      return value;
    case 'array':
      if (value === undefined || value === null) return value;
      return (Array.isArray(value) ? value : [value]).map((item) => (def.element ? coerce(def.element, item) : item));
    case 'object':
      if (!isPlainObject(value) || !def.shape) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, def.shape && def.shape[key] ? coerce(def.shape[key], item) : item]));
    default:
      return value;
  }
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  // A message the schema's author wrote (`.int('A whole number')`) is kept; zod's defaults are reworded.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    if (raw === undefined) return 'Required';
    const expected = issue.expected === 'int' ? 'a whole number' : issue.expected === 'number' ? 'a number' : issue.expected === 'boolean' ? 'true or false' : `a ${issue.expected}`;
    return `Expected ${expected}`;
  }
  return issue.message;
}

/**
 * Coerces and validates named values against named schemas. Returns the parsed values, or throws
 * one SM_VALIDATION_FAILED error naming every bad field.
 */
export function validateNamed(schemas: Record<string, Schema>, raw: Record<string, unknown>, options: { coerce?: boolean } = {}): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  const fields: FieldErrors = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const input = options.coerce === false ? raw[name] : coerce(schema, raw[name]);
    const result = schema.safeParse(input);
    if (result.success) {
      if (result.data !== undefined) parsed[name] = result.data;
    } else {
      const issue = result.error.issues[0];
      const path = issue && issue.path.length > 0 ? `${name}.${issue.path.join('.')}` : name;
      fields[path] = issue ? describeIssue(issue, raw[name]) : 'Invalid value';
    }
  }
  if (Object.keys(fields).length > 0) {
    const summary = Object.entries(fields).map(([key, message]) => `${key}: ${message}`).join('; ');
    throw new StarmodelError('SM_VALIDATION_FAILED', { summary }, { fields });
  }
  return parsed;
}

/** What a form or a column needs to know about a field's schema. */
export interface SchemaInfo {
  /** The checked type: 'string', 'number', 'boolean', 'date', 'enum', 'array', 'record', 'object', ... */
  readonly type: string;
  /** True when the value may be left out (optional or with a default). */
  readonly optional: boolean;
  readonly nullable: boolean;
  /** Numbers that must be whole. */
  readonly integer: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** The allowed values of an enum. */
  readonly options?: readonly string[];
}

/** Describes a schema for forms, columns and docs, looking through optional/default/nullable. */
export function schemaInfo(schema: Schema): SchemaInfo {
  let current = schema;
  let optional = false;
  let nullable = false;
  for (let depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'prefault') && def.innerType) optional = true;
    if (def.type === 'nullable') nullable = true;
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else break;
  }
  const view = current as unknown as { minValue?: number | null; maxValue?: number | null; isInt?: boolean; minLength?: number | null; maxLength?: number | null; _zod: { def: { entries?: Record<string, string> } } };
  const finite = (value: number | null | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const info: { -readonly [K in keyof SchemaInfo]: SchemaInfo[K] } = { type: defOf(current).type, optional, nullable, integer: view.isInt === true };
  const min = finite(view.minValue);
  const max = finite(view.maxValue);
  const minLength = finite(view.minLength);
  const maxLength = finite(view.maxLength);
  if (min !== undefined && Math.abs(min) < Number.MAX_SAFE_INTEGER) info.min = min;
  if (max !== undefined && Math.abs(max) < Number.MAX_SAFE_INTEGER) info.max = max;
  if (minLength !== undefined) info.minLength = minLength;
  if (maxLength !== undefined) info.maxLength = maxLength;
  if (view._zod.def.entries) info.options = Object.values(view._zod.def.entries);
  return info;
}

/**
 * A schema simple enough to check without zod: `z.number()`, `z.string()` or `z.boolean()` with no
 * checks, refinements or custom parsing, optionally inside `.optional()`.
 */
interface PlainSchema {
  readonly type: 'number' | 'string' | 'boolean';
  readonly optional: boolean;
}

const plainSchemas = new WeakMap<Schema, PlainSchema | null>();

/** The def keys of an unrefined number/string/boolean schema; anything more (coerce, checks ...) is not plain. */
const PLAIN_DEF_KEYS = new Set(['type', 'checks']);

function plainBase(schema: Schema): PlainSchema['type'] | undefined {
  const def = defOf(schema) as ZodDefView & { checks?: unknown[] };
  if (def.type !== 'number' && def.type !== 'string' && def.type !== 'boolean') return undefined;
  if (def.checks !== undefined && def.checks.length > 0) return undefined;
  for (const key of Object.keys(def)) if (!PLAIN_DEF_KEYS.has(key)) return undefined;
  return def.type;
}

function plainSchemaOf(schema: Schema): PlainSchema | null {
  let plain = plainSchemas.get(schema);
  if (plain === undefined) {
    const def = defOf(schema) as ZodDefView & Record<string, unknown>;
    const optionalKeys = Object.keys(def).every((key) => key === 'type' || key === 'innerType');
    const inner = def.type === 'optional' && optionalKeys && def.innerType ? plainBase(def.innerType) : undefined;
    const type = inner ?? plainBase(schema);
    plain = type ? { type, optional: inner !== undefined } : null;
    plainSchemas.set(schema, plain);
  }
  return plain;
}

/**
 * Checks one value the way `validateNamed` would (coercing text first when `coerceText`), without
 * zod, for plain schemas only. Returns true with the parsed value in `out.value` (a slot the caller
 * reuses, so nothing is allocated), or false when it cannot tell (not a plain schema, or a value
 * zod would refuse): the caller then runs `validateNamed` for the real answer and its messages.
 */
export function quickCheck(schema: Schema, raw: unknown, coerceText: boolean, out: { value: unknown }): boolean {
  const plain = plainSchemaOf(schema);
  if (!plain) return false;
  let value = raw;
  if (value === undefined) {
    out.value = undefined;
    return plain.optional;
  }
  switch (plain.type) {
    case 'number':
      if (coerceText && typeof value === 'string' && NUMERIC.test(value.trim())) value = Number(value.trim());
      // z.number() refuses NaN and the infinities.
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      break;
    case 'boolean':
      if (coerceText && typeof value === 'string') {
        const word = value.trim().toLowerCase();
        value = TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
      }
      if (typeof value !== 'boolean') return false;
      break;
    case 'string':
      if (typeof value !== 'string') return false;
      break;
  }
  out.value = value;
  return true;
}
