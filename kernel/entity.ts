/**
 * @module entity
 * The `Entity` base class and the `@event` / `@field` decorators (TC39 standard decorators).
 * A subclass's class fields are its state; its `@event` methods are its behaviour.
 */
import type { Dialect } from './config.js';
import { actionString } from './datastar/actions.js';
import { attributesFor, type DatastarAttributes } from './datastar/attributes.js';
import { signalsElement } from './datastar/render.js';
import { StarmodelError } from './errors.js';
import { addFeedback, checkRedirect, checkScript, checkToast, type ToastKind } from './feedback.js';
import { kRender, type Html } from './html.js';
import { describeEntity, type EntityMeta } from './registry.js';
import { decoratedLocation, type SourceLocation } from './params.js';
import type { Schema } from './schema.js';
import type { FindQuery } from './store.js';

// Node 20's V8 has no Symbol.metadata; decorators need it to exist before any class is defined.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/** HTTP methods an event can answer. */
export type EventMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** How an HTML fragment returned by an event is put into the page. */
export type ElementMode = 'outer' | 'inner' | 'replace' | 'prepend' | 'append' | 'before' | 'after' | 'remove';

/**
 * Options of `@event()`. Plugins add their own options by augmenting this interface
 * (`declare module 'starmodel' { interface EventOptions { auth?: string } }`).
 */
export interface EventOptions {
  /** HTTP method of the route. @default 'get' */
  method?: EventMethod;
  /** Custom route path (used by the route and by `Entity.act`), e.g. `'/count/up'`. */
  path?: string;
  /** CSS selector where a returned HTML fragment goes. @default the fragment's own id */
  selector?: string;
  /** How a returned HTML fragment is patched in. @default 'outer' (morph) */
  mode?: ElementMode;
  /**
   * Schemas for the arguments, by name; those not named are inferred from their defaults. Wrap a
   * schema in `sensitive()` to keep its value out of every record of the command (audit, logs,
   * job lists): `args: { pin: sensitive(z.string()) }`. Password-like names are redacted anyway.
   */
  args?: Record<string, Schema>;
  /** Run later in a job queue instead of during the request (needs a jobs plugin). */
  background?: boolean;
  /** Callable from server code (`kernel.dispatch`) but never exposed as an HTTP route. */
  internal?: boolean;
}

/** Options of `@field()`. */
export interface FieldOptions {
  /**
   * Kept on the server only: never sent to a browser as a signal, and shown as `'[redacted]'` in
   * every record of a command that sets it (the built-in `create` / `update`, or any event
   * argument of the same name). The store still saves the real value.
   */
  hidden?: boolean;
}

/** Read and write rules of an entity; see `Entity.access`. */
export interface AccessRules {
  readonly read?: string;
  readonly write?: string;
}

/** How identity is chosen for an entity class. */
export type Scope = 'session' | 'global' | 'user' | 'record';

/** What `static identify()` gets to pick an id. */
export interface IdentifyContext {
  readonly sessionId?: string;
  readonly user?: { readonly id: string; readonly roles?: readonly string[] };
  readonly recordId?: string;
}

export const kEvents = Symbol.for('starmodel.events');
export const kFields = Symbol.for('starmodel.fields');
export const kVersion = Symbol.for('starmodel.version');

/** What the decorators record about one event. */
export interface DeclaredEvent { readonly name: string; readonly options: EventOptions; readonly isStatic: boolean; readonly location: SourceLocation | undefined }
/** What the decorators record about one refined field. */
export interface DeclaredField { readonly name: string; readonly schema: Schema | undefined; readonly options: FieldOptions }

type Metadata = Record<PropertyKey, unknown>;

function listIn<T>(metadata: Metadata, key: symbol): T[] {
  // Metadata objects inherit from the parent class's; copy so a subclass never edits its parent's list.
  if (!Object.hasOwn(metadata, key)) metadata[key] = [...((metadata[key] as T[] | undefined) ?? [])];
  return metadata[key] as T[];
}

/**
 * Marks a method as an event: it becomes an HTTP endpoint, and after it runs the fields it
 * changed are committed and published. Works on sync, async, generator and async generator methods.
 * @example
 * ```ts
 * @event() increment(amount = 1) { this.count += amount; }
 * @event({ method: 'post' }) reset() { this.count = 0; }
 * ```
 */
