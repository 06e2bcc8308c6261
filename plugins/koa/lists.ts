/**
 * @module @starmodel/koa/lists
 * Live lists that keep their query: a page shows records sorted, filtered and paged
 * (`page.list(Product, { orderBy, limit, offset })`), and its stream (`GET /<entity>/live?sm.list=<id>&...`)
 * renders that same page of records again whenever a record of the type changes, so a new row
 * lands where the order puts it, a page never grows past its size, and the count follows
 * (`$sm.lists.<id>.total`). Unchanged rows are left alone by the morph.
 */
import {
  escapeHtml, formKey, Html, kRender, metaOf, sseComment, StarmodelError, typeTopic,
  type DatastarAttributes, type Encoder, type Entity, type EntityClass, type EntityMeta, type FindQuery, type JsonObject, type Kernel, type OrderBy,
} from 'starmodel';
import { findQueryOf } from './records.js';
import type { SseConnection } from './sse.js';

/** The elements a live list may be. */
export const LIST_TAGS = ['ul', 'ol', 'div'] as const;
/** One of LIST_TAGS. */
export type ListTag = (typeof LIST_TAGS)[number];

/** Options of `page.list()`. */
export interface ListOptions {
  /** The list element's DOM id. @default `<route>-list` */
  readonly id?: string;
  /** Equality filters. */
  readonly where?: Readonly<Record<string, string | number | boolean>>;
  readonly orderBy?: readonly OrderBy[];
  /** Records per page (1 to 500). @default 50 */
  readonly limit?: number;
  readonly offset?: number;
  /** @default 'ul' */
  readonly tag?: ListTag;
  /** The list element's class. */
  readonly className?: string;
}

/** A live list as a page shows it. */
export interface LiveList<T extends Entity> {
  /** The records on this page of the list. */
  readonly items: readonly T[];
  /** How many records match (all pages). */
  readonly total: number;
  /** The expression of the live total: `$sm.lists.product_list.total`. */
  readonly count: string;
  /** The signals the list declares. */
  readonly signals: JsonObject;
  /** The list element with its rows, and the element that opens its stream. */
  readonly html: Html;
  [kRender](): Html;
}

// Query parameters of a list stream that are not filters.
const LIST_PARAMS = { id: 'sm.list', tag: 'sm.tag', className: 'sm.class' } as const;
const LIST_ID = /^[A-Za-z][\w-]{0,80}$/;
const CLASS_NAME = /^[\w -]{0,120}$/;

/** What a list stream renders: which records, in which element. */
export interface ListView {
  readonly id: string;
  readonly tag: ListTag;
  readonly className: string;
  readonly query: FindQuery;
}

/** The signal key of a list's total. */
function listKey(id: string): string {
  return formKey(id);
}

/** The list element: `<ul id="..." class="...">rows</ul>`, the same on the page and in every stream update. */
export function listElement(view: Pick<ListView, 'id' | 'tag' | 'className'>, items: readonly Entity[]): string {
  const rows = items.map((item) => {
    const view = (item as unknown as { render(): unknown }).render();
    return view instanceof Html ? view.value : typeof view === 'string' ? view : '';
  }).join('');
  return `<${view.tag} id="${escapeHtml(view.id)}"${view.className ? ` class="${escapeHtml(view.className)}"` : ''}>${rows}</${view.tag}>`;
}

function totalSignals(id: string, total: number): JsonObject {
  return { sm: { lists: { [listKey(id)]: { total } } } };
}

/** The stream URL of a list: its query in the form `findQueryOf` reads back. */
function streamUrl(meta: EntityMeta, view: ListView): string {
  const params = new URLSearchParams();
  params.set(LIST_PARAMS.id, view.id);
  params.set(LIST_PARAMS.tag, view.tag);
  if (view.className) params.set(LIST_PARAMS.className, view.className);
  for (const [field, value] of Object.entries(view.query.where ?? {})) params.set(field, String(value));
  const order = (view.query.orderBy ?? []).map((item) => `${item.field}:${item.direction ?? 'asc'}`).join(',');
  if (order) params.set('orderBy', order);
  if (view.query.limit !== undefined) params.set('limit', String(view.query.limit));
  if (view.query.offset) params.set('offset', String(view.query.offset));
  return `/${meta.route}/live?${params.toString()}`;
}

