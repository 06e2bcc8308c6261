/**
 * @module @starmodel/ops/requests
 * The middleware that runs before routing for every request: gives it a request id (a sane
 * incoming `X-Request-Id`, else a new one, echoed on the response), runs the rest of the request
 * inside its scope so event taps and log lines can find it, ends the events it dispatched with
 * their outcome, and writes one log line per request (for a live stream, when the stream closes).
 */
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger as PinoLogger } from 'pino';
import type { EntityMeta } from 'starmodel';
import { EventTracker, msSince, outcomeOfStatus } from './events.js';
import { isOpenStream, type LiveStreams } from './live-streams.js';
import type { OpsMetrics } from './metrics.js';
import { runInRequest, type RequestScope } from './scope.js';

/** Incoming ids kept as they are: short, and only characters safe in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id for an incoming `X-Request-Id` value: kept when sane, else a new UUID. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** What the middleware needs. */
export interface RequestMiddlewareDeps {
  readonly log: PinoLogger;
  readonly metrics: OpsMetrics | undefined;
  readonly events: EventTracker;
  readonly streams: LiveStreams;
  /** Whether to write request lines. */
  readonly logRequests: boolean;
  /** Paths logged at debug level only (probes and scrapes would drown everything else). */
  readonly quietPaths: ReadonlySet<string>;
  /** True once shutdown started. */
  readonly draining: () => boolean;
}

/** Event routes by `<METHOD> <route pattern>`, filled as entities register. */
export class EventRoutes {
  readonly #routes = new Map<string, { entity: string; event: string }>();

  /** Records the routes of an entity's events (the same patterns the web plugin registers). */
  add(meta: EntityMeta): void {
    for (const eventMeta of meta.events.values()) this.#routes.set(`${eventMeta.method.toUpperCase()} ${eventMeta.path}`, { entity: meta.name, event: eventMeta.name });
  }

  /** The event a matched route runs, if it is an event route. */
  find(method: string, route: string | undefined): { entity: string; event: string } | undefined {
    return route === undefined ? undefined : this.#routes.get(`${method} ${route}`);
  }
}

/** Requests whose handler has not returned yet (live streams return once they are open). */
export class InFlight {
  #count = 0;
  readonly #idle: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  enter(): void {
    this.#count++;
  }

  leave(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

function routeOf(ctx: Context): string | undefined {
  const matched = (ctx as unknown as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The request middleware (added with `web.use`, so it runs before routing). */
export function requestMiddleware(deps: RequestMiddlewareDeps, routes: EventRoutes, inFlight: InFlight): Middleware {
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    const scope: RequestScope = { id: requestIdFor(ctx.get('x-request-id') || undefined), events: [] };
    ctx.set('X-Request-Id', scope.id);
    inFlight.enter();
    let thrown: unknown;
    try {
      await runInRequest(scope, next);
    } catch (error) {
      thrown = error;
      throw error;
    } finally {
      // While shutting down, a kept-alive connection would hold the server open until its idle
      // timeout (5 s): ask for it to be closed once this response is written.
      if (deps.draining() && !ctx.headerSent) ctx.set('Connection', 'close');
      inFlight.leave();
      const status = thrown === undefined ? ctx.status : ((thrown as { status?: unknown }).status as number | undefined) ?? 500;
      const route = routeOf(ctx);
      const target = routes.find(ctx.method, route);
      const code = errorCodeOf(ctx.body);
      // Events that reached the kernel were ended by its dispatch channel; one refused before it
      // (another site, a body too large) is known only from its route and its answer.
      if (target && scope.events.length === 0) deps.events.end(EventTracker.refusedEarly(target.entity, target.event, start, scope), outcomeOfStatus(status), { reqId: scope.id, status, ...(code ? { code } : {}) });
      deps.metrics?.httpRequests.inc({ method: ctx.method, route: route ?? '(unmatched)', status: String(status) });
      const line = { reqId: scope.id, method: ctx.method, path: ctx.path, ...(route ? { route } : {}), status };
      const quiet = deps.quietPaths.has(ctx.path);
      const write = (fields: Record<string, unknown>, ms: number) => {
        if (!deps.logRequests) return;
        const message = `${ctx.method} ${ctx.path} ${status} ${ms} ms`;
        if (quiet) deps.log.debug({ ...line, ...fields, ms }, message);
        else if (status >= 500) deps.log.error({ ...line, ...fields, ms }, message);
        else deps.log.info({ ...line, ...fields, ms }, message);
      };
      if (thrown === undefined && isOpenStream(ctx.res)) {
        deps.streams.track(ctx.res, (dropped) => {
          if (dropped) deps.metrics?.streamsDropped.inc();
          write({ live: true, ...(dropped ? { dropped: true } : {}) }, msSince(start));
        });
      } else {
        write({}, msSince(start));
      }
    }
  };
}
