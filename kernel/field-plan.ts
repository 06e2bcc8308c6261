/**
 * @module field-plan
 * What the per-event code needs to know about an entity's fields, worked out once per entity
 * instead of on every event: field names, which of them the browser sees, which hold Dates.
 */
import type { EntityMeta } from './registry.js';
import { baseType, type Schema } from './schema.js';

/** The fields of one entity, in declaration order. */
export interface FieldPlan {
  /** Every state field. */
  readonly names: readonly string[];
  /** The fields sent to the browser (not hidden). */
  readonly visible: readonly string[];
  /** True at the index (in `names`) of a field whose schema checks a Date. */
  readonly isDate: readonly boolean[];
}

interface CachedPlan extends FieldPlan {
  readonly fields: Readonly<Record<string, Schema>>;
  readonly hidden: ReadonlySet<string>;
}

const plans = new WeakMap<EntityMeta, CachedPlan>();

/**
 * The field plan of an entity. Cached per metadata object, and rebuilt should a copy of the
 * metadata (`{ ...meta, fields }`) carry other fields.
 */
export function fieldPlan(meta: EntityMeta): FieldPlan {
  const cached = plans.get(meta);
  if (cached && cached.fields === meta.fields && cached.hidden === meta.hidden) return cached;
  const names = Object.keys(meta.fields);
  const plan: CachedPlan = {
    fields: meta.fields,
    hidden: meta.hidden,
    names,
    visible: names.filter((name) => !meta.hidden.has(name)),
    isDate: names.map((name) => baseType(meta.fields[name]!) === 'date'),
  };
  plans.set(meta, plan);
  return plan;
}
