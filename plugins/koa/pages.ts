/**
 * @module @starmodel/koa/pages
 * What a page function receives: the request, the session's entities, and Datastar helpers.
 */
import { randomBytes } from 'node:crypto';
import { attributeJson, datastarAttributes, Html, escapeHtml, type DatastarAttributes, type Dialect, type Entity, type EntityClass, type FindQuery, type Kernel } from 'starmodel';
import { CLIENT_SCRIPT_PATH } from './assets.js';
import type { RequestState } from './session.js';

/** The argument of every page function. */
export interface PageContext {
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly sessionId: string;
  /** The signed-in user, when an auth plugin resolved one. */
  readonly user: RequestState['user'];
  /** Identifies this page view (tab); sent back with every request as the `sm.client` signal. */
  readonly clientId: string;
  /** Datastar attributes in the configured dialect: `page.ds.on('click', Counter.act('increment'))`. */
  readonly ds: DatastarAttributes;
  /** The entity this session sees (state, or defaults when never saved). */
  load<T extends Entity>(cls: EntityClass<T>, id?: string): Promise<T>;
  /** Records of a type. */
  find<T extends Entity>(cls: EntityClass<T>, query?: FindQuery): Promise<{ items: T[]; total: number }>;
  /** The `<script>` that loads the Datastar client (served locally). Put it in `<head>`. */
  head(): Html;
  /** The element that declares this page's client id and error signals. Put it first in `<body>`. */
  boot(): Html;
  /** An attribute that opens the entity's live stream when the element loads: `<main ${page.live(Counter)}>`. */
  live(cls: EntityClass, id?: string): Html;
}

/** Builds the context for one page request. */
export function pageContext(kernel: Kernel, dialect: Dialect, request: { path: string; query: Record<string, unknown>; state: RequestState }): PageContext {
  const clientId = randomBytes(9).toString('base64url');
  const ds = datastarAttributes(dialect);
  const context = { sessionId: request.state.sessionId, ...(request.state.user ? { user: request.state.user } : {}) };
  return {
    path: request.path, query: request.query, sessionId: request.state.sessionId, user: request.state.user, clientId, ds,
    load: (cls, id) => kernel.load(cls, context, id),
    find: (cls, query) => kernel.find(cls, query),
    head: () => new Html(`<script type="module" src="${CLIENT_SCRIPT_PATH}"></script>`),
    boot: () => new Html(`<div id="sm-boot" data-signals="${escapeHtml(attributeJson({ sm: { client: clientId, error: { code: '', message: '' } } }))}"></div>`),
    live: (cls, id) => {
      const meta = kernel.registry.get(cls);
      const path = meta.scope === 'record' && id ? `/${meta.route}/${encodeURIComponent(id)}/live` : `/${meta.route}/live`;
      return ds.onLoad(`@get('${path.replace(/'/g, '%27')}')`);
    },
  };
}
