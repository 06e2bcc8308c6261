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
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (isPlainObject(old) && isPlainObject(value)) {
      const inner = diffMergePatch(old, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!Object.hasOwn(before, key) || !sameJson(old, value)) {
      patch[key] = value;
    }
  }
  return patch;
}

/** Applies an RFC 7386 merge patch, returning a new object (the target is not modified). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    // A "__proto__" key from JSON is data, never the prototype: define it as an own property.
    if (value === null) delete result[key];
    else Object.defineProperty(result, key, { value: applyMergePatch(result[key], value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** A deep copy through JSON semantics (Dates become ISO strings), used to snapshot state. */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  // Most entity states are flat: copying them key by key gives the same JSON result, far cheaper.
  if (isPlainObject(value)) {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (key === '__proto__') return JSON.parse(JSON.stringify(value)) as T;
      if (typeof item === 'string' || typeof item === 'boolean' || item === null || (typeof item === 'number' && Number.isFinite(item))) copy[key] = item;
      else if (item !== undefined) return JSON.parse(JSON.stringify(value)) as T;
    }
    return copy as T;
  }
  return JSON.parse(JSON.stringify(value)) as T;
}
