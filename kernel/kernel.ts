/**
 * @module kernel
 * The kernel: a registry of entities, the stores, the in-process bus, and the hooks. It knows no
 * web framework and no plugin; plugins tap its hooks through the facade they are given.
 */
import { randomUUID } from 'node:crypto';
import type { DispatchInput } from './binding.js';
import type { Dialect } from './config.js';
import { Bus } from './bus.js';
import type { DispatchContext, DispatchResult, StepSink } from './change.js';
import { dispatchContextEnabled, runInDispatch } from './context.js';
import { dispatchEvent, persistTap, type DispatcherDeps } from './dispatcher.js';
import { bindDialect, bindFinder, type Entity, type EntityClass } from './entity.js';
import { StarmodelError, type FieldErrors } from './errors.js';
import { tracedDispatch } from './channels.js';
import { callClose, callSeries, callSync, KernelHooks, pluginHooks, type PluginHooks } from './hooks.js';
import { identify } from './identity.js';
import { KeyedLock } from './keyed-lock.js';
import { consoleLogger, redactingLogger, type Logger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { EntityRegistry, type EntityMeta } from './registry.js';
import { STAGE_DELIVER, STAGE_PERSIST } from './stages.js';
import { materialize } from './state.js';
import type { FindQuery, Store } from './store.js';
import { validateEvent } from './validate.js';
import { KERNEL_VERSION } from './version.js';

/**
 * Named services plugins offer each other. A plugin declares its own by augmenting this interface:
 * `declare module 'starmodel' { interface Services { web: WebServer } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Services {}

/** A loaded plugin as the kernel lists it. */
export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly provides: readonly string[];
  readonly requires: readonly string[];
}

/** Options of a kernel. */
export interface KernelOptions {
  /** How many times an event is tried when it keeps losing version races to other processes. @default 10 */
  maxAttempts?: number;
  /** Logger. @default a console logger */
  logger?: Logger;
  /** Options of the built-in memory store. */
  memory?: { sweepIntervalMs?: number; now?: () => number };
  /** The app secret (cookie signing, client-store signatures). */
  secret?: string;
  /** Free-form app configuration, readable by plugins. */
  config?: Readonly<Record<string, unknown>>;
}

/** What a plugin's `setup` receives: the kernel (to read and dispatch), tap-only hooks, and helpers. */
export interface PluginApi {
  /** The plugin's package name; every tap carries it. */
  readonly name: string;
  readonly kernel: Kernel;
  readonly hooks: PluginHooks;
  readonly log: Logger;
  /** Makes a store available under a name (`static store = name`). */
  provideStore(name: string, store: Store): void;
  /** Registers entity classes on behalf of this plugin (the admin shows where each came from). */
  register(...classes: EntityClass[]): void;
  /** Offers a service to other plugins and to the app. */
  provide<K extends keyof Services>(name: K, service: Services[K]): void;
}

/** Refuses a query naming fields the entity does not have (every store would answer differently). */
function checkQuery(meta: EntityMeta, query: FindQuery): void {
  const known = (field: string) => field === 'id' || Object.hasOwn(meta.fields, field);
  for (const field of [...Object.keys(query.where ?? {}), ...(query.orderBy ?? []).map((order) => order.field)]) {
    if (!known(field)) throw new StarmodelError('SM_QUERY_INVALID', { entity: meta.name, reason: `it has no field "${field}"; use one of: id, ${Object.keys(meta.fields).join(', ')}.` });
  }
}

/**
 * The caller's context as `{ ...context, locals: context.locals ?? new Map() }` makes it (taps
 * may change the copy, never the caller's object). Built with Object.assign then one assignment:
 * on Node 20, adding a property to a spread copy takes a slow path (~0.5 us per event).
 */
function copyContext(context: Partial<DispatchContext>): DispatchContext {
  // Object.assign would set the prototype from an own "__proto__" key where spread copies it as data.
  if (Object.hasOwn(context, '__proto__')) return { ...context, locals: context.locals ?? new Map() };
  const full = Object.assign({}, context) as { -readonly [K in keyof DispatchContext]: DispatchContext[K] };
  full.locals ??= new Map();
  return full;
}

