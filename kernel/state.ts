/**
 * @module state
 * Moves an entity between its live instance, its stored state and its browser signals.
 */
import { type Entity, setVersion } from './entity.js';
import { cloneJson, type JsonObject } from './merge-patch.js';
import type { EntityMeta } from './registry.js';
import { baseType } from './schema.js';
import type { StoredRecord } from './store.js';

/** The field values of an entity, JSON-compatible (Dates become ISO strings). */
export function stateOf(meta: EntityMeta, entity: Entity): JsonObject {
  const record = entity as unknown as Record<string, unknown>;
  const state: JsonObject = {};
  for (const name of Object.keys(meta.fields)) state[name] = record[name];
  return cloneJson(state);
}

/** What the browser sees: id, visible fields and computed getters. */
export function signalsOf(meta: EntityMeta, entity: Entity): JsonObject {
  const record = entity as unknown as Record<string, unknown>;
  const signals: JsonObject = { id: entity.id };
  for (const name of Object.keys(meta.fields)) if (!meta.hidden.has(name)) signals[name] = record[name];
  for (const name of meta.computed) {
    try {
      signals[name] = record[name];
    } catch {
      signals[name] = null;
    }
  }
  return cloneJson(signals);
}

/** Writes field values onto an instance, reviving Dates for date fields. Unknown keys are ignored. */
export function assignState(meta: EntityMeta, entity: Entity, state: JsonObject): void {
  const record = entity as unknown as Record<string, unknown>;
  for (const [name, schema] of Object.entries(meta.fields)) {
    if (!Object.hasOwn(state, name)) continue;
    const value = state[name];
    // Dates stay Dates (cloneJson would turn them into text and validation would refuse them).
    record[name] = baseType(schema) === 'date' && (typeof value === 'string' || typeof value === 'number') ? new Date(value) : value instanceof Date ? new Date(value.getTime()) : cloneJson(value);
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
