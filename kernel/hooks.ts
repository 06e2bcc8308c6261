/**
 * @module hooks
 * The kernel's hooks (tapable, promise-only) and the tap-only facade handed to plugins.
 *
 * | hook       | tapable class        | called                                   | a tap may                                              |
 * |------------|----------------------|------------------------------------------|--------------------------------------------------------|
 * | `dispatch` | AsyncSeriesBailHook  | for every event, after argument binding  | validate, authorize, enrich; return a result to take over; throw to refuse |
 * | `commit`   | AsyncSeriesHook      | after the method, before anyone hears    | persist, audit; a throw aborts: nothing is published, the entity is rolled back |
 * | `publish`  | AsyncParallelHook    | after a successful commit                | deliver (SSE, other instances, metrics); a throw is logged, the others still run |
 * | `setup`    | AsyncSeriesHook      | once, after every plugin's factory ran   | prepare resources                                      |
 * | `entity`   | SyncHook             | when an entity class is registered       | inspect or add routes for it                           |
 * | `ready`    | AsyncSeriesHook      | when the app starts serving              | listen on ports, start workers                         |
 * | `close`    | (reverse order)      | on shutdown, last registered first       | release what the plugin opened                         |
 */
import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from 'tapable';
import type { Change, Command, DispatchContext, DispatchResult, UnitOfWork } from './change.js';
import type { EntityMeta } from './registry.js';

/** Ordering of a tap: lower `stage` runs first; `before` names taps (plugin names) to run ahead of. */
export interface TapOptions {
  readonly stage?: number;
  readonly before?: string;
}

/** The full hooks, owned by the kernel (it alone calls them). */
export class KernelHooks {
  readonly dispatch = new AsyncSeriesBailHook<[Command, DispatchContext], DispatchResult | undefined>(['command', 'context']);
  readonly commit = new AsyncSeriesHook<[UnitOfWork]>(['unit']);
  readonly publish = new AsyncParallelHook<[Change]>(['change']);
  readonly setup = new AsyncSeriesHook<[]>([]);
  readonly entity = new SyncHook<[EntityMeta]>(['meta']);
  readonly ready = new AsyncSeriesHook<[]>([]);
  /** Close taps, run last-registered first. */
  readonly closers: { name: string; run: () => Promise<void> | void }[] = [];
}

/** A hook as a plugin sees it: it can tap, never call. */
export interface Tappable<Args extends unknown[], Result> {
  /** Adds a tap named after the plugin. */
  tap(fn: (...args: Args) => Promise<Result> | Result, options?: TapOptions): void;
}

/** The hooks handed to a plugin. */
export interface PluginHooks {
  /** Return a DispatchResult to take the command over, undefined to let it run, or throw to refuse. */
  readonly dispatch: Tappable<[Command, DispatchContext], DispatchResult | undefined | void>;
  readonly commit: Tappable<[UnitOfWork], void>;
  readonly publish: Tappable<[Change], void>;
  readonly setup: Tappable<[], void>;
  readonly entity: Tappable<[EntityMeta], void>;
  readonly ready: Tappable<[], void>;
  readonly close: Tappable<[], void>;
}

/** The tap-only view of the hooks for one plugin; every tap carries the plugin's name. */
export function pluginHooks(hooks: KernelHooks, name: string): PluginHooks {
  const options = (extra: TapOptions = {}) => ({ name, ...(extra.stage !== undefined ? { stage: extra.stage } : {}), ...(extra.before !== undefined ? { before: extra.before } : {}) });
  return {
    dispatch: { tap: (fn, extra) => hooks.dispatch.tapPromise(options(extra), async (command, context) => (await fn(command, context)) ?? undefined) },
    commit: { tap: (fn, extra) => hooks.commit.tapPromise(options(extra), async (unit) => { await fn(unit); }) },
    publish: { tap: (fn, extra) => hooks.publish.tapPromise(options(extra), async (change) => { await fn(change); }) },
    setup: { tap: (fn, extra) => hooks.setup.tapPromise(options(extra), async () => { await fn(); }) },
    entity: { tap: (fn, extra) => hooks.entity.tap(options(extra), (meta) => { void fn(meta); }) },
    ready: { tap: (fn, extra) => hooks.ready.tapPromise(options(extra), async () => { await fn(); }) },
    close: { tap: (fn) => { hooks.closers.push({ name, run: fn }); } },
  };
}

/** Names of the taps on each kernel hook, in the order they run (for `starmodel plugins`). */
export function describeTaps(hooks: KernelHooks): Record<string, { name: string; stage: number }[]> {
  const list = (hook: { taps: { name: string; stage?: number }[] }) => hook.taps.map((tap) => ({ name: tap.name, stage: tap.stage ?? 0 }));
  return {
    dispatch: list(hooks.dispatch), commit: list(hooks.commit), publish: list(hooks.publish),
    setup: list(hooks.setup), entity: list(hooks.entity), ready: list(hooks.ready),
    close: [...hooks.closers].reverse().map((closer) => ({ name: closer.name, stage: 0 })),
  };
}
