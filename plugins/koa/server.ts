/**
 * @module @starmodel/koa/server
 * The web plugin's server: Koa + @koa/router. Routes are added as entities register (the
 * `entity` hook); the server listens on `ready` and closes (streams first) on `close`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { encoderFor, entityTopic, identify, isStarmodelError, typeTopic, StarmodelError, type Dialect, type Encoder, type EntityMeta, type Kernel, type PluginApi } from 'starmodel';
import { CLIENT_SCRIPT_PATH, loadClientScript, staticFile } from './assets.js';
import { querySignals, readBody } from './body.js';
import { originCheck } from './guard.js';
import { DirectRoutes, runEarly } from './direct.js';
import { clientIdOf, eventHandler, type EventRouteDeps } from './events.js';
import { LiveRegistry, prepareLiveStream, runTypeStream } from './live.js';
import { listHandler, recordHandler } from './records.js';
import { requestedList, runListStream } from './lists.js';
import type { KoaOptions } from './options.js';
import { pageContext } from './pages.js';
import { asStarmodelError, modeOf, respondError } from './respond.js';
import { SessionCookies, type ReadGuard, type RequestResolver, type RequestState } from './session.js';
import { SseConnection } from './sse.js';

/** What the web plugin offers other plugins and the app (`kernel.service('web')`). */
export interface WebService {
  /**
   * The Koa app. Add middleware with `use` below, not `koa.use`: Datastar event requests and live
   * streams on exact paths are served outside Koa's cycle (direct.ts) and only see `use` middleware.
   */
  readonly koa: Koa;
  readonly router: Router;
  readonly live: LiveRegistry;
  readonly dialect: Dialect;
  /** The HTTP server (listening after the app started, unless `listen: false`). */
  readonly server: Server;
  /** `http://host:port` once listening. */
  url(): string | undefined;
  /** The session id of a request (creating the session cookie if needed). */
  sessionOf(ctx: Context): string;
  /** Replaces the request's session id with a fresh one (sign-in, sign-out). */
  rotateSession(ctx: Context): string;
  /** Session and user of a request, after every resolver ran. */
  requestState(ctx: Context): Promise<RequestState>;
  /** Adds a resolver that runs for every page, event and live request (e.g. to set the user). */
  addResolver(resolver: RequestResolver): void;
  /** Reads a request body (JSON or urlencoded form) with the configured size limit (413 past it). */
  readBody(ctx: Context): Promise<unknown>;
  /**
   * Refuses a request a browser sent from another origin: 403 SM_WEB_CROSS_SITE from another site,
   * 403 SM_WEB_SAME_SITE from a sibling origin of this site (`Sec-Fetch-Site: same-site`), unless
   * its Origin is in the `allowedOrigins` option. Call it first in every state-changing route.
   */
  refuseCrossSite(ctx: Context): void;
  /** Answers an error in the request's mode (Datastar SSE, JSON or HTML) with its stable code. */
  respondError(ctx: Context, error: unknown, meta?: EntityMeta): void;
  /** Adds a check that runs before an entity is read over HTTP (live streams, list and get routes). */
  addReadGuard(guard: ReadGuard): void;
  /** Adds Koa middleware that runs before routing (request logs, metrics), in the order added, for every request (direct ones too). */
  use(middleware: Koa.Middleware): void;
}

declare module 'starmodel' {
  interface Services {
    web: WebService;
  }
}

function secretOf(kernel: Kernel, log: PluginApi['log']): string {
  if (kernel.secret) return kernel.secret;
  if (process.env.NODE_ENV === 'production') {
    throw new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: 'secret', reason: 'production needs a secret: set STARMODEL_SECRET (32+ random characters) or `secret` in the config.' });
  }
  log.warn('no secret configured (STARMODEL_SECRET): using a random one, so sessions end when the process restarts.');
  return randomBytes(32).toString('base64url');
}

