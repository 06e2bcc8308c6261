/**
 * @module @starmodel/admin/access
 * Who may use the admin. With an auth plugin loaded, a signed-in user with the admin role (401
 * signed out, 403 without the role). Without one, the admin is open in development (with a
 * banner on every page) and not mounted at all in production.
 */
import type { Context } from 'koa';
import type { Kernel } from 'starmodel';
import type { RequestState, WebService } from '@starmodel/koa';
import { adminForbidden, adminSignInRequired } from './errors.js';
import type { AdminOptions } from './options.js';

/** How the admin is guarded in this app. */
export type AccessPolicy =
  /** An auth plugin is loaded: these roles (any of them) open the admin. */
  | { readonly kind: 'role'; readonly roles: readonly string[] }
  /** No auth plugin, not production: open to anyone who reaches the server, with a warning. */
  | { readonly kind: 'open-development' }
  /** No auth plugin in production: the admin is not mounted. */
  | { readonly kind: 'refused' };

/** The auth plugin's admin role (it passes every role rule there), read from its service without importing it. */
function authAdminRole(kernel: Kernel): string | undefined {
  const auth = (kernel.service as (name: string) => unknown)('auth') as { options?: { adminRole?: unknown } } | undefined;
  const role = auth?.options?.adminRole;
  return typeof role === 'string' ? role : undefined;
}

/** Decides the policy once, when the plugin is set up. */
export function accessPolicy(kernel: Kernel, options: AdminOptions, environment = process.env.NODE_ENV): AccessPolicy {
  if (kernel.provides('auth')) return { kind: 'role', roles: [options.role] };
  return environment === 'production' ? { kind: 'refused' } : { kind: 'open-development' };
}

/** The roles that open the admin for a request (the auth service is set up by then, whatever the plugin order). */
export function rolesOf(kernel: Kernel, policy: AccessPolicy & { kind: 'role' }): readonly string[] {
  const extra = authAdminRole(kernel);
  return extra && !policy.roles.includes(extra) ? [...policy.roles, extra] : policy.roles;
}

/** True when a browser (not a JSON or Datastar client) made the request. */
export function isBrowserPage(ctx: Context): boolean {
  return ctx.get('datastar-request') !== 'true' && ctx.accepts('html', 'json') === 'html';
}

/**
 * Checks a request against the policy. Resolves with the request's state when it may go on, or
 * undefined when it was answered already (a signed-out browser is redirected to the sign-in page).
 * Throws 401 / 403 otherwise.
 */
export async function admit(ctx: Context, web: WebService, kernel: Kernel, policy: AccessPolicy, options: AdminOptions): Promise<RequestState | undefined> {
  const state = await web.requestState(ctx);
  if (policy.kind !== 'role') return state;
  const user = state.user;
  if (!user) {
    if (options.loginPath !== false && isBrowserPage(ctx)) {
      const next = ctx.method === 'GET' ? ctx.originalUrl : options.path;
      ctx.status = 303;
      ctx.redirect(`${options.loginPath}?next=${encodeURIComponent(next)}`);
      return undefined;
    }
    throw adminSignInRequired();
  }
  const roles = user.roles ?? [];
  if (!rolesOf(kernel, policy).some((role) => roles.includes(role))) throw adminForbidden(options.role);
  return state;
}
