/**
 * @module @starmodel/auth/errors
 * The errors the auth plugin raises, all with the kernel's registered codes (SM_AUTH_REQUIRED,
 * SM_AUTH_FORBIDDEN, SM_AUTH_INVALID_CREDENTIALS, SM_AUTH_WRONG_PASSWORD, SM_AUTH_RATE_LIMITED,
 * SM_AUTH_EMAIL_TAKEN; SM_SCOPE_NO_USER for a user-scoped entity with nobody signed in). A
 * rate-limited error also carries the seconds to wait.
 */
import { StarmodelError, type FieldErrors } from 'starmodel';

/** The codes an {@link AuthError} carries (registered in the kernel's error registry). */
export type AuthErrorCode = 'SM_AUTH_FORBIDDEN' | 'SM_AUTH_INVALID_CREDENTIALS' | 'SM_AUTH_RATE_LIMITED' | 'SM_AUTH_BUSY' | 'SM_AUTH_WRONG_PASSWORD';

/** A StarmodelError with one of the auth codes; a rate-limited one says how long to wait. */
export class AuthError extends StarmodelError {
  /** Seconds until a rate-limited caller may try again (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AuthErrorCode, params: Record<string, unknown> = {}, options: { fields?: FieldErrors; retryAfterSeconds?: number } = {}) {
    super(code, params, options.fields ? { fields: options.fields } : {});
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** 401: a user-scoped entity needs a signed-in user (whose it is). */
export function signInRequired(entity: string): StarmodelError {
  return new StarmodelError('SM_SCOPE_NO_USER', { entity });
}

/**
 * 401: an access rule needs a signed-in user, and nobody is signed in. Says what was refused and,
 * for a role rule, which role it takes ("Sign in to run Counter.reset: it needs an account with the
 * "admin" role.") — not that the entity belongs to someone, which a shared entity does not.
 */
export function signInToAct(action: string, role?: string): StarmodelError {
  return new StarmodelError('SM_AUTH_REQUIRED', { action: role ? `${action}: it needs an account with the "${role}" role` : action });
}

/** 401: the current password given to change it is wrong (a form without an email must not speak of one). */
export function wrongCurrentPassword(): AuthError {
  return new AuthError('SM_AUTH_WRONG_PASSWORD', {}, { fields: { currentPassword: 'The current password is wrong' } });
}

/** 409: an account with this email exists (worded for people: it names no internal entity). */
export function emailTaken(): StarmodelError {
  return new StarmodelError('SM_AUTH_EMAIL_TAKEN', {}, { fields: { email: 'An account with this email already exists. Sign in instead.' } });
}

/** 401: wrong email or password; one message for both, so nobody learns which emails have accounts. */
export function invalidCredentials(fields?: FieldErrors): AuthError {
  return new AuthError('SM_AUTH_INVALID_CREDENTIALS', {}, fields ? { fields } : {});
}

/** 429 with the seconds to wait. */
export function rateLimited(retryAfterMs: number): AuthError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AuthError('SM_AUTH_RATE_LIMITED', { seconds }, { retryAfterSeconds: seconds });
}

/** 503: more password hashes are waiting than the server will queue; try again shortly. */
export function hashingBusy(): AuthError {
  return new AuthError('SM_AUTH_BUSY', {}, { retryAfterSeconds: 2 });
}

/** 403 naming what was refused and why. */
export function forbidden(action: string, reason: string): AuthError {
  return new AuthError('SM_AUTH_FORBIDDEN', { action, reason });
}