/** Builds and wires the web server for a kernel. */
export function installWebServer(api: PluginApi, options: KoaOptions): WebService {
  const { kernel, log } = api;
  const dialect: Dialect = (kernel.config.datastar as { dialect?: Dialect } | undefined)?.dialect ?? 'beta11';
  const encoder: Encoder = encoderFor(dialect);
  const sessions = new SessionCookies(secretOf(kernel, log), options.cookieName, options.secureCookies);
  const live = new LiveRegistry(options.keepAliveMs);
  const koa = new Koa({ proxy: options.trustProxy });
  const router = new Router();
  // koa.callback() composes the middleware present when it is called: compose on first request,
  // after every plugin and entity had the chance to add routes.
  let handle: ReturnType<Koa['callback']> | undefined;
  // Datastar event requests and live streams on exact paths skip Koa's cycle (see direct.ts):
  // the same handlers and early middleware, a third less server time.
  const early: Koa.Middleware[] = [];
  const direct = new DirectRoutes(koa, early);
  const server = createServer({ requestTimeout: options.requestTimeoutMs, headersTimeout: options.headersTimeoutMs }, (req, res) => {
    if (direct.serve(req, res)) return;
    handle ??= koa.callback();
    void handle(req, res);
  });
  // Requests Node's parser refuses still get a body with a stable code.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code = status === 431 ? 'SM_WEB_HEADERS_TOO_LARGE' : status === 408 ? 'SM_WEB_REQUEST_TIMEOUT' : 'SM_WEB_BAD_REQUEST';
    const body = JSON.stringify(new StarmodelError(code).toJSON());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
  });
  const resolvers: RequestResolver[] = [];
  const readGuards: ReadGuard[] = [];
  const guardRead = async (ctx: Context, meta: EntityMeta, recordId: string | undefined) => {
    const state = await requestState(ctx);
    for (const guard of readGuards) await guard(meta, state, recordId);
    return state;
  };
  const requestState = async (ctx: Context): Promise<RequestState> => {
    const cached = (ctx.state as { starmodel?: RequestState }).starmodel;
    if (cached) return cached;
    const carriesSession = sessions.carried(ctx);
    const state: RequestState = { sessionId: sessions.sessionOf(ctx), carriesSession };
    for (const resolve of resolvers) await resolve(ctx, state);
    (ctx.state as { starmodel?: RequestState }).starmodel = state;
    return state;
  };
  // One origin policy for events and for every state-changing route other plugins add.
  const refuseForeign = originCheck(options.allowedOrigins);
  const deps: EventRouteDeps = { kernel, requestState, live, encoder, bodyLimit: options.bodyLimit, maxBufferedBytes: options.maxBufferedBytes, refuseForeign };
  let clientScript: Promise<Buffer> | undefined;

  koa.on('error', (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE' || (typeof code === 'string' && code.startsWith('HPE_'))) return;
    log.error(`koa: ${error instanceof Error ? error.message : String(error)}`);
  });
  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      await runEarly(early, ctx, next);
    } catch (error) {
      // A StarmodelError from any route (a plugin's, a resolver's 503) is answered like every
      // other: its status, its stable code, in the request's mode. Anything else stays Koa's.
      if (!isStarmodelError(error) || ctx.headerSent) throw error;
      respondError(ctx, modeOf(ctx), asStarmodelError(error, log, ctx.path), undefined, encoder, options.maxBufferedBytes);
    }
  });
  // No allowedMethods(): the fallback below answers 404/405 with a stable code and a body that matches.
  koa.use(router.routes());

  router.get(CLIENT_SCRIPT_PATH, async (ctx) => {
    clientScript ??= loadClientScript();
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await clientScript;
  });
  if (options.staticDir) {
    const root = options.staticDir;
    router.get('/static/{*path}', async (ctx) => {
      const file = await staticFile(root, ctx.path.slice('/static/'.length));
      if (!file) return respondError(ctx, 'html', new StarmodelError('SM_WEB_NOT_FOUND', { path: ctx.path }), undefined, encoder, options.maxBufferedBytes);
      ctx.type = file.type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = file.body;
    });
  }
  for (const [path, page] of Object.entries(options.pages)) {
    router.get(path, async (ctx) => {
      try {
        const state = await requestState(ctx);
        const run = pageContext(kernel, dialect, { path: ctx.path, query: { ...ctx.query }, state });
        const rendered = await page(run.page);
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = run.finish(String(rendered));
      } catch (error) {
        const failure = asStarmodelError(error, log, `page ${path}`);
        // A page for signed-in users sends a signed-out browser to sign in, and back afterwards.
        if (failure.status === 401 && options.signInPath) {
          ctx.status = 303;
          ctx.redirect(`${options.signInPath}?next=${encodeURIComponent(ctx.originalUrl)}`);
          return;
        }
        respondError(ctx, 'html', failure, undefined, encoder, options.maxBufferedBytes);
      }
    });
  }

  const liveHandler = (meta: EntityMeta) => async (ctx: Context & { params?: Record<string, string> }) => {
    const mode = modeOf(ctx) === 'json' ? 'json' : 'datastar';
    try {
      const recordId = ctx.params?.id;
      const state = await guardRead(ctx, meta, recordId);
      const scopeContext = { sessionId: state.sessionId, ...(state.user ? { user: state.user } : {}) };
      const entityId = identify(meta, recordId, scopeContext);
      const clientId = clientIdOf(querySignals(ctx));
      const connection = new SseConnection(ctx.res, options.maxBufferedBytes);
      const lastEventId = ctx.get('last-event-id') || undefined;
      const stream = await prepareLiveStream({
        kernel, meta, entityId, connection, encoder, keepAliveMs: options.keepAliveMs, lastEventId,
        load: () => kernel.load(meta.cls, scopeContext, recordId),
      });
      if (kernel.closing) {
        stream.cancel();
        throw new StarmodelError('SM_KERNEL_CLOSED');
      }
      ctx.respond = false;
      connection.start();
      connection.onClose(live.add(connection, clientId, entityTopic(meta.name, entityId)));
      stream.begin();
    } catch (error) {
      respondError(ctx, mode, asStarmodelError(error, log, `${meta.name}/live`), meta, encoder, options.maxBufferedBytes);
    }
  };

  const typeLiveHandler = (meta: EntityMeta) => async (ctx: Context) => {
    await guardRead(ctx, meta, undefined);
    const clientId = clientIdOf(querySignals(ctx));
    // A list's stream keeps the list's order and size; a plain one appends, morphs and removes rows.
    const list = requestedList(meta, ctx.query);
    const connection = new SseConnection(ctx.res, options.maxBufferedBytes);
    ctx.respond = false;
    connection.start();
    connection.onClose(live.add(connection, clientId, typeTopic(meta.name)));
    if (list) runListStream(kernel, meta, list, connection, encoder);
    else runTypeStream(kernel, meta, connection, encoder, options.keepAliveMs);
  };
  const guarded = (name: string, meta: EntityMeta, handler: (ctx: Context) => Promise<void>) => async (ctx: Context) => {
    try {
      await handler(ctx);
    } catch (error) {
      respondError(ctx, modeOf(ctx) === 'datastar' ? 'datastar' : 'json', asStarmodelError(error, log, name), meta, encoder, options.maxBufferedBytes);
    }
  };

  const addEntityRoutes = (meta: EntityMeta) => {
    if (meta.scope === 'record') {
      router.get(`/${meta.route}/live`, guarded(`${meta.name}/live`, meta, typeLiveHandler(meta)));
      router.get(`/${meta.route}`, guarded(`${meta.name} list`, meta, async (ctx) => {
        await guardRead(ctx, meta, undefined);
        await listHandler(kernel, meta)(ctx);
      }));
    }
    const base = meta.scope === 'record' ? `/${meta.route}/:id` : `/${meta.route}`;
    router.get(`${base}/live`, liveHandler(meta));
    direct.addLive(`${base}/live`, liveHandler(meta));
    for (const eventMeta of meta.events.values()) {
      if (eventMeta.options.internal) continue;
      const handler = eventHandler(deps, meta, eventMeta);
      router[eventMeta.method](eventMeta.path, handler);
      // A page on the same path was routed first and wins there: leave that path to the router.
      if (!Object.hasOwn(options.pages, eventMeta.path)) direct.addEvent(eventMeta.method, eventMeta.path, handler);
    }
    // After the events, so `GET /<entity>/<id>` never shadows a static GET event's path.
    if (meta.scope === 'record') {
      router.get(`/${meta.route}/:id`, guarded(`${meta.name} record`, meta, async (ctx: Context & { params?: Record<string, string> }) => {
        await guardRead(ctx, meta, ctx.params?.id);
        await recordHandler(kernel, meta)(ctx);
      }));
    }
  };
  // Entities registered before this plugin was set up (by a plugin earlier in the plan) get routes too.
  for (const meta of kernel.registry.all()) addEntityRoutes(meta);
  api.hooks.entity.tap(addEntityRoutes);

  // Unknown entities and events get a clear 404 with a stable code instead of a bare "Not Found".
  koa.use(async (ctx) => {
    const [route, second, third] = ctx.path.split('/').filter(Boolean);
    const meta = route ? kernel.registry.byRoute(route) : undefined;
    const mode = modeOf(ctx);
    let error: StarmodelError;
    if (meta && second) {
      const name = meta.scope === 'record' && third ? third : second;
      const eventMeta = meta.events.get(name);
      error = eventMeta
        ? new StarmodelError('SM_EVENT_METHOD_NOT_ALLOWED', { entity: meta.name, event: name, allowed: eventMeta.method.toUpperCase(), method: ctx.method })
        : new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: name });
    } else if (route && second && !meta) {
      error = new StarmodelError('SM_ENTITY_UNKNOWN', { entity: route });
    } else {
      error = new StarmodelError('SM_WEB_NOT_FOUND', { path: ctx.path });
    }
    respondError(ctx, mode, error, meta, encoder, options.maxBufferedBytes);
  });

  api.hooks.ready.tap(async () => {
    if (!options.listen) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    log.info(`listening on ${service.url() ?? ''} (Datastar dialect ${dialect})`);
  });
  api.hooks.close.tap(async () => {
    live.closeAll();
    if (!server.listening) return;
    // Keep closing connections as they go idle, or a kept-alive one holds the server open for seconds.
    await new Promise<void>((resolve) => {
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      server.close(() => {
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
  });

  const service: WebService = {
    koa, router, live, dialect, server,
    url: () => {
      const address = server.address() as AddressInfo | null;
      if (!address || typeof address === 'string') return undefined;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
    },
    sessionOf: (ctx) => sessions.sessionOf(ctx),
    rotateSession: (ctx) => {
      delete (ctx.state as { starmodel?: RequestState }).starmodel;
      return sessions.rotate(ctx);
    },
    requestState,
    addResolver: (resolver) => {
      resolvers.push(resolver);
    },
    readBody: (ctx) => readBody(ctx, options.bodyLimit),
    refuseCrossSite: refuseForeign,
    respondError: (ctx, error, meta) => respondError(ctx, modeOf(ctx), asStarmodelError(error, log, ctx.path), meta, encoder, options.maxBufferedBytes),
    addReadGuard: (guard) => {
      readGuards.push(guard);
    },
    use: (middleware) => {
      early.push(middleware);
    },
  };
  api.provide('web', service);
  return service;
}
