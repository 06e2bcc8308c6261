/**
 * @module @starmodel/redis/errors
 * ioredis errors mapped to the kernel's codes at the store's boundary: Redis that cannot be reached,
 * is still loading, or did not answer in time is 503 SM_STORE_UNAVAILABLE (try again shortly);
 * any other error reply is 500 SM_STORE_FAILED. The driver's error stays attached as `cause`.
 */
import { isStarmodelError, isVersionConflict, StarmodelError } from 'starmodel';

/** Error replies that mean "not now" rather than "never": the server is busy, loading, read-only or full. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|NOREPLICAS)\b/;

/** True for an error reply from the Redis server (as opposed to a connection or timeout error). */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** 503 SM_STORE_UNAVAILABLE for the redis store, optionally with a message that says what to do. */
export function unavailable(cause?: unknown, message?: string): StarmodelError {
  const error = new StarmodelError('SM_STORE_UNAVAILABLE', { store: 'redis' }, cause === undefined ? {} : { cause });
  // The registry's template has no room for the fix ("set REDIS_URL"); the code stays the stable part.
  if (message) error.message = message;
  return error;
}

/** What the inert store (no URL configured) answers. */
export function notConfigured(): StarmodelError {
  return new StarmodelError('SM_STORE_NOT_CONFIGURED', { store: 'redis', hint: 'Set REDIS_URL (for example redis://127.0.0.1:6379) or the "url" option of @starmodel/redis, and restart the app.' });
}

/** Any error from ioredis as the error the kernel and a client may see; StarmodelErrors and VersionConflicts pass through. */
export function toStoreError(error: unknown): Error {
  if (isStarmodelError(error) || isVersionConflict(error)) return error as Error;
  if (isReplyError(error) && !TRANSIENT_REPLY.test(error.message)) {
    return new StarmodelError('SM_STORE_FAILED', { store: 'redis', reason: error.message }, { cause: error });
  }
  return unavailable(error);
}
