/**
 * @module @starmodel/auth/shared-limiter
 * Attempt counters in Redis, through the `windows` of the redis plugin's service, so every
 * instance of the app counts against one limit. Looked up on first use: the redis plugin may be
 * set up after this one. Without Redis configured the in-process counters are used.
 */
import type { AttemptLimiter, LimitRule } from './limiter.js';

/** What the auth plugin needs of `@starmodel/redis`'s shared windows (structural: no import of that plugin). */
export interface SharedWindowsLike {
  reserve(key: string, max: number, windowMs: number): Promise<number>;
  release(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** The shared windows of a service value, when it is a configured redis service that has them. */
export function sharedWindowsOf(service: unknown): SharedWindowsLike | undefined {
  const candidate = service as { configured?: unknown; windows?: Partial<SharedWindowsLike> } | undefined;
  const windows = candidate?.configured === true ? candidate.windows : undefined;
  if (!windows || typeof windows.reserve !== 'function' || typeof windows.release !== 'function' || typeof windows.reset !== 'function') return undefined;
  return windows as SharedWindowsLike;
}

/** A limiter named `name` in the shared windows when `shared()` finds them, else `local`. */
export function sharedLimiter(name: string, rule: LimitRule, shared: () => SharedWindowsLike | undefined, local: AttemptLimiter): AttemptLimiter {
  const windowMs = rule.windowSeconds * 1000;
  const keyOf = (key: string) => `auth:${name}:${key}`;
  return {
    rule,
    reserve: (key) => shared()?.reserve(keyOf(key), rule.max, windowMs) ?? local.reserve(key),
    release: (key) => shared()?.release(keyOf(key)) ?? local.release(key),
    reset: (key) => shared()?.reset(keyOf(key)) ?? local.reset(key),
  };
}
