/**
 * @module @starmodel/client-store/render
 * The element a page renders for a client entity: its signals, with Datastar's `data-persist` so
 * the browser keeps them (beta.11: localStorage, or sessionStorage with `__session`), and a reset
 * action that forgets them.
 */
import { emptyErrors, escapeHtml, Html, metaOf, signalsOf, type Entity, type EntityClass } from 'starmodel';
import { SIGNATURE_FIELD } from './errors.js';

/** The two client stores and the browser storage each uses. */
export const CLIENT_STORES = { 'client-local': 'localStorage', 'client-session': 'sessionStorage' } as const;
/** A client store's name. */
export type ClientStoreName = keyof typeof CLIENT_STORES;

/** True for the names of the client stores. */
export function isClientStore(name: string): name is ClientStoreName {
  return Object.hasOwn(CLIENT_STORES, name);
}

/** Where beta.11's `data-persist` keeps every persisted signal of one storage: a single key. */
export const STORAGE_KEY = 'datastar';

// beta.11 writes all persisted signals of a storage under one key, replacing it on every change:
// each persisted element must name every client namespace of that storage, or a page showing one
// entity would drop another's state. Process-wide, filled as entity classes are registered.
const namespaces: Record<ClientStoreName, Set<string>> = { 'client-local': new Set(), 'client-session': new Set() };

/** Records that a namespace is kept in a client store (done when the entity class is registered). */
export function declarePersistedNamespace(store: ClientStoreName, namespace: string): void {
  namespaces[store].add(namespace);
}

/** The `data-persist` value for a store: `Prefs.** Theme.**`. */
export function persistPattern(store: ClientStoreName, own: string): string {
  return [...new Set([own, ...namespaces[store]])].map((namespace) => `${namespace}.**`).join(' ');
}

/**
 * The element that declares a client entity's signals and keeps them in the browser's storage.
 * `data-signals__ifmissing` comes first and only fills what storage did not restore, so a
 * returning browser keeps its own state and several persisted elements never undo each other.
 * The first render has unsigned defaults under a fresh id (nothing is known about the browser
 * yet); the browser's stored state, restored by `data-persist`, replaces them before any event.
 * @example html`${persisted(await page.load(Prefs), html`<p ${page.ds.text(Prefs.$('theme'))}></p>`)}`
 */
export function persisted(entity: Entity, children?: Html): Html {
  const meta = metaOf(entity.constructor as EntityClass);
  const store = meta.store;
  const signals = { [meta.namespace]: { ...signalsOf(meta, entity), errors: { ...emptyErrors(meta), [SIGNATURE_FIELD]: '' } } };
  const persist = isClientStore(store)
    ? ` ${store === 'client-session' ? 'data-persist__session' : 'data-persist'}="${escapeHtml(persistPattern(store, meta.namespace))}"`
    : '';
  return new Html(`<div id="${escapeHtml(meta.namespace)}" data-signals__ifmissing="${escapeHtml(JSON.stringify(signals))}"${persist}>${children?.value ?? ''}</div>`);
}

/**
 * A Datastar expression that forgets a client entity's stored state and reloads the page, which
 * then starts from the defaults: the way out of a refused (tampered or outdated) state.
 * Written without `;`, which Datastar splits expressions on.
 * @example html`<button ${page.ds.on('click', resetAction(Prefs))}>Reset</button>`
 */
export function resetAction(cls: EntityClass): string {
  const meta = metaOf(cls);
  const storage = isClientStore(meta.store) ? CLIENT_STORES[meta.store] : 'localStorage';
  const key = JSON.stringify(STORAGE_KEY);
  return `((s, d) => (d = JSON.parse(s.getItem(${key}) || '{}'), delete d[${JSON.stringify(meta.namespace)}], s.setItem(${key}, JSON.stringify(d)), location.reload()))(${storage})`;
}