export function event(options: EventOptions = {}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the standard decorator context type requires it
  return function decorate<This, Fn extends (this: This, ...args: any) => any>(method: Fn, context: ClassMethodDecoratorContext<This, Fn>): Fn {
    if (typeof context.name !== 'string') throw new TypeError('@event() needs a method with a string name.');
    const location = decoratedLocation(new Error().stack);
    listIn<DeclaredEvent>(context.metadata as Metadata, kEvents).push({ name: context.name, options, isStatic: context.static, location });
    return method;
  };
}

/**
 * Refines a field's runtime schema (validation, SQL column type, admin form).
 * @example `@field(z.string().min(1).max(200)) title = '';`
 */
export function field(schema?: Schema, options: FieldOptions = {}) {
  return function decorate<This, Value>(_value: undefined, context: ClassFieldDecoratorContext<This, Value>): void {
    if (typeof context.name !== 'string') throw new TypeError('@field() needs a field with a string name.');
    listIn<DeclaredField>(context.metadata as Metadata, kFields).push({ name: context.name, schema, options });
  };
}

/**
 * The base class of every entity. Subclass it, declare fields with initializers and mark the
 * methods that change them with `@event()`.
 */
export class Entity {
  /** Identity: `'session'` (default), `'global'`, `'user'` or `'record'`. */
  static scope: Scope = 'session';
  /** The store that keeps this entity: `'memory'` (default), `'sql'`, `'redis'`, ... */
  static store = 'memory';
  /** Seconds an entity lives after its last change; undefined keeps it. */
  static ttl: number | undefined = undefined;
  /** Signal namespace; defaults to the class name. */
  static namespace: string | undefined = undefined;
  /** Route segment; defaults to the class name lower-cased. */
  static route: string | undefined = undefined;
  /**
   * Who may read (live streams, list and get routes) and write (run events): `'anyone'`, `'user'`
   * (signed in) or a role name. Enforced by an auth plugin (`@starmodel/auth`); without one it is
   * not checked. @default undefined (anyone)
   */
  static access: AccessRules | undefined = undefined;
  /** CSS selector of the list that new records' `render()` output is appended to. @default `#<route>-list` */
  static listSelector: string | undefined = undefined;
  /** Optional custom identity; return the id of the entity that a request addresses. */
  static identify?: (context: IdentifyContext) => string | undefined;

  /** The entity's id within its type (session id, user id, record id or `'global'`). */
  id = '';

  constructor() {
    Object.defineProperty(this, kVersion, { value: 0, writable: true, enumerable: false });
  }

  /**
   * The Datastar action that runs an event, with type-checked name and arguments.
   * @example Counter.act('increment', 5) // "@get('/counter/increment?amount=5')"
   */
  static act<T extends Entity, K extends EventName<T>>(this: EntityClass<T>, event: K, ...args: EventArgs<T, K>): string {
    const eventMeta = metaOf(this).events.get(event);
    if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: this.name, event });
    return actionString(eventMeta, args);
  }

  /** The action that runs an event on one record: `Todo.actOn(id, 'toggle')`. */
  static actOn<T extends Entity, K extends EventName<T>>(this: EntityClass<T>, id: string, event: K, ...args: EventArgs<T, K>): string {
    const eventMeta = metaOf(this).events.get(event);
    if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: this.name, event });
    return actionString(eventMeta, args, id);
  }

  /**
   * A signal path for Datastar expressions, with a type-checked field name.
   * @example Counter.$('count') // "$Counter.count"
   */
  static $<T extends Entity>(this: EntityClass<T>, name: SignalName<T>): string {
    return `$${metaOf(this).namespace}.${name}`;
  }

  /** The path of a field's validation message: `$Counter.errors.amount`. */
  static errorOf<T extends Entity>(this: EntityClass<T>, name: string): string {
    return `$${metaOf(this).namespace}.errors.${name}`;
  }

  /**
   * Records of this type from its store (the kernel that registered the class).
   * @example const { items, total } = await Todo.find({ where: { done: false }, orderBy: [{ field: 'title' }], limit: 20 });
   */
  static find<T extends Entity>(this: EntityClass<T>, query: FindQuery = {}): Promise<{ items: T[]; total: number }> {
    return finderOf(this).find(this, query);
  }

  /** One record by id; rejects with SM_RECORD_NOT_FOUND (404) when there is none. */
  static get<T extends Entity>(this: EntityClass<T>, id: string): Promise<T> {
    return finderOf(this).load(this, {}, id);
  }

  /**
   * Datastar attributes in the dialect of the app that registered this class, for `render()`,
   * which runs outside any page (live lists): `${this.ds.on('click', Todo.actOn(this.id, 'toggle'))}`.
   * Protected, so it is no signal and no event name.
   */
  protected get ds(): DatastarAttributes {
    return attributesFor(dialectOf(this.constructor as EntityClass));
  }

  /**
   * From an event method: sends the browser that ran the event to a path on this site once the
   * event succeeded (Datastar: a navigation; JSON: `feedback.redirect`; a plain form post: 303).
   * Anything but a same-site path is refused with SM_FEEDBACK_INVALID.
   * @example @event({ method: 'post' }) checkout() { ...; this.redirect(`/orders/${this.id}`); }
   */
  protected redirect(url: string): void {
    addFeedback(this, { kind: 'redirect', url: checkRedirect(url) });
  }

  /**
   * From an event method: a toast (flash message) for the browser that ran the event, shown once
   * the event succeeded; its text is shown as text, never as markup.
   * @example this.toast.success('Saved.')
   */
  protected get toast(): Readonly<Record<ToastKind, (text: string) => void>> {
    const add = (level: ToastKind) => (text: string) => addFeedback(this, { kind: 'toast', level, text: checkToast(level, text) });
    return { success: add('success'), info: add('info'), error: add('error') };
  }

  /**
   * From an event method: JavaScript for the browser that ran the event, run once the event
   * succeeded (JSON clients get it in `feedback.scripts`). Trusted code only: never build it from input.
   */
  protected runScript(code: string): void {
    addFeedback(this, { kind: 'script', code: checkScript(code) });
  }

  /** Renders the element that declares this entity's signals (what `html` does with an entity). */
  [kRender](): Html {
    const cls = this.constructor as EntityClass;
    return signalsElement(metaOf(cls), this);
  }
}

