/**
 * @module context
 * The dispatch context of the event running now, for code that is not handed it (stores, helpers
 * called from a method). Backed by AsyncLocalStorage, so it follows awaits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DispatchContext } from './change.js';

const storage = new AsyncLocalStorage<DispatchContext>();
// On Node 20 a running AsyncLocalStorage puts a hook on every promise of the process (~15-25 us
// per web request in bench/): only pay for it when a plugin reads the context.
let enabled = false;

/**
 * Makes `currentDispatch()` work: call it from the `setup` of a plugin that reads the context
 * (client-store, jobs). Until one does, events run without AsyncLocalStorage.
 */
export function useDispatchContext(): void {
  enabled = true;
}

let warned = false;

/** The context of the event being dispatched, or undefined outside a dispatch (and until `useDispatchContext()` ran). */
export function currentDispatch(): DispatchContext | undefined {
  if (!enabled && !warned) {
    warned = true;
    process.emitWarning('currentDispatch() was called but no plugin called useDispatchContext() in its setup, so it returns undefined. Call useDispatchContext() from the setup of the plugin that reads the context.', { code: 'STARMODEL_DISPATCH_CONTEXT' });
  }
  return enabled ? storage.getStore() : undefined;
}

/** True once a plugin called `useDispatchContext()` (the kernel skips `runInDispatch` until then). */
export function dispatchContextEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with `context` as the current dispatch context. */
export function runInDispatch<T>(context: DispatchContext, fn: () => Promise<T>): Promise<T> {
  return enabled ? storage.run(context, fn) : fn();
}
