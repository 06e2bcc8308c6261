/**
 * @module context
 * The dispatch context of the event running now, for code that is not handed it (stores, helpers
 * called from a method). Backed by AsyncLocalStorage, so it follows awaits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DispatchContext } from './change.js';

const storage = new AsyncLocalStorage<DispatchContext>();

/** The context of the event being dispatched, or undefined outside a dispatch. */
export function currentDispatch(): DispatchContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `context` as the current dispatch context. */
export function runInDispatch<T>(context: DispatchContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}