/**
 * The DOM id a record's `render()` output must carry (`todo-<id>`), so changes morph it in place
 * and deletions remove it.
 */
export function domId(entity: Entity): string {
  return `${metaOf(entity.constructor as EntityClass).route}-${entity.id}`;
}

/** What static finders need from the kernel that registered a class. */
export interface EntityFinder {
  find<T extends Entity>(cls: EntityClass<T>, query: FindQuery): Promise<{ items: T[]; total: number }>;
  load<T extends Entity>(cls: EntityClass<T>, context: Record<string, never>, id?: string): Promise<T>;
}

const finders = new WeakMap<EntityClass, EntityFinder>();

/** Binds a class's static finders to a kernel (done by `kernel.register`). */
export function bindFinder(cls: EntityClass, finder: EntityFinder): void {
  finders.set(cls, finder);
}

function finderOf(cls: EntityClass): EntityFinder {
  const finder = finders.get(cls);
  if (!finder) throw new StarmodelError('SM_ENTITY_UNKNOWN', { entity: cls.name });
  return finder;
}

const dialects = new WeakMap<EntityClass, Dialect>();

/** Records the Datastar dialect of the app that registered a class (done by `kernel.register`). */
export function bindDialect(cls: EntityClass, dialect: Dialect): void {
  dialects.set(cls, dialect);
}

/** The Datastar dialect a class renders in: its app's, or `beta11` before any app registered it. */
export function dialectOf(cls: EntityClass): Dialect {
  return dialects.get(cls) ?? 'beta11';
}

const metaCache = new WeakMap<EntityClass, EntityMeta>();

/** Cached metadata of an entity class (the same as the registry's). */
export function metaOf(cls: EntityClass): EntityMeta {
  let meta = metaCache.get(cls);
  if (!meta) metaCache.set(cls, (meta = describeEntity(cls)));
  return meta;
}

type BaseKeys = keyof Entity;
/** Method names of an entity that may be events. */
export type EventName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? (K extends BaseKeys ? never : K) : never }[keyof T] & string;
/** The argument list of an event; every argument may be left out (the browser's signals supply it). */
export type EventArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? Partial<A> : never;
/** Names of an entity's fields and getters (anything but methods). */
export type SignalName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T] & string;

/** A class that extends Entity and can be constructed with no arguments. */
export type EntityClass<T extends Entity = Entity> = (new () => T) & Omit<typeof Entity, 'prototype'>;

/** The version the store had when this instance was loaded (0 for one never saved). */
export function versionOf(entity: Entity): number {
  return (entity as unknown as Record<symbol, number>)[kVersion] ?? 0;
}

/** Sets the loaded version (used by the dispatcher and the stores). */
export function setVersion(entity: Entity, version: number): void {
  (entity as unknown as Record<symbol, number>)[kVersion] = version;
}
