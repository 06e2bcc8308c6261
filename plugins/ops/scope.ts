/**
 * @module @starmodel/ops/scope
 * The request being served now, for code that is not handed it: event taps (to tie an event to
 * its request) and the logger (to stamp every line with the request id). Backed by
 * AsyncLocalStorage, so it follows awaits from the HTTP middleware into the kernel's hooks.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventObservation } from './events.js';

/** One HTTP request as the operations plugin follows it. */
export interface RequestScope {
  /** The request id (from a sane `X-Request-Id`, or generated); echoed on the response. */
  readonly id: string;
  /** Events this request dispatched (usually one). */
  readonly events: EventObservation[];
}

// One store per process, even when two copies of this module are loaded (two installs, or a test
// runner mixing require and import): the logger of one copy must see requests served by the other.
const kStorage = Symbol.for('starmodel.ops.request-scope');
const holder = globalThis as unknown as Record<typeof kStorage, AsyncLocalStorage<RequestScope> | undefined>;
const storage = (holder[kStorage] ??= new AsyncLocalStorage<RequestScope>());

/** The request being served, or undefined outside one. */
export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

/** Runs `fn` as part of `scope`. */
export function runInRequest<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}
