/**
 * @module merge-patch
 * RFC 7386 JSON Merge Patch: the shape in which changed fields travel to the browser.
 */

/** A JSON object. */
export type JsonObject = { [key: string]: unknown };

/** True for plain objects (not arrays, not null, not class instances such as Date). */
export function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The merge patch that turns `before` into `after`. Nested plain objects are diffed key by key;
 * arrays and other values are replaced whole; a removed key becomes `null`. Returns `{}` when equal.
 */
export function diffMergePatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  // Object.keys rather than Object.entries: no [key, value] pair per field on every commit.
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) patch[key] = null;
  }
  for (const key of Object.keys(after)) {
    const value = after[key];
    const old = before[key];
    // The same value (most fields of most events): nothing to compare.
    if (old === value && Object.hasOwn(before, key)) continue;
    if (isPlainObject(old) && isPlainObject(value)) {
      const inner = diffMergePatch(old, value);
      if (!isEmptyObject(inner)) patch[key] = inner;
    } else if (!Object.hasOwn(before, key) || !sameJson(old, value)) {
      patch[key] = value;
    }
  }
  return patch;
}

/** True when a plain object has no own enumerable keys (without allocating a key list). */
export function isEmptyObject(value: JsonObject): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Applies an RFC 7386 merge patch, returning a new object (the target is not modified). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    // A "__proto__" key from JSON is data, never the prototype: define it as an own property. Any
    // other key is a plain assignment, which makes the same own, writable, enumerable property.
    else if (key === '__proto__') Object.defineProperty(result, key, { value: applyMergePatch(result[key], value), enumerable: true, writable: true, configurable: true });
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * A deep copy through JSON semantics (Dates become ISO strings, -0 becomes 0), used to snapshot
 * state. Plain objects, arrays and scalars (most states and stored records) are copied directly;
 * anything else goes through JSON.
 */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  return jsonRoundTrip(value);
}

/** True for the values JSON keeps as they are: text, booleans, null and finite numbers other than -0. */
export function isJsonScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));
}

/** Marks a value `copyAsJson` cannot copy itself (JSON.stringify must decide). */
const UNCOPIED = Symbol('uncopied');
/** Deeper than this, leave it to JSON.stringify (which also reports cycles). */
const MAX_DEPTH = 100;

/**
 * Exactly `JSON.parse(JSON.stringify(value))`. Nested plain objects, arrays and primitives (the
 * shape of stored records and most states) are copied directly; anything else (Dates, class
 * instances, functions, bigints, `__proto__` keys, cycles) goes through JSON.
 */
function jsonRoundTrip<T>(value: T): T {
  const copy = copyAsJson(value, 0);
  return (copy === UNCOPIED ? JSON.parse(JSON.stringify(value)) : copy) as T;
}

/** What JSON.stringify then JSON.parse make of `value`, or UNCOPIED when that needs JSON itself. */
function copyAsJson(value: unknown, depth: number): unknown {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  // JSON writes -0 as 0 and non-finite numbers as null.
  if (typeof value === 'number') return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
  if (depth > MAX_DEPTH || typeof value !== 'object') return UNCOPIED;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return UNCOPIED;
    const list: unknown[] = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      // In an array, JSON writes a missing item as null.
      const copied = item === undefined ? null : copyAsJson(item, depth + 1);
      if (copied === UNCOPIED) return UNCOPIED;
      list[index] = copied;
    }
    return list;
  }
  if (!isPlainObject(value)) return UNCOPIED;
  const object: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return UNCOPIED;
    const item = value[key];
    // In an object, JSON leaves an undefined value out.
    if (item === undefined) continue;
    const copied = copyAsJson(item, depth + 1);
    if (copied === UNCOPIED) return UNCOPIED;
    object[key] = copied;
  }
  return object;
}
