/**
 * @module @starmodel/koa/pages
 * What a page function receives: the request, the session's entities, and Datastar helpers.
 *
 * Everything a page loads, streams or puts in a form declares its signals in the page's first
 * element (`page.boot()`, or one put right after `<body>` when the page has none), before any
 * expression reads them: the Datastar client compiles an expression once, and a signal declared
 * later in the document would be an undefined variable in it.
 */
import { randomBytes } from 'node:crypto';
import {
  applyMergePatch, attributeJson, attributesFor, defaultNamespace, eventForm, Html, escapeHtml, metaOf, namespacedSignals, routeForm, signalsOf,
  type DatastarAttributes, type Dialect, type Entity, type EntityClass, type EventForm, type FindQuery, type FormDefaults, type FormEvent, type FormInput,
  type FormOptions, type JsonObject, type Kernel, type RouteForm, type RouteFormOptions,
} from 'starmodel';
import { CLIENT_SCRIPT_PATH } from './assets.js';
import { liveList, type ListOptions, type LiveList } from './lists.js';
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
  /** The entity this session sees (state, or defaults when never saved); declares its namespace on the page. */
  load<T extends Entity>(cls: EntityClass<T>, id?: string): Promise<T>;
  /** Records of a type; declares the type's namespace on the page. */
  find<T extends Entity>(cls: EntityClass<T>, query?: FindQuery): Promise<{ items: T[]; total: number }>;
  /** The `<script>` that loads the Datastar client (served locally). Put it in `<head>`. */
  head(): Html;
  /** The element that declares every signal of the page (client id, errors, toasts, entities, forms). Put it first in `<body>`. */
  boot(): Html;
  /**
   * Attributes that open the entity's live stream when the element loads: `<main ${page.live(Counter)}>`.
   * Declares the entity's whole namespace (defaults and `errors.<name>`) on the page.
   */
  live(cls: EntityClass, id?: string): Html;
  /**
   * A form bound to an event, typed like `act()`: `page.form(Todo, 'create', { title: '' })`.
   * Its signals are declared on the page; see `eventForm` in starmodel.
   */
  form<C extends EntityClass, K extends FormEvent<C>>(cls: C, event: K, defaults?: FormDefaults<C, K>, options?: FormOptions<FormInput<C, K>>): EventForm<FormInput<C, K>>;
  /** A form posted to a plain route (sign-in, sign-up) with its own inputs; messages appear beside them. */
  routeForm<Name extends string>(path: string, fields: readonly Name[], options?: Omit<RouteFormOptions, 'dialect'>): RouteForm<Name>;
  /**
   * A list of records kept in the order and size of its query while records arrive, change or
   * leave live (the server renders the page of the list again at each change, with its count).
   */
  list<T extends Entity & { render(): Html | string }>(cls: EntityClass<T>, options?: ListOptions): Promise<LiveList<T>>;
}

/** A page context and what the server does with the page it rendered. */
export interface PageRun {
  readonly page: PageContext;
  /** The page's markup with its declarations in place. */
  finish(markup: string): string;
}

/**
 * Where an event's toasts appear (`this.toast.success(...)`): text only, dismissed by a click or
 * after six seconds. Styled by the class `toast` (and `data-kind`), placed bottom right by default.
 */
function toastRegion(ds: DatastarAttributes): string {
  const dismissLater = "((n) => n && setTimeout(() => $sm.toast.n === n && ($sm.toast.text = ''), 6000))($sm.toast.n)";
  return `<div id="sm-toast" class="toast" role="status" aria-live="polite" style="display: none; position: fixed; right: 1rem; bottom: 1rem; max-width: 22rem; z-index: 10" ${ds.show("$sm.toast.text !== ''").value} ${ds.attr('data-kind', '$sm.toast.kind').value} ${ds.effect(dismissLater).value}>`
    + `<span id="sm-toast-text" ${ds.text('$sm.toast.text').value}></span> <button type="button" aria-label="Dismiss" ${ds.on('click', "$sm.toast.text = ''").value}>×</button></div>`;
}

/** Builds the context for one page request. */
export function pageContext(kernel: Kernel, dialect: Dialect, request: { path: string; query: Record<string, unknown>; state: RequestState }): PageRun {
  const clientId = randomBytes(9).toString('base64url');
  // Stands where boot() was called until the page is done; markup the page escaped can never contain it.
  const marker = `<!--sm-boot-${randomBytes(9).toString('hex')}-->`;
  const ds = attributesFor(dialect);
  const context = { sessionId: request.state.sessionId, ...(request.state.user ? { user: request.state.user } : {}) };
  let declared: JsonObject = { sm: { client: clientId, error: { code: '', message: '' }, toast: { kind: '', text: '', n: 0 }, forms: {}, lists: {} } };
  const namespaces = new Set<string>();
  const declare = (signals: JsonObject) => {
    declared = applyMergePatch(declared, signals) as JsonObject;
  };
  // An entity's namespace is declared once, by whatever named it first (a loaded entity with its values).
  const declareEntity = (cls: EntityClass, entity?: Entity) => {
    const meta = metaOf(cls);
    if (namespaces.has(meta.namespace)) return;
    namespaces.add(meta.namespace);
    declare(entity ? namespacedSignals(meta, signalsOf(meta, entity), true) : defaultNamespace(meta));
  };
  const page: PageContext = {
    path: request.path, query: request.query, sessionId: request.state.sessionId, user: request.state.user, clientId, ds,
    load: async (cls, id) => {
      const entity = await kernel.load(cls, context, id);
      declareEntity(cls, entity);
      return entity;
    },
    find: (cls, query) => {
      declareEntity(cls);
      return kernel.find(cls, query);
    },
    head: () => new Html(`<script type="module" src="${CLIENT_SCRIPT_PATH}"></script>`),
    boot: () => new Html(marker),
    live: (cls, id) => {
      declareEntity(cls);
      const meta = kernel.registry.get(cls);
      const path = meta.scope === 'record' && id ? `/${meta.route}/${encodeURIComponent(id)}/live` : `/${meta.route}/live`;
      return ds.onLoad(`@get('${path.replace(/'/g, '%27')}')`);
    },
    form: (cls, event, defaults, options) => {
      const form = eventForm(cls, event, defaults, { ...options, dialect });
      declare(form.signals);
      return form;
    },
    routeForm: (path, fields, options) => {
      const form = routeForm(path, fields, { ...options, dialect });
      declare(form.signals);
      return form;
    },
    list: async (cls, options) => {
      declareEntity(cls);
      const list = await liveList(kernel, ds, cls, options);
      declare(list.signals);
      return list;
    },
  };
  return {
    page,
    finish: (markup) => {
      const boot = `<div id="sm-boot" data-signals="${escapeHtml(attributeJson(declared))}"></div>${toastRegion(ds)}`;
      if (markup.includes(marker)) return markup.replace(marker, () => boot);
      const body = /<body[^>]*>/i.exec(markup);
      return body ? markup.slice(0, body.index + body[0].length) + boot + markup.slice(body.index + body[0].length) : boot + markup;
    },
  };
}
