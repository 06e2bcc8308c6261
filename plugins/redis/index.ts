/**
 * @module @starmodel/redis
 * Redis for StarModel: the `redis` store (`static store = 'redis'`) and the bus that carries every
 * change between instances, so several processes behind a load balancer are one app.
 *
 * ```ts
 * // starmodel.config.ts (REDIS_URL in the environment is enough; options override it)
 * export default defineConfig({ plugins: { '@starmodel/redis': { url: 'redis://127.0.0.1:6379', prefix: 'myapp' } } });
 * ```
 *
 * Without a URL the plugin stays inert: no connection, and entities in the redis store answer
 * 503 SM_STORE_UNAVAILABLE saying to set REDIS_URL.
 */
import type { PluginApi, StarmodelPlugin } from 'starmodel';
import { ChangeBridge, type BridgeStats } from './bridge.js';
import { RedisConnections, type RedisHealth } from './connection.js';
import { notConfigured } from './errors.js';
import { sharedWindows, type SharedWindows } from './windows.js';
import { parseRedisOptions, type RedisOptions } from './options.js';
import { RedisStore } from './store.js';

export type { BridgeStats } from './bridge.js';
export type { RedisHealth } from './connection.js';
export type { RedisOptions } from './options.js';
export type { SharedWindows } from './windows.js';
export { RedisStore, serializeRecord } from './store.js';

/** What the plugin offers other plugins (`kernel.service('redis')`), e.g. for readiness checks. */
export interface RedisService {
  /** False when no URL is configured (the plugin is inert). */
  readonly configured: boolean;
  /** The key prefix (and channel prefix) in use. */
  readonly prefix: string;
  /** `host:port[/db]` of the configured Redis, without credentials. */
  readonly target: string | undefined;
  /** PINGs Redis; never throws. Not configured gives `{ ok: false, configured: false }`. */
  ping(): Promise<RedisHealth>;
  /** Counters of the bus between instances. */
  bridgeStats(): BridgeStats;
  /** Sliding-window counters every instance shares (rate limits); absent when not configured. */
  readonly windows?: SharedWindows;
}

declare module 'starmodel' {
  interface Services {
    redis: RedisService;
  }
}

/** Names this process's connections in CLIENT LIST: `<prefix>-<first 8 of the instance id>`. */
export function connectionLabel(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId.slice(0, 8)}`;
}

const NO_TRAFFIC: BridgeStats = { sent: 0, received: 0, missed: 0, ignored: 0, resyncs: 0 };

function installInert(api: PluginApi, options: RedisOptions): void {
  const warned = new Set<string>();
  api.provideStore('redis', new RedisStore({
    prefix: options.prefix, client: () => undefined, missing: notConfigured,
    onUnconfigured: (meta) => {
      if (warned.has(meta.name)) return;
      warned.add(meta.name);
      api.log.warn(`${meta.name} uses the redis store but REDIS_URL is not set: its events answer 503 until it is.`);
    },
  }));
  api.provide('redis', {
    configured: false, prefix: options.prefix, target: undefined, bridgeStats: () => NO_TRAFFIC,
    ping: async () => ({ ok: false, configured: false, status: 'not configured', message: 'REDIS_URL is not set' }),
  });
}

function install(api: PluginApi, options: RedisOptions, url: string): void {
  const connections = new RedisConnections(url, options, api.log, connectionLabel(options.prefix, api.kernel.instanceId));
  const store = new RedisStore({ prefix: options.prefix, client: () => connections.commands, missing: notConfigured });
  const bridge = new ChangeBridge(api.kernel, connections, { channel: `${options.prefix}:changes`, localStores: options.localStores, log: api.log });
  api.provideStore('redis', store);
  bridge.install(api.hooks);
  api.hooks.setup.tap(async () => {
    await connections.open();
    bridge.started();
    if (connections.available) api.log.info(`connected to Redis at ${connections.target} (prefix "${options.prefix}")`);
  });
  api.hooks.close.tap(async () => {
    bridge.close();
    await connections.close();
  });
  api.provide('redis', {
    configured: true, prefix: options.prefix, target: connections.target,
    ping: () => connections.ping(),
    bridgeStats: () => bridge.stats,
    windows: sharedWindows(() => connections.commands, options.prefix),
  });
}

/** Creates the Redis plugin from its config options (see {@link RedisOptions}). */
export default function redisPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseRedisOptions(options);
  return {
    setup(api) {
      if (parsed.url === undefined) installInert(api, parsed);
      else install(api, parsed, parsed.url);
    },
  };
}
