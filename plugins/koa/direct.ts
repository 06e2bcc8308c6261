/**
 * @module @starmodel/koa/direct
 * Requests served outside Koa's middleware cycle: Datastar event requests on routes without path
 * parameters, and live streams of entities without an id. They run the very same handlers as
 * through the router, on a Koa context made for the request, but skip what the cycle adds around
 * them (middleware composition, route matching, `onFinished`, Koa's answer writing), which cost
 * about a third of a simple event's server time in `bench/` (S1).
 *
 * Early middleware (`web.use`: the ops plugin's request logs, metrics and drain; client-store's
 * guard) still runs around them, in the order added, with the route recorded where @koa/router
 * puts it (`ctx._matchedRoute`), and a throw is answered by Koa's own `ctx.onerror`. Anything not
 * matched exactly (another method, a trailing slash, other letter case, a HEAD, a request that is
 * not from Datastar) goes through Koa, where the router answers it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';

/** A route handler that answers on the context (as the router's handlers do). */
export type DirectHandler = (ctx: Context) => Promise<void>;

/** Characters that make a route path a pattern (parameters, wildcards), never matched directly. */
const PATTERN = /[:*{}()?]/;

/** Exact-path routes served without Koa's cycle. */
export class DirectRoutes {
  readonly #events = new Map<string, DirectHandler>();
  readonly #live = new Map<string, DirectHandler>();

  /** `early` is the web plugin's list of early middleware (it may grow until the first request). */
  constructor(private readonly koa: Koa, private readonly early: readonly Middleware[]) {}

  /** Serves Datastar requests for `METHOD path` directly (paths with parameters are left to the router). */
  addEvent(method: string, path: string, handler: DirectHandler): void {
    if (!PATTERN.test(path)) this.#events.set(`${method.toUpperCase()} ${path}`, handler);
  }

  /** Serves `GET path` (a live stream) directly. */
  addLive(path: string, handler: DirectHandler): void {
    if (!PATTERN.test(path)) this.#live.set(path, handler);
  }

  /** Starts answering the request and returns true, or returns false to leave it to Koa. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    let handler: DirectHandler | undefined;
    if (req.headers['datastar-request'] === 'true') handler = this.#events.get(`${req.method ?? ''} ${path}`);
    if (!handler && req.method === 'GET') handler = this.#live.get(path);
    if (!handler) return false;
    void this.#run(handler, path, req, res);
    return true;
  }

  async #run(handler: DirectHandler, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.koa.createContext(req, res);
    try {
      if (this.early.length === 0) await handler(ctx);
      else await this.#withMiddleware(ctx, path, handler);
    } catch (error) {
      // What Koa does with an error a middleware threw: log it (app 'error') and answer it.
      ctx.onerror(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // SSE answers were written by the handler, with `nosniff` among their headers (SSE_HEADERS).
    if (ctx.respond === false || res.writableEnded) return;
    // An answer the handler left on the context (an error as JSON or HTML): write it as Koa would,
    // with the header the first Koa middleware sets on every answer.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const body: unknown = ctx.body;
    res.statusCode = ctx.status;
    res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : body === undefined || body === null ? undefined : JSON.stringify(body));
  }

  /** Runs the early middleware, in order, around the handler, as the Koa cycle would. */
  #withMiddleware(ctx: Context, path: string, handler: DirectHandler): Promise<void> {
    // Where @koa/router records the matched route (the ops plugin labels metrics and logs with it).
    (ctx as Context & { _matchedRoute?: string })._matchedRoute = path;
    return runEarly(this.early, ctx, () => handler(ctx));
  }
}

/** Runs `chain` in order (each middleware's `next` is the rest), then `last`: the early middleware around a request. */
export function runEarly(chain: readonly Middleware[], ctx: Context, last: () => Promise<void>): Promise<void> {
  const step = async (index: number): Promise<void> => {
    const middleware = chain[index];
    if (middleware) await middleware(ctx, () => step(index + 1));
    else await last();
  };
  return step(0);
}
