/**
 * @module hooks
 * The kernel's hooks and the tap-only facade handed to plugins. One small runner of our own:
 * taps ordered by stage (as tapable orders them), called directly, and no promise at all when
 * every tap of a hook finishes synchronously (the common case on the event path).
 *
 * | hook       | runs as              | called                                   | a tap may                                              |
 * |------------|----------------------|------------------------------------------|--------------------------------------------------------|
 * | `dispatch` | series, bail         | for every event, after argument binding  | validate, authorize, enrich; return a result to take over; throw to refuse |
 * | `commit`   | series               | after the method, before anyone hears    | persist, audit; a throw aborts: nothing is published, the entity is rolled back |
 * | `publish`  | parallel             | after a successful commit                | deliver (SSE, other instances, metrics); a throw is logged, the others still run |
 * | `setup`    | series               | once, after every plugin's factory ran   | prepare resources                                      |
 * | `entity`   | sync (rejections reported) | when an entity class is registered | inspect or add routes for it                           |
 * | `ready`    | series               | when the app starts serving              | listen on ports, start workers                         |
 * | `close`    | series, reverse order | on shutdown, last registered first      | release what the plugin opened; a failure is reported, the rest still close |
 */
import type { Change, Command, DispatchContext, DispatchResult, UnitOfWork } from './change.js';
import type { EntityMeta } from './registry.js';

/** Ordering of a tap: lower `stage` runs first; `before` names taps (plugin names) to run ahead of. */
export interface TapOptions {
  readonly stage?: number;
  readonly before?: string;
}

/** One tap: the plugin that added it, its stage, and the function as the plugin gave it. */
export interface Tap<Args extends unknown[]> {
  readonly name: string;
  readonly stage: number;
  readonly before: string | undefined;
  readonly fn: (...args: Args) => unknown;
}

/**
 * A hook: taps kept in the order they run. Ordered as tapable orders them (by stage, then by the
 * order added, a `before` tap ahead of the taps it names); the kernel calls the functions itself
 * (see `callSeries`, `callParallel`, `callBail`), with no promise for taps that finish synchronously.
 */
export class Hook<Args extends unknown[]> {
  #taps: Tap<Args>[] = [];
  /** The functions in running order; a new array whenever a tap is added. */
  fns: readonly ((...args: Args) => unknown)[] = [];

  /** The taps in running order. */
  get taps(): readonly Tap<Args>[] {
    return this.#taps;
  }

  /** Adds a tap in its place: after every tap of a lower or equal stage, ahead of the taps it names in `before`. */
  add(name: string, fn: (...args: Args) => unknown, options: TapOptions = {}): void {
    const tap: Tap<Args> = { name, stage: options.stage ?? 0, before: options.before, fn };
    // Walk back from the end: past every tap of a higher stage, and past the named tap and all after it.
    let pendingBefore = tap.before;
    let index = this.#taps.length;
    while (index > 0) {
      const previous = this.#taps[index - 1]!;
      if (pendingBefore !== undefined && this.#taps.slice(0, index).some((each) => each.name === pendingBefore)) {
        if (previous.name === pendingBefore) pendingBefore = undefined;
        index--;
        continue;
      }
      if (previous.stage > tap.stage) index--;
      else break;
    }
    this.#taps = [...this.#taps.slice(0, index), tap, ...this.#taps.slice(index)];
    this.fns = this.#taps.map((each) => each.fn);
  }
}

/** The full hooks, owned by the kernel (it alone calls them). */
export class KernelHooks {
  readonly dispatch = new Hook<[Command, DispatchContext]>();
  readonly commit = new Hook<[UnitOfWork]>();
  readonly publish = new Hook<[Change]>();
  readonly setup = new Hook<[]>();
  readonly entity = new Hook<[EntityMeta]>();
  readonly ready = new Hook<[]>();
  /** Close taps; run last-registered first (see `callClose`). */
  readonly close = new Hook<[]>();
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
  const tappable = <Args extends unknown[]>(hook: Hook<Args>) => ({ tap: (fn: (...args: Args) => unknown, options?: TapOptions) => hook.add(name, fn, options) });
  return {
    dispatch: tappable(hooks.dispatch), commit: tappable(hooks.commit), publish: tappable(hooks.publish),
    setup: tappable(hooks.setup), entity: tappable(hooks.entity), ready: tappable(hooks.ready),
    // Close taps take no ordering: the last plugin set up closes first.
    close: { tap: (fn) => hooks.close.add(name, fn) },
  };
}

