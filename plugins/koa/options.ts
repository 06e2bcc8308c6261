/**
 * @module @starmodel/koa/options
 * The web plugin's options, narrowed from the config's untyped values.
 */
import { isPlainObject, StarmodelError, type Html } from 'starmodel';
import { checkAllowedOrigin } from './guard.js';
import type { PageContext } from './pages.js';

/** A page: a function of the request that returns HTML. */
export type PageHandler = (page: PageContext) => Html | string | Promise<Html | string>;

/** Options of `@starmodel/koa` (in starmodel.config.ts: `plugins: { '@starmodel/koa': { ... } }`). */
export interface KoaOptions {
  /** Port to listen on; 0 picks a free one. @default process.env.PORT or 3000 */
  port: number;
  /** Interface to listen on. @default process.env.HOST or '127.0.0.1' */
  host: string;
  /** Listen when the app starts; false leaves `server` unstarted (for embedding). @default true */
  listen: boolean;
  /** Pages by path (`'/'`, `'/counter'`). */
  pages: Readonly<Record<string, PageHandler>>;
  /** Folder served under `/static/`. */
  staticDir: string | undefined;
  /**
   * Where a page that needs a signed-in user sends a signed-out browser (303 to
   * `<signInPath>?next=<the page>`), e.g. `'/login'`. Unset: such a page answers 401.
   */
  signInPath: string | undefined;
  /** Largest request body accepted, in bytes; larger gets 413. @default 65536 */
  bodyLimit: number;
  /** Milliseconds between keep-alive comments on live streams. @default 15000 */
  keepAliveMs: number;
  /** A live subscriber whose unsent data stays above this many bytes is dropped. @default 1 MiB */
  maxBufferedBytes: number;
  /** Session cookie name. @default 'sm.sid' */
  cookieName: string;
  /** Send cookies with `Secure`. @default true when NODE_ENV is 'production' */
  secureCookies: boolean;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). @default false */
  trustProxy: boolean;
  /** Milliseconds a client has to send a whole request (slow clients are cut off; live streams are not affected). @default 30000 */
  requestTimeoutMs: number;
  /** Milliseconds a client has to send the request headers. @default 10000 */
  headersTimeoutMs: number;
  /**
   * Other origins whose pages may send events (and other state-changing requests) with the
   * user's cookie, e.g. `['https://admin.example.com']`. Everything else that a browser marks as
   * coming from another origin is refused: another site with 403 SM_WEB_CROSS_SITE, a sibling
   * subdomain of this site with 403 SM_WEB_SAME_SITE. Write each as a browser sends it in
   * `Origin` (scheme, host, port; no path). @default [] (only this app's own origin)
   */
  allowedOrigins: readonly string[];
}

/** Turns the config's options into KoaOptions, refusing wrong types with the key named. */
export function parseKoaOptions(raw: Readonly<Record<string, unknown>>): KoaOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/koa"].${key}`, reason });
  const number = (key: string, fallback: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw fail(key, 'must be a non-negative number.');
    return value;
  };
  const text = (key: string, fallback: string) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'string') throw fail(key, 'must be a string.');
    return value;
  };
  const flag = (key: string, fallback: boolean) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw fail(key, 'must be true or false.');
    return value;
  };
  const pages = raw.pages ?? {};
  if (!isPlainObject(pages) || !Object.values(pages).every((page) => typeof page === 'function')) throw fail('pages', 'must map paths to page functions.');
  const staticDir = raw.staticDir;
  if (staticDir !== undefined && typeof staticDir !== 'string') throw fail('staticDir', 'must be a folder path.');
  const signInPath = raw.signInPath;
  if (signInPath !== undefined && (typeof signInPath !== 'string' || !signInPath.startsWith('/') || signInPath.startsWith('//'))) throw fail('signInPath', 'must be a path on this site, such as "/login".');
  const allowedOrigins = raw.allowedOrigins ?? [];
  if (!Array.isArray(allowedOrigins)) throw fail('allowedOrigins', 'must be a list of origins such as ["https://admin.example.com"].');
  for (const entry of allowedOrigins as unknown[]) {
    const problem = checkAllowedOrigin(entry);
    if (problem) throw fail('allowedOrigins', problem);
  }
  const envPort = process.env.PORT ? Number(process.env.PORT) : 3000;
  return {
    port: number('port', envPort), host: text('host', process.env.HOST ?? '127.0.0.1'), listen: flag('listen', true),
    pages: pages as Record<string, PageHandler>, staticDir, signInPath,
    bodyLimit: number('bodyLimit', 64 * 1024), keepAliveMs: number('keepAliveMs', 15_000), maxBufferedBytes: number('maxBufferedBytes', 1024 * 1024),
    cookieName: text('cookieName', 'sm.sid'), secureCookies: flag('secureCookies', process.env.NODE_ENV === 'production'), trustProxy: flag('trustProxy', false),
    requestTimeoutMs: number('requestTimeoutMs', 30_000), headersTimeoutMs: number('headersTimeoutMs', 10_000),
    allowedOrigins: [...(allowedOrigins as string[])],
  };
}
