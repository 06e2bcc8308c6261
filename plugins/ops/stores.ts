/**
 * @module @starmodel/ops/stores
 * The stores the app's entities use: a cheap question to each for readiness, and counting of
 * failed store operations. Counting wraps each store in a transparent proxy, provided again
 * under the same name before the kernel prepares them (the kernel has no store hook yet).
 */
import { isVersionConflict, type EntityMeta, type Kernel, type PluginApi, type Store } from 'starmodel';
import type { OpsMetrics } from './metrics.js';

/** A store that can answer "are you there?" more cheaply than a query (proposed for the Store interface). */
export interface PingableStore extends Store {
  ping(): Promise<void>;
}

function canPing(store: Store): store is PingableStore {
  return typeof (store as Partial<PingableStore>).ping === 'function';
}

/** Store names the registered entities use, each with one entity that uses it. */
export function storesInUse(kernel: Kernel): Map<string, EntityMeta> {
  const byStore = new Map<string, EntityMeta>();
  for (const meta of kernel.registry.all()) if (!byStore.has(meta.store)) byStore.set(meta.store, meta);
  return byStore;
}

/** Asks a store to answer: `ping()` when it has one, else the smallest `find`. */
export async function probeStore(store: Store, meta: EntityMeta): Promise<void> {
  if (canPing(store)) await store.ping();
  else await store.find(meta, { limit: 1 });
}

const OPERATIONS = new Set(['prepare', 'get', 'save', 'delete', 'find', 'restore', 'ping']);

/**
 * The same store, counting failed operations in `store_errors_total`. Methods run on the real
 * store (so its private fields work) and `instanceof` still sees the real class.
 */
export function countingStore(name: string, store: Store, metrics: OpsMetrics): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string' || typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!OPERATIONS.has(key)) return method.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await method.apply(target, args);
        } catch (error) {
          // A lost version race is how optimistic concurrency works, not a store failure.
          if (!isVersionConflict(error)) metrics.storeErrors.inc({ store: name, operation: key });
          throw error;
        }
      };
    },
  });
}

/** Replaces each store in use by its counting proxy (one proxy per store instance). */
export function instrumentStores(api: PluginApi, metrics: OpsMetrics): void {
  const wrapped = new WeakMap<Store, Store>();
  for (const name of storesInUse(api.kernel).keys()) {
    const store = api.kernel.store(name);
    if (!store) continue;
    let proxy = wrapped.get(store);
    if (!proxy) wrapped.set(store, (proxy = countingStore(name, store, metrics)));
    api.provideStore(name, proxy);
  }
}
