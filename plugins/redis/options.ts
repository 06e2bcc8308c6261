/**
 * @module @starmodel/redis/options
 * The plugin's options, narrowed from the config's untyped values (and the environment).
 */
import { StarmodelError } from 'starmodel';

/** Options of `@starmodel/redis` (in starmodel.config.ts: `plugins: { '@starmodel/redis': { ... } }`). */
export interface RedisOptions {
  /**
   * Where Redis is (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS). Unset (and no
   * `REDIS_URL`) leaves the plugin inert: its store answers 503 and no connection is opened.
   * @default process.env.REDIS_URL
   */
  url: string | undefined;
  /**
   * First part of every key and of the channel, so several apps (or test runs) can share one Redis.
   * @default process.env.REDIS_PREFIX or 'starmodel'
   */
  prefix: string;
  /** A command without an answer after this many milliseconds fails (503). @default 2000 */
  commandTimeoutMs: number;
  /** Giving up on one connection attempt after this many milliseconds. @default 2000 */
  connectTimeoutMs: number;
  /** Longest pause between reconnection attempts, i.e. how soon a returning Redis is noticed. @default 1000 */
  retryMaxDelayMs: number;
  /**
   * Stores whose entities are not shared between processes: their changes are not sent to other
   * instances, because another instance keeps a different state under the same id. @default ['memory']
   */
  localStores: readonly string[];
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Turns the config's options (and REDIS_URL / REDIS_PREFIX) into RedisOptions; a wrong value names its key. */
export function parseRedisOptions(raw: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): RedisOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/redis"].${key}`, reason });
  const milliseconds = (key: string, fallback: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw fail(key, 'must be a positive whole number of milliseconds.');
    return value;
  };

  const url = raw.url ?? (env.REDIS_URL || undefined);
  if (url !== undefined) {
    if (typeof url !== 'string') throw fail('url', 'must be a string such as "redis://127.0.0.1:6379".');
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      // The URL itself is not echoed: it may carry a password.
      throw fail('url', 'is not a URL; use the form redis://[user:password@]host:port[/db] (REDIS_URL or the "url" option).');
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') throw fail('url', `must start with redis:// or rediss://, not ${protocol}//.`);
  }

  const prefix = raw.prefix ?? (env.REDIS_PREFIX || 'starmodel');
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw fail('prefix', 'must be 1-100 letters, digits or _ . : - (REDIS_PREFIX or the "prefix" option).');

  const localStores = raw.localStores ?? ['memory'];
  if (!Array.isArray(localStores) || !localStores.every((name): name is string => typeof name === 'string')) throw fail('localStores', 'must be a list of store names.');

  return {
    url, prefix, localStores,
    commandTimeoutMs: milliseconds('commandTimeoutMs', 2000),
    connectTimeoutMs: milliseconds('connectTimeoutMs', 2000),
    retryMaxDelayMs: milliseconds('retryMaxDelayMs', 1000),
  };
}

/** `host:port/db` of a Redis URL, without credentials, for logs and health reports. */
export function describeTarget(url: string): string {
  const parsed = new URL(url);
  const db = parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : '';
  return `${parsed.hostname}:${parsed.port || '6379'}${db}`;
}
