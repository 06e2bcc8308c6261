/**
 * @module @starmodel/mongo/indexes
 * Indexes an entity asks for with a static, created when the entity is first used:
 *
 * ```ts
 * class Product extends Entity {
 *   static store = 'mongo';
 *   static indexes: MongoIndexes = [['category'], ['price', -1], ['category', 'price', -1]];
 *   category = ''; price = 0;
 * }
 * ```
 *
 * Each entry is one index: field names in order, each optionally followed by 1 (ascending, the
 * default) or -1 (descending); several names make a compound index. Plus the store's own TTL
 * index on `expiresAt`. Indexes are never unique: the store does not depend on unique indexes.
 */
import { StarmodelError, type EntityMeta } from 'starmodel';

/** The `static indexes` of an entity: one list per index, `[field, (1 | -1)?, field, ...]`. */
export type MongoIndexes = readonly (readonly (string | 1 | -1)[])[];

/** One index to create. */
export interface IndexSpec {
  readonly name: string;
  readonly key: Record<string, 1 | -1>;
  readonly expireAfterSeconds?: number;
}

/** The store's TTL index: MongoDB removes a document once its `expiresAt` has passed. */
export const TTL_INDEX: IndexSpec = { name: 'sm_ttl_expiresAt', key: { expiresAt: 1 }, expireAfterSeconds: 0 };

function invalid(meta: EntityMeta, reason: string): StarmodelError {
  return new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: `static indexes ${reason} Write e.g. static indexes = [['category'], ['price', -1]].` });
}

/** The indexes an entity declares with `static indexes`, checked against its fields. */
export function declaredIndexes(meta: EntityMeta): IndexSpec[] {
  const declared = (meta.cls as unknown as { indexes?: unknown }).indexes;
  if (declared === undefined) return [];
  if (!Array.isArray(declared)) throw invalid(meta, 'must be a list of indexes, each a list of field names.');
  return declared.map((entry: unknown, position) => {
    if (!Array.isArray(entry) || entry.length === 0) throw invalid(meta, `entry ${position} must be a non-empty list of field names.`);
    const key: Record<string, 1 | -1> = {};
    let last: string | undefined;
    for (const part of entry as unknown[]) {
      if (part === 1 || part === -1) {
        if (last === undefined) throw invalid(meta, `entry ${position} has a direction (${part}) before any field name.`);
        key[last] = part;
        last = undefined;
        continue;
      }
      if (typeof part !== 'string' || !Object.hasOwn(meta.fields, part)) {
        throw invalid(meta, `entry ${position} names ${JSON.stringify(part)}, which is not a field of ${meta.name} (fields: ${Object.keys(meta.fields).join(', ')}).`);
      }
      if (Object.hasOwn(key, part)) throw invalid(meta, `entry ${position} names "${part}" twice.`);
      key[part] = 1;
      last = part;
    }
    return { name: `sm_${Object.entries(key).map(([field, direction]) => `${field}_${direction}`).join('_')}`, key };
  });
}
