/**
 * @module @starmodel/admin/http
 * What every admin route shares: the access check, the page frame, errors answered as an admin
 * page (browsers) or in the web plugin's JSON / Datastar form (other clients), and the look-up
 * of the entity a URL names.
 */
import type { Context } from 'koa';
import { type StarmodelError, type DatastarAttributes, type DispatchContext, type Encoder, type EntityMeta, type Kernel, type Logger } from 'starmodel';
import type { RequestState, WebService } from '@starmodel/koa';
import { admit, isBrowserPage, type AccessPolicy } from './access.js';
import { adminNotFound, asAdminError } from './errors.js';
import type { AdminOptions } from './options.js';
import type { PanelRegistry } from './panels.js';
import { errorPage } from './views/error.js';
import type { Chrome } from './views/layout.js';

/** Everything the routes need. */
export interface AdminDeps {
  readonly kernel: Kernel;
  readonly web: WebService;
  readonly options: AdminOptions;
  readonly policy: AccessPolicy;
  readonly panels: PanelRegistry;
  readonly log: Logger;
  readonly encoder: Encoder;
  readonly ds: DatastarAttributes;
  /** Ends of the open live streams (ended on shutdown). */
  readonly streams: Set<() => void>;
}

/** A request with the router's parameters. */
export type RoutedContext = Context & { params: Record<string, string | undefined> };

/** An admitted request's handler. */
export type AdminHandler = (ctx: RoutedContext, chrome: Chrome) => Promise<void>;

/** Answers an error: an admin page for browsers, JSON or Datastar for other clients. */
export function sendError(deps: AdminDeps, ctx: Context, error: unknown, chrome: Chrome | undefined): void {
  const known = asAdminError(error, deps.log, `admin ${ctx.method} ${ctx.path}`);
  if (!isBrowserPage(ctx) || ctx.headerSent) {
    if (!ctx.headerSent) deps.web.respondError(ctx, known);
    return;
  }
  ctx.status = known.status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = String(errorPage(deps.options, known, chrome));
}

/** Wraps a handler: checks access, builds the page frame, answers errors. */
export function guarded(deps: AdminDeps, handler: AdminHandler) {
  return async (ctx: Context): Promise<void> => {
    let chrome: Chrome | undefined;
    try {
      const state = await admit(ctx, deps.web, deps.kernel, deps.policy, deps.options);
      if (!state) return;
      chrome = { kernel: deps.kernel, options: deps.options, state, open: deps.policy.kind === 'open-development', ds: deps.ds };
      ctx.set('Cache-Control', 'no-store');
      await handler(ctx as RoutedContext, chrome);
    } catch (error) {
      sendError(deps, ctx, error, chrome);
    }
  };
}

/** The entity a URL names; 404 for unknown names and for entities without an admin page. */
export function entityOf(deps: AdminDeps, ctx: RoutedContext, scopes: readonly string[] = ['record', 'global']): EntityMeta {
  const meta = deps.kernel.registry.byRoute(ctx.params.entity ?? '');
  if (!meta || !scopes.includes(meta.scope)) throw adminNotFound(ctx.path);
  return meta;
}

/** The dispatch context of an admitted request: the admin's own session and user. */
export function dispatchContextOf(state: RequestState): Partial<DispatchContext> {
  return { sessionId: state.sessionId, ...(state.user ? { user: state.user } : {}) };
}

/** Answers a successful form post with 303 See Other. */
export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

/** Sends an HTML page with a status. */
export function sendPage(ctx: Context, page: unknown, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = String(page);
}

/** Refuses a post from another site (CSRF) before anything is read. */
export function refuseForeignPost(deps: AdminDeps, ctx: Context): void {
  deps.web.refuseCrossSite(ctx);
}

/** A StarmodelError as what a form shows: its message, code and per-field messages. */
export function formFailure(error: unknown, log: Logger, where: string): { status: number; message: string; code: string; fields: Record<string, string> | undefined; error: StarmodelError } {
  const known = asAdminError(error, log, where);
  const body = known.toJSON().error;
  return { status: known.status, message: body.message, code: body.code, fields: body.fields, error: known };
}

/** The first line of a failed form: a generic one for validation errors, else the error's own message and code. */
export function failureLine(failure: { message: string; code: string }, generic: string): string {
  return failure.code === 'SM_VALIDATION_FAILED' ? generic : `${failure.message} (${failure.code})`;
}

/** A query value as one string ('' when absent). */
export function queryText(ctx: Context, name: string): string {
  const value = ctx.query[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
