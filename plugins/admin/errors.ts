/**
 * @module @starmodel/admin/errors
 * The errors the admin raises. "Signed in without the role" is `SM_AUTH_FORBIDDEN` (403), the code
 * the auth plugin uses for the same refusal; "sign in first" is the kernel's `SM_SCOPE_NO_USER` (401).
 */
import { isStarmodelError, StarmodelError, type Logger } from 'starmodel';

/** 403: signed in, but without the role the admin needs. */
export function adminForbidden(role: string): StarmodelError {
  return new StarmodelError('SM_AUTH_FORBIDDEN', { action: 'open the admin', reason: `it needs the "${role}" role. Ask an administrator to grant it, or sign in with another account.` });
}

/** 401: nobody is signed in. */
export function adminSignInRequired(): StarmodelError {
  return new StarmodelError('SM_SCOPE_NO_USER', { entity: 'The admin' });
}

/** 404 for an admin URL that names no entity (or one the admin has no page for). */
export function adminNotFound(path: string): StarmodelError {
  return new StarmodelError('SM_WEB_NOT_FOUND', { path });
}

/** Any thrown value as a StarmodelError; unexpected ones are logged and hidden from the browser. */
export function asAdminError(error: unknown, log: Logger, where: string): StarmodelError {
  if (isStarmodelError(error)) {
    if (error.status >= 500 && error.status !== 503) log.error(`${where}: ${error.message}`, { code: error.code });
    return error;
  }
  log.error(`${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new StarmodelError('SM_EVENT_FAILED', { entity: 'admin', event: where, reason: 'unexpected error' }, { cause: error });
}
