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

/**
 * The function a plugin gave, by the promise-returning wrapper that was tapped for it: the kernel
 * calls it directly (see `callSeries`), without tapable's promise chain and the wrapper's.
 */
const plainFns = new WeakMap<object, (...args: never[]) => unknown>();

function remember<F extends object>(wrapper: F, fn: (...args: never[]) => unknown): F {
  plainFns.set(wrapper, fn);
  return wrapper;
}

/** The tap-only view of the hooks for one plugin; every tap carries the plugin's name. */
export function pluginHooks(hooks: KernelHooks, name: string): PluginHooks {
  const options = (extra: TapOptions = {}) => ({ name, ...(extra.stage !== undefined ? { stage: extra.stage } : {}), ...(extra.before !== undefined ? { before: extra.before } : {}) });
  return {
    dispatch: { tap: (fn, extra) => hooks.dispatch.tapPromise(options(extra), remember(async (command: Command, context: DispatchContext) => (await fn(command, context)) ?? undefined, fn)) },
    commit: { tap: (fn, extra) => hooks.commit.tapPromise(options(extra), remember(async (unit: UnitOfWork) => { await fn(unit); }, fn)) },
    publish: { tap: (fn, extra) => hooks.publish.tapPromise(options(extra), remember(async (change: Change) => { await fn(change); }, fn)) },
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

/** A hook's taps as plain functions, when every tap came through `pluginHooks` and nothing intercepts. */
interface DirectPlan {
  readonly taps: readonly object[];
  readonly fns: readonly ((arg: never, ...rest: never[]) => unknown)[] | undefined;
}

const directPlans = new WeakMap<object, DirectPlan>();

/** What `directFns` reads of a tapable hook. */
interface TappedHook {
  readonly taps: readonly { readonly type: string; readonly fn: object }[];
  readonly interceptors: readonly unknown[];
}

/** Taps are added at setup, so the plan is built once; it is rebuilt if the tap list changed. */
function directFns(hook: TappedHook): readonly ((...args: never[]) => unknown)[] | undefined {
  const taps = hook.taps;
  let plan = directPlans.get(hook);
  if (!plan || !sameTaps(plan.taps, taps)) {
    const fns = taps.map((tap) => (tap.type === 'promise' ? plainFns.get(tap.fn) : undefined));
    plan = { taps: [...taps], fns: fns.every((fn) => fn !== undefined) ? fns : undefined };
    directPlans.set(hook, plan);
  }
  return hook.interceptors.length > 0 ? undefined : plan.fns;
}

function sameTaps(known: readonly object[], taps: readonly object[]): boolean {
  if (known.length !== taps.length) return false;
  for (let index = 0; index < taps.length; index++) if (known[index] !== taps[index]) return false;
  return true;
}

/** True for a promise or any object with a `then` method (what `await` would wait for). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs a series hook (`commit`): each tap after the one before settled, the first failure stops
 * it. Same order and outcome as `hook.promise(arg)`, but taps that finish synchronously cost no
 * promise: returns undefined when every tap did, else a promise of the rest (whose value means nothing).
 */
export function callSeries<T>(hook: AsyncSeriesHook<[T]>, arg: T): PromiseLike<unknown> | undefined {
  const fns = directFns(hook);
  if (!fns) return hook.promise(arg);
  for (let index = 0; index < fns.length; index++) {
    const result = (fns[index] as (arg: T) => unknown)(arg);
    if (!isThenable(result)) continue;
    // The last tap's own promise is the rest (its value is of no interest to the caller).
    return index === fns.length - 1 ? result : finishSeries(fns as readonly ((arg: T) => unknown)[], index + 1, result, arg);
  }
  return undefined;
}

async function finishSeries<T>(fns: readonly ((arg: T) => unknown)[], from: number, pending: PromiseLike<unknown>, arg: T): Promise<void> {
  await pending;
  for (let index = from; index < fns.length; index++) await fns[index]!(arg);
}

/**
 * Runs a parallel hook (`publish`): every tap is called at once, the first failure rejects. Same
 * as `hook.promise(arg)`; returns undefined when every tap finished synchronously.
 */
export function callParallel<T>(hook: AsyncParallelHook<[T]>, arg: T): Promise<void> | undefined {
  const fns = directFns(hook);
  if (!fns) return hook.promise(arg);
  let pending: PromiseLike<unknown>[] | undefined;
  for (const fn of fns) {
    let result: unknown;
    try {
      result = (fn as (arg: T) => unknown)(arg);
    } catch (error) {
      // A tap that throws does not stop the others; the hook rejects with its error.
      result = Promise.reject(error);
    }
    if (isThenable(result)) (pending ??= []).push(result);
  }
  if (!pending) return undefined;
  return Promise.all(pending).then(() => undefined);
}

/**
 * Runs the `dispatch` hook: taps in order until one returns a result (not undefined or null),
 * which it resolves with. Same as `hook.promise(command, context)`.
 */
export async function callBail(hook: KernelHooks['dispatch'], command: Command, context: DispatchContext): Promise<DispatchResult | undefined> {
  const fns = directFns(hook);
  if (!fns) return hook.promise(command, context);
  for (const fn of fns) {
    let result = (fn as (command: Command, context: DispatchContext) => unknown)(command, context);
    if (isThenable(result)) result = await result;
    if (result !== undefined && result !== null) return result as DispatchResult;
  }
  return undefined;
}
