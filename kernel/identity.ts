/**
 * @module identity
 * Which entity of a type a request addresses, by its scope.
 */
import type { DispatchContext } from './change.js';
import { StarmodelError } from './errors.js';
import type { EntityMeta } from './registry.js';

/** The id used by `global` entities. */
export const GLOBAL_ID = 'global';

/** The id of the entity addressed by a request; throws a clear error when it cannot be known. */
export function identify(meta: EntityMeta, recordId: string | undefined, context: Pick<DispatchContext, 'sessionId' | 'user'>): string {
  if (meta.cls.identify) {
    const id = meta.cls.identify({ ...(context.sessionId ? { sessionId: context.sessionId } : {}), ...(context.user ? { user: context.user } : {}), ...(recordId ? { recordId } : {}) });
    if (!id) throw new StarmodelError('SM_SCOPE_NO_IDENTITY', { entity: meta.name });
    return id;
  }
  switch (meta.scope) {
    case 'global':
      return GLOBAL_ID;
    case 'session':
      if (!context.sessionId) throw new StarmodelError('SM_SCOPE_NO_SESSION', { entity: meta.name });
      return context.sessionId;
    case 'user':
      if (!context.user) throw new StarmodelError('SM_SCOPE_NO_USER', { entity: meta.name });
      return context.user.id;
    case 'record':
      if (!recordId) throw new StarmodelError('SM_RECORD_ID_MISSING', { entity: meta.name, route: meta.route });
      return recordId;
  }
}