/** Checks a list's options (they end up in a URL and a CSS selector): SM_QUERY_INVALID otherwise. */
function viewOf(meta: EntityMeta, options: ListOptions): ListView {
  const id = options.id ?? `${meta.route}-list`;
  const tag = options.tag ?? 'ul';
  const className = options.className ?? '';
  if (!LIST_ID.test(id)) throw new StarmodelError('SM_QUERY_INVALID', { entity: meta.name, reason: `the list id "${id}" must be letters, digits, "-" or "_", starting with a letter.` });
  if (!LIST_TAGS.includes(tag)) throw new StarmodelError('SM_QUERY_INVALID', { entity: meta.name, reason: `a live list is one of: ${LIST_TAGS.join(', ')}.` });
  if (!CLASS_NAME.test(className)) throw new StarmodelError('SM_QUERY_INVALID', { entity: meta.name, reason: 'the list class must be words separated by spaces.' });
  const query: FindQuery = { where: { ...(options.where ?? {}) }, orderBy: [...(options.orderBy ?? [])], limit: options.limit ?? 50, offset: options.offset ?? 0 };
  return { id, tag, className, query };
}

/** Renders a live list for a page (see `page.list`). */
export async function liveList<T extends Entity & { render(): Html | string }>(kernel: Kernel, ds: DatastarAttributes, cls: EntityClass<T>, options: ListOptions = {}): Promise<LiveList<T>> {
  const meta = metaOf(cls);
  const view = viewOf(meta, options);
  const { items, total } = await kernel.find(cls, view.query);
  const live = ds.onLoad(`@get('${streamUrl(meta, view).replace(/'/g, '%27')}')`).value;
  const markup = new Html(`${listElement(view, items)}<span hidden ${live}></span>`);
  return {
    items, total, count: `$sm.lists.${listKey(view.id)}.total`, signals: totalSignals(view.id, total), html: markup,
    [kRender]: () => markup,
  };
}

/** The list a type stream request asks for (`?sm.list=...`), or undefined for a plain type stream. */
export function requestedList(meta: EntityMeta, query: Readonly<Record<string, unknown>>): ListView | undefined {
  const id = query[LIST_PARAMS.id];
  if (id === undefined) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) if (key !== LIST_PARAMS.id && key !== LIST_PARAMS.tag && key !== LIST_PARAMS.className) rest[key] = value;
  const found = findQueryOf(meta, rest);
  const tag = text(query[LIST_PARAMS.tag]);
  return viewOf(meta, {
    id: text(id) ?? '', tag: (tag ?? 'ul') as ListTag, className: text(query[LIST_PARAMS.className]) ?? '',
    where: found.where as Record<string, string | number | boolean>, orderBy: found.orderBy ?? [], limit: found.limit ?? 50, offset: found.offset ?? 0,
  });
}

/**
 * A type stream that keeps one list current: after every change of the type it renders the
 * list's page again (one render at a time; changes during a render are covered by one more).
 */
export function runListStream(kernel: Kernel, meta: EntityMeta, view: ListView, connection: SseConnection, encoder: Encoder): void {
  let running = false;
  let again = false;
  const render = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const { items, total } = await kernel.find(meta.cls, view.query);
        if (!connection.open) return;
        connection.write(encoder.encode({ kind: 'elements', html: listElement(view, items) }) + encoder.encode({ kind: 'signals', signals: totalSignals(view.id, total) }));
      } while (again && connection.open);
    } catch (error) {
      kernel.reportError(error, `live list ${meta.name} #${view.id}`);
    } finally {
      running = false;
    }
  };
  const unsubscribe = kernel.bus.subscribe(typeTopic(meta.name), () => void render());
  connection.write(sseComment('connected'));
  // A change between the page's render and this stream's start is shown now.
  void render();
  connection.onClose(unsubscribe);
}
