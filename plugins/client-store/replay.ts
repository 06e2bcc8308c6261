/**
 * @module @starmodel/client-store/replay
 * The versions this process last signed, per entity, so an older signed state sent again (a
 * replay, or a stale tab) can be refused. In memory only: bounded in size and age.
 */

/** Limits of the replay memory. */
export interface ReplayLimits {
  /** How long a version is remembered after it was signed, in milliseconds. */
  readonly ttlMs: number;
  /** How many entities are remembered; the least recently signed are forgotten first. */
  readonly maxEntries: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** Remembers the latest signed version of each client-held entity. */
export class ReplayMemory {
  readonly #versions = new Map<string, { version: number; expiresAt: number }>();
  readonly #now: () => number;

  constructor(private readonly limits: ReplayLimits) {
    this.#now = limits.now ?? Date.now;
  }

  #key(type: string, id: string): string {
    return `${type}\u0000${id}`;
  }

  /** The latest version signed for this entity, or undefined when none is remembered. */
  latest(type: string, id: string): number | undefined {
    const key = this.#key(type, id);
    const entry = this.#versions.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#versions.delete(key);
      return undefined;
    }
    return entry.version;
  }

  /** Records a newly signed version (and makes it the most recent entry). */
  remember(type: string, id: string, version: number): void {
    const key = this.#key(type, id);
    this.#versions.delete(key);
    this.#versions.set(key, { version, expiresAt: this.#now() + this.limits.ttlMs });
    // Map iteration follows insertion order, so the first keys are the least recently signed.
    for (const oldest of this.#versions.keys()) {
      if (this.#versions.size <= this.limits.maxEntries) break;
      this.#versions.delete(oldest);
    }
  }

  /** Forgets an entity; returns whether it was remembered. */
  forget(type: string, id: string): boolean {
    return this.#versions.delete(this.#key(type, id));
  }

  /** How many entities are remembered now. */
  get size(): number {
    return this.#versions.size;
  }
}
