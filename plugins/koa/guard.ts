/**
 * @module @starmodel/koa/guard
 * Refuses state-changing requests (events, and any route that calls `web.refuseCrossSite`) that a
 * browser sends from anywhere but this app's own origin (CSRF):
 *
 * - an `Origin` of another site, or `Sec-Fetch-Site: cross-site`: 403 `SM_WEB_CROSS_SITE`;
 * - an `Origin` of this site but another origin (a sibling subdomain), or `Sec-Fetch-Site:
 *   same-site`: 403 `SM_WEB_SAME_SITE`. A sibling page's `<img src="/counter/increment">` sends
 *   no `Origin` but does send this header, and the SameSite=Lax cookie goes with it;
 *
 * unless the request's `Origin` is listed in the `allowedOrigins` option. `Sec-Fetch-Site:
 * same-origin` or `none` (typed in the address bar) passes, and so do clients that send neither
 * header (curl, other servers): they do not carry a victim's cookie.
 */
import type { Context } from 'koa';
import { StarmodelError } from 'starmodel';

/** This server's origin as the browser sees it. (Koa 3's `ctx.origin` is the request's Origin header.) */
export function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

/**
 * The site of an origin, approximately (scheme and the last two labels of the host; an IP address
 * is its own site). Used only to pick the more telling of two refusals: both are 403.
 */
function siteOf(origin: string): string | undefined {
  try {
    const { protocol, hostname } = new URL(origin);
    const host = IP_HOST.test(hostname) ? hostname : hostname.split('.').slice(-2).join('.');
    return `${protocol}//${host}`;
  } catch {
    return undefined;
  }
}

/** The refusal of a request from another origin; the same-site one names the way out. */
function foreign(sameSite: boolean): StarmodelError {
  return new StarmodelError(sameSite ? 'SM_WEB_SAME_SITE' : 'SM_WEB_CROSS_SITE');
}

/** A check of one request: throws a 403 StarmodelError when a browser sent it from another origin. */
export type OriginCheck = (ctx: Context) => void;

/**
 * The check for an app that trusts `allowedOrigins` (serialized origins, `https://admin.example.com`)
 * besides its own.
 */
export function originCheck(allowedOrigins: readonly string[] = []): OriginCheck {
  const allowed = new Set(allowedOrigins);
  return (ctx) => {
    const origin = ctx.get('origin');
    if (origin && allowed.has(origin)) return;
    const fetchSite = ctx.get('sec-fetch-site');
    if (origin) {
      const own = ownOrigin(ctx);
      if (origin !== own) {
        const site = siteOf(origin);
        throw foreign(fetchSite === 'same-site' || (fetchSite !== 'cross-site' && site !== undefined && site === siteOf(own)));
      }
    }
    if (fetchSite === 'cross-site') throw foreign(false);
    if (fetchSite === 'same-site') throw foreign(true);
  };
}

/**
 * Normalizes the `allowedOrigins` option: each entry must be a serialized origin (scheme, host,
 * port; no path), as browsers send it in `Origin`. Returns the reason an entry is refused.
 */
export function checkAllowedOrigin(entry: unknown): string | undefined {
  if (typeof entry !== 'string' || entry === '') return 'must be an origin such as "https://admin.example.com".';
  let parsed: URL;
  try {
    parsed = new URL(entry);
  } catch {
    return `"${entry}" is not a URL; write an origin such as "https://admin.example.com".`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `"${entry}" is not an http(s) origin.`;
  if (parsed.origin !== entry) return `"${entry}" is not written as a browser sends it in Origin: use "${parsed.origin}" (scheme, host and port only, no path or trailing slash).`;
  return undefined;
}
