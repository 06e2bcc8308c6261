/**
 * @module state
 * Moves an entity between its live instance, its stored state and its browser signals.
 */
import { type Entity, setVersion } from './entity.js';
import { cloneJson, isJsonScalar, type JsonObject } from './merge-patch.js';
import { fieldPlan } from './field-plan.js';
import type { EntityMeta } from './registry.js';
import type { StoredRecord } from './store.js';

/** The field values of an entity, JSON-compatible (Dates become ISO strings). */
export function stateOf(meta: EntityMeta, entity: Entity): JsonObject {
  const record = entity as unknown as Record<string, unknown>;
  const state: JsonObject = {};
  // Built once; copied again only when a value is not a scalar (the object holds references then).
  let copied = true;
  for (const name of fieldPlan(meta).names) {
    const value = record[name];
    state[name] = value;
    if (copied && (!isJsonScalar(value) || name === '__proto__')) copied = false;
  }
  return copied ? state : cloneJson(state);
}

/** What the browser sees: id, visible fields and computed getters. */
export function signalsOf(meta: EntityMeta, entity: Entity): JsonObject {
  const record = entity as unknown as Record<string, unknown>;
  const signals: JsonObject = { id: entity.id };
  let copied = isJsonScalar(entity.id);
  for (const name of fieldPlan(meta).visible) {
    const value = record[name];
    signals[name] = value;
    if (copied && (!isJsonScalar(value) || name === '__proto__')) copied = false;
  }
  for (const name of meta.computed) {
    try {
      signals[name] = record[name];
    } catch {
      signals[name] = null;
    }
    if (copied && (!isJsonScalar(signals[name]) || name === '__proto__')) copied = false;
  }
  return copied ? signals : cloneJson(signals);
}

/** Writes field values onto an instance, reviving Dates for date fields. Unknown keys are ignored. */
export function assignState(meta: EntityMeta, entity: Entity, state: JsonObject): void {
  const record = entity as unknown as Record<string, unknown>;
  const { names, isDate } = fieldPlan(meta);
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    if (!Object.hasOwn(state, name)) continue;
    const value = state[name];
    // Dates stay Dates (cloneJson would turn them into text and validation would refuse them).
    if (isDate[index] && (typeof value === 'string' || typeof value === 'number')) record[name] = new Date(value);
    else if (value instanceof Date) record[name] = new Date(value.getTime());
    // A scalar is its own JSON copy.
    else if (isJsonScalar(value)) record[name] = value;
    else record[name] = cloneJson(value);
  }
}

/** A live instance for `id`, from its stored record or with default values. */
export function materialize(meta: EntityMeta, id: string, stored: StoredRecord | undefined): Entity {
  const entity = new meta.cls();
  entity.id = id;
  if (stored) {
    assignState(meta, entity, stored.state);
    setVersion(entity, stored.version);
  }
  return entity;
}
