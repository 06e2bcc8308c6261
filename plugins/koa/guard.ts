/**
 * @module @starmodel/koa/guard
 * Refuses event requests a browser sends from another site (CSRF): an `Origin` that is not this
 * server's, or `Sec-Fetch-Site: cross-site`. Clients that send neither (curl, servers) pass.
 */
import type { Context } from 'koa';
import { StarmodelError } from 'starmodel';

/** This server's origin as the browser sees it. (Koa 3's `ctx.origin` is the request's Origin header.) */
export function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

/** Throws SM_WEB_CROSS_SITE (403) when the request comes from another site. */
export function refuseCrossSite(ctx: Context): void {
  if (ctx.get('sec-fetch-site') === 'cross-site') throw new StarmodelError('SM_WEB_CROSS_SITE');
  const origin = ctx.get('origin');
  if (origin && origin !== ownOrigin(ctx)) throw new StarmodelError('SM_WEB_CROSS_SITE');
}