/** The StarModel kernel. */
export class Kernel {
  /** This package's version. */
  static readonly version = KERNEL_VERSION;
  /** Unique per process; published changes carry it so bridges can drop their own echoes. */
  readonly instanceId = randomUUID();
  readonly registry = new EntityRegistry();
  readonly bus: Bus;
  readonly log: Logger;
  readonly secret: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  readonly #hooks = new KernelHooks();
  readonly #stores = new Map<string, Store>();
  readonly #services = new Map<string, unknown>();
  readonly #lock = new KeyedLock();
  readonly #maxAttempts: number;
  readonly #prepared = new Set<string>();
  readonly #origins = new Map<string, string>();
  /** The app's folder (set by createApp): where plugins put files such as a SQLite database. */
  appDir: string = process.cwd();
  /** The loaded plugins (set by createApp), for overviews such as the admin's. */
  plugins: readonly LoadedPlugin[] = [];
  #state: 'setup' | 'running' | 'closing' | 'closed' = 'setup';

  constructor(options: KernelOptions = {}) {
    // Every log line the kernel and its plugins write is redacted, whatever logger the app gave.
    this.log = redactingLogger(options.logger ?? consoleLogger());
    this.bus = new Bus((error) => this.reportError(error, 'bus listener'));
    this.secret = options.secret;
    this.config = options.config ?? {};
    this.#maxAttempts = options.maxAttempts ?? 10;
    this.#stores.set('memory', new MemoryStore(options.memory));
    const own = pluginHooks(this.#hooks, 'starmodel');
    own.commit.tap(persistTap((meta) => this.storeFor(meta)), { stage: STAGE_PERSIST });
    own.publish.tap((change) => this.bus.deliver(change), { stage: STAGE_DELIVER });
  }

  /** The API handed to a plugin named `name`. */
  pluginApi(name: string): PluginApi {
    return {
      name,
      kernel: this,
      hooks: pluginHooks(this.#hooks, name),
      log: this.log.child(name),
      provideStore: (storeName, store) => this.provideStore(storeName, store),
      register: (...classes) => {
        this.register(...classes);
        for (const cls of classes) this.#origins.set(cls.name, name);
      },
      provide: (serviceName, service) => {
        this.#services.set(serviceName, service);
      },
    };
  }

  /** The full hooks; for the app runner and `starmodel plugins`, not for plugins. */
  get hooks(): KernelHooks {
    return this.#hooks;
  }

  /** Registers an entity class (idempotent); calls the `entity` hook. */
  register(...classes: EntityClass[]): this {
    for (const cls of classes) {
      const known = this.registry.find(cls);
      if (known) continue;
      const meta = this.registry.add(cls);
      bindFinder(cls, this);
      bindDialect(cls, this.dialect);
      callSync(this.#hooks.entity, meta, (error, tap) => this.reportError(error, `entity hook of ${tap} for ${meta.name}`));
    }
    return this;
  }

  /** The Datastar dialect the app's config names (`datastar.dialect`), `beta11` by default. */
  get dialect(): Dialect {
    const dialect = (this.config.datastar as { dialect?: unknown } | undefined)?.dialect;
    return dialect === 'v1' ? 'v1' : 'beta11';
  }

  /** True when a loaded plugin provides a capability (`'auth'`, `'store:sql'`, `'web'` ...). */
  provides(capability: string): boolean {
    return capability === 'store:memory' || this.plugins.some((plugin) => plugin.provides.includes(capability));
  }

  /** The plugin that registered an entity, or `'app'` for the app's own entities. */
  originOf(entity: string): string {
    return this.#origins.get(entity) ?? 'app';
  }

  /** Makes a store available under a name. */
  provideStore(name: string, store: Store): void {
    this.#stores.set(name, store);
  }

  /** The store an entity class names; throws SM_STORE_UNKNOWN when no plugin provides it. */
  storeFor(meta: EntityMeta): Store {
    const store = this.#stores.get(meta.store);
    if (!store) throw new StarmodelError('SM_STORE_UNKNOWN', { entity: meta.name, store: meta.store });
    return store;
  }

  /** A store by name, or undefined. */
  store(name: string): Store | undefined {
    return this.#stores.get(name);
  }

  /** A service another plugin provided, or undefined. */
  service<K extends keyof Services>(name: K): Services[K] | undefined {
    return this.#services.get(name) as Services[K] | undefined;
  }

  /** Runs the setup hook, prepares every entity's store, then runs the ready hook. */
  async start(): Promise<void> {
    await callSeries(this.#hooks.setup);
    for (const meta of this.registry.all()) await this.#prepare(meta);
    this.#state = 'running';
    await callSeries(this.#hooks.ready);
  }

  async #prepare(meta: EntityMeta): Promise<void> {
    if (this.#prepared.has(meta.name)) return;
    await this.storeFor(meta).prepare?.(meta);
    this.#prepared.add(meta.name);
  }

  /**
   * Runs one event. Resolves with the new version, the merge patch and the whole signals; rejects
   * with a StarmodelError (validation, unknown event, conflict, refused ...). `sink` receives each
   * committed step as it happens (a generator's `yield`s stream through it), in order.
   */
  dispatch(input: DispatchInput, context: Partial<DispatchContext> = {}, sink?: StepSink): Promise<DispatchResult> {
    // Not async: an async wrapper around dispatchEvent's promise would cost extra microtask turns.
    try {
      if (this.#state === 'closing' || this.#state === 'closed') throw new StarmodelError('SM_KERNEL_CLOSED');
      const meta = this.registry.get(input.entity);
      // Prepared once at start: no promise to await on every event.
      if (!this.#prepared.has(meta.name)) return this.#prepare(meta).then(() => this.#dispatchPrepared(meta, input, context, sink));
      return this.#dispatchPrepared(meta, input, context, sink);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Validate-only: the messages the named arguments (or all) of an event would get, without
   * running it, asking any plugin, or saving anything. `{}` when they are valid.
   */
  validate(input: DispatchInput, names: 'all' | readonly string[] = 'all'): FieldErrors {
    const meta = this.registry.get(input.entity);
    const eventMeta = meta.events.get(input.event);
    if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: input.event });
    return validateEvent(meta, eventMeta, input, names);
  }

  #dispatchPrepared(meta: EntityMeta, input: DispatchInput, context: Partial<DispatchContext>, sink: StepSink | undefined): Promise<DispatchResult> {
    const full = copyContext(context);
    const deps = this.#dispatcherDeps();
    const run = () => dispatchEvent(deps, input, full, meta, sink);
    const observed = () => tracedDispatch(this.instanceId, meta.name, input.event, input.id, full, run);
    return dispatchContextEnabled() ? runInDispatch(full, observed) : observed();
  }

  #deps: DispatcherDeps | undefined;

  // Built once: a fresh object and two closures per event showed up in profiles.
  #dispatcherDeps(): DispatcherDeps {
    return (this.#deps ??= {
      hooks: this.#hooks, registry: this.registry, lock: this.#lock, instanceId: this.instanceId, maxAttempts: this.#maxAttempts,
      storeFor: (meta: EntityMeta) => this.storeFor(meta),
      reportError: (error: unknown, where: string) => this.reportError(error, where),
    });
  }

  /**
   * The current state of the entity a context addresses (get, or defaults when it was never saved;
   * nothing is written). Record entities need `id` and resolve to undefined when missing.
   */
  async load<T extends Entity>(cls: EntityClass<T>, context: Partial<Pick<DispatchContext, 'sessionId' | 'user'>> = {}, id?: string): Promise<T> {
    const meta = this.registry.get(cls);
    await this.#prepare(meta);
    const entityId = identify(meta, id, context);
    const stored = await this.storeFor(meta).get(meta, entityId);
    if (!stored && meta.scope === 'record') throw new StarmodelError('SM_RECORD_NOT_FOUND', { entity: meta.name, id: entityId });
    return materialize(meta, entityId, stored) as T;
  }

  /** Records of a type, as live instances, plus the total that match. */
  async find<T extends Entity>(cls: EntityClass<T>, query: FindQuery = {}): Promise<{ items: T[]; total: number }> {
    const meta = this.registry.get(cls);
    checkQuery(meta, query);
    await this.#prepare(meta);
    const result = await this.storeFor(meta).find(meta, query);
    return { items: result.items.map((record) => materialize(meta, record.id, record) as T), total: result.total };
  }

  /** Logs an error that must not stop the caller (a failing publish tap, a bus listener). */
  reportError(error: unknown, where: string): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`error in ${where}: ${message}`, error instanceof StarmodelError ? { code: error.code } : {});
  }

  /** True once `close()` started. */
  get closing(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** Runs close taps (last registered first), then closes every store. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    await callClose(this.#hooks.close, (error, tap) => this.reportError(error, `close of ${tap}`));
    for (const store of new Set(this.#stores.values())) await store.close?.();
    this.#state = 'closed';
  }
}
