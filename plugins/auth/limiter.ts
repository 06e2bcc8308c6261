/**
 * @module @starmodel/auth/limiter
 * Sliding-window attempt counters. Each key (an account's email, a client address) keeps the
 * times of its last `max` counted attempts; once `max` of them fall inside the window, the next
 * attempt is refused until the oldest of them leaves it.
 *
 * An attempt is counted when it is *reserved*, before the password hash runs, in one atomic step
 * with the check: a burst of concurrent attempts cannot all pass the check before any is counted.
 * In process memory by default (bounded: at most `maxKeys` keys, the least recently counted
 * dropped first); with Redis configured the counters live there (see `redisLimiter` in
 * `@starmodel/redis`'s service), so several instances share one limit.
 */

/** Where attempts are counted: this process, or a store shared by every instance. */
export interface AttemptLimiter {
  readonly rule: LimitRule;
  /** Checks and counts one attempt for `key` in one step: 0 when counted, else the milliseconds to wait (nothing counted). */
  reserve(key: string): Promise<number>;
  /** Takes back the newest counted attempt of `key` (an attempt that turned out to be legitimate). */
  release(key: string): Promise<void>;
  /** Forgets `key` (after a successful sign-in). */
  reset(key: string): Promise<void>;
}

/** A limit: at most `max` counted attempts per `windowSeconds`. */
export interface LimitRule {
  readonly max: number;
  readonly windowSeconds: number;
}

/** One sliding window per key. */
export class SlidingWindowLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly #windowMs: number;

  constructor(readonly rule: LimitRule, private readonly now: () => number = Date.now, private readonly maxKeys = 100_000) {
    this.#windowMs = rule.windowSeconds * 1000;
  }

  #recent(key: string): number[] {
    const hits = this.#hits.get(key);
    if (!hits) return [];
    const since = this.now() - this.#windowMs;
    const recent = hits.filter((at) => at > since);
    if (recent.length === 0) this.#hits.delete(key);
    else if (recent.length !== hits.length) this.#hits.set(key, recent);
    return recent;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const recent = this.#recent(key);
    if (recent.length < this.rule.max) return 0;
    const oldestCounted = recent[recent.length - this.rule.max]!;
    return Math.max(1, oldestCounted + this.#windowMs - this.now());
  }

  /** Counts one attempt for `key`. */
  hit(key: string): void {
    const recent = this.#recent(key);
    recent.push(this.now());
    // Only the last `max` times matter; re-inserting moves the key to the end (most recent).
    this.#hits.delete(key);
    this.#hits.set(key, recent.slice(-this.rule.max));
    while (this.#hits.size > this.maxKeys) {
      const oldest = this.#hits.keys().next().value;
      if (oldest === undefined) break;
      this.#hits.delete(oldest);
    }
  }

  /** Forgets `key` (after a successful sign-in). */
  reset(key: string): void {
    this.#hits.delete(key);
  }

  /** Checks and counts in one synchronous step (see {@link AttemptLimiter.reserve}). */
  tryReserve(key: string): number {
    const wait = this.retryAfterMs(key);
    if (wait === 0) this.hit(key);
    return wait;
  }

  /** Takes back the newest counted attempt of `key`. */
  unhit(key: string): void {
    const hits = this.#hits.get(key);
    if (!hits) return;
    hits.pop();
    if (hits.length === 0) this.#hits.delete(key);
  }

  /** Number of keys held (for specs and metrics). */
  get size(): number {
    return this.#hits.size;
  }
}

/** An {@link AttemptLimiter} over an in-process {@link SlidingWindowLimiter}. */
export function memoryLimiter(window: SlidingWindowLimiter): AttemptLimiter {
  return {
    rule: window.rule,
    reserve: async (key) => window.tryReserve(key),
    release: async (key) => window.unhit(key),
    reset: async (key) => window.reset(key),
  };
}
