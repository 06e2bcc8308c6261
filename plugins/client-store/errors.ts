/**
 * @module @starmodel/client-store/errors
 * The refusals of client-held state: 400 `SM_CLIENT_STATE_FORGED`, 409 `SM_CLIENT_STATE_STALE` and
 * 409 `SM_CLIENT_STATE_FORGOTTEN`,
 * with the reason under the field `sig` too, so a page can show it next to a reset button
 * (`$<Entity>.errors.sig`).
 */
import { StarmodelError } from 'starmodel';

/** The signal (and error field) that carries an entity's signature. */
export const SIGNATURE_FIELD = 'sig';

/** The state a browser sent was not signed by this server as it is: refused, nothing runs. */
export function forgedState(entity: string, reason: string): StarmodelError {
  const error = new StarmodelError('SM_CLIENT_STATE_FORGED', { entity, reason });
  return new StarmodelError('SM_CLIENT_STATE_FORGED', { entity, reason }, { fields: { [SIGNATURE_FIELD]: error.message } });
}

/** The state is genuine but older than one already signed (a replay, or a stale second tab). */
export function staleState(entity: string, version: number, latest: number): StarmodelError {
  const error = new StarmodelError('SM_CLIENT_STATE_STALE', { entity, version, latest });
  return new StarmodelError('SM_CLIENT_STATE_STALE', { entity, version, latest }, { fields: { [SIGNATURE_FIELD]: error.message } });
}

/**
 * The state is genuine, but replay protection had to forget its entity (for room) after it was
 * signed, so it cannot be told from an older copy sent again: refused, the browser resets it.
 */
export function forgottenState(entity: string): StarmodelError {
  const error = new StarmodelError('SM_CLIENT_STATE_FORGOTTEN', { entity });
  return new StarmodelError('SM_CLIENT_STATE_FORGOTTEN', { entity }, { fields: { [SIGNATURE_FIELD]: error.message } });
}

/** Server code asked a client store for something only the browser holds. */
export function unsupported(store: string, operation: string, reason: string): StarmodelError {
  return new StarmodelError('SM_STORE_FAILED', { store, reason: `${operation} is not supported: ${reason}` });
}
