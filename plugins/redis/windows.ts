/**
 * @module @starmodel/redis/windows
 * Sliding-window attempt counters shared by every instance (rate limits that hold behind a load
 * balancer): each window is a sorted set of attempt times under `<prefix>:window:<sha256 of key>`.
 * Checking and counting happen in one Lua script, so concurrent attempts on any number of
 * instances cannot all pass the check before one is counted.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { unavailable } from './errors.js';

/** Shared sliding windows (the `windows` of the redis service). */
export interface SharedWindows {
  /** Checks and counts one attempt in one step: 0 when counted, else the milliseconds to wait (nothing counted). */
  reserve(key: string, max: number, windowMs: number): Promise<number>;
  /** Takes back the newest counted attempt of `key`. */
  release(key: string): Promise<void>;
  /** Forgets `key`. */
  reset(key: string): Promise<void>;
}

// KEYS[1] the window; ARGV now (ms), window (ms), max, a unique member.
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local count = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[3])
if count >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], count - max, count - max, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])
  if wait < 1 then wait = 1 end
  return wait
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 0
`;

/** Windows on the command connection, under `prefix`. */
export function sharedWindows(commands: () => Redis, prefix: string): SharedWindows {
  // Keys hold emails and addresses: hashed, so no personal data sits in key names.
  const keyOf = (key: string) => `${prefix}:window:${createHash('sha256').update(key).digest('base64url')}`;
  const run = async <T>(work: (redis: Redis) => Promise<T>): Promise<T> => {
    try {
      return await work(commands());
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
    reserve: (key, max, windowMs) => run(async (redis) => {
      const now = Date.now();
      const wait = await redis.eval(RESERVE, 1, keyOf(key), now, windowMs, max, `${now}-${randomBytes(6).toString('base64url')}`);
      return Number(wait);
    }),
    release: (key) => run(async (redis) => { await redis.zpopmax(keyOf(key)); }),
    reset: (key) => run(async (redis) => { await redis.del(keyOf(key)); }),
  };
}