/** Names of the taps on each kernel hook, in the order they run (for `starmodel plugins`). */
export function describeTaps(hooks: KernelHooks): Record<string, { name: string; stage: number }[]> {
  const list = (hook: { readonly taps: readonly { name: string; stage: number }[] }) => hook.taps.map((tap) => ({ name: tap.name, stage: tap.stage }));
  return {
    dispatch: list(hooks.dispatch), commit: list(hooks.commit), publish: list(hooks.publish),
    setup: list(hooks.setup), entity: list(hooks.entity), ready: list(hooks.ready),
    close: [...hooks.close.taps].reverse().map((tap) => ({ name: tap.name, stage: 0 })),
  };
}

/** True for a promise or any object with a `then` method (what `await` would wait for). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs a series hook (`commit`, `setup`, `ready`): each tap after the one before settled, the
 * first failure stops it. Taps that finish synchronously cost no promise: returns undefined when
 * every tap did, else a promise of the rest (whose value means nothing).
 */
export function callSeries<Args extends unknown[]>(hook: Hook<Args>, ...args: Args): PromiseLike<unknown> | undefined {
  const fns = hook.fns;
  for (let index = 0; index < fns.length; index++) {
    const result = fns[index]!(...args);
    if (!isThenable(result)) continue;
    // The last tap's own promise is the rest (its value is of no interest to the caller).
    return index === fns.length - 1 ? result : finishSeries(fns, index + 1, result, args);
  }
  return undefined;
}

async function finishSeries<Args extends unknown[]>(fns: readonly ((...args: Args) => unknown)[], from: number, pending: PromiseLike<unknown>, args: Args): Promise<void> {
  await pending;
  for (let index = from; index < fns.length; index++) await fns[index]!(...args);
}

/**
 * Runs a parallel hook (`publish`): every tap is called at once, and a tap that throws does not
 * stop the others; the first failure rejects. Returns undefined when every tap finished synchronously.
 */
export function callParallel<T>(hook: Hook<[T]>, arg: T): Promise<void> | undefined {
  let pending: PromiseLike<unknown>[] | undefined;
  for (const fn of hook.fns) {
    let result: unknown;
    try {
      result = fn(arg);
    } catch (error) {
      result = Promise.reject(error);
    }
    if (isThenable(result)) (pending ??= []).push(result);
  }
  if (!pending) return undefined;
  return Promise.all(pending).then(() => undefined);
}

/** Runs the `dispatch` hook: taps in order until one returns a result (not undefined or null), which it resolves with. */
export async function callBail(hook: KernelHooks['dispatch'], command: Command, context: DispatchContext): Promise<DispatchResult | undefined> {
  for (const fn of hook.fns) {
    let result = fn(command, context);
    if (isThenable(result)) result = await result;
    if (result !== undefined && result !== null) return result as DispatchResult;
  }
  return undefined;
}

/**
 * Runs a sync hook (`entity`) for a value: every tap, in order. A tap that returns a promise is
 * not waited for, but its rejection is reported, never dropped.
 */
export function callSync<T>(hook: Hook<[T]>, arg: T, report: (error: unknown, tap: string) => void): void {
  for (const tap of hook.taps) {
    const result = tap.fn(arg);
    if (isThenable(result)) result.then(undefined, (error: unknown) => report(error, tap.name));
  }
}

/** Runs the `close` hook: last registered first, each awaited; a failure is reported and the rest still run. */
export async function callClose(hook: Hook<[]>, report: (error: unknown, tap: string) => void): Promise<void> {
  for (const tap of [...hook.taps].reverse()) {
    try {
      await tap.fn();
    } catch (error) {
      report(error, tap.name);
    }
  }
}
