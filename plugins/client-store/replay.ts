/**
 * @module @starmodel/client-store/replay
 * The versions this process last signed, per entity, so an older signed state sent again (a
 * replay, or a stale tab) can be refused. In memory only: bounded in size and age.
 *
 * A bound means forgetting, and forgetting must not reopen the door: before, a flood of new
 * states (100,050 anonymous requests) pushed an entity out and its old state was accepted again.
 * Now every token carries its signing time, and the memory keeps a *watermark*: the newest
 * signing time of any entity it had to forget for room. A state of an entity it does not
 * remember is accepted only if it was signed after the watermark; one signed at or before it may
 * be an older copy of a forgotten entity and is refused (`SM_CLIENT_STATE_FORGOTTEN`), so the
 * browser resets it. No flood, of any size, from any number of sessions, makes an old state
 * acceptable; the price of a flood is that states not used since have to start again.
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

/** Why a signed state may not be used. */
export type ReplayRefusal =
  /** A newer version of the entity was signed. */
  | { readonly reason: 'stale'; readonly latest: number }
  /** The entity was forgotten for room after this state was signed: it cannot be told from a replay. */
  | { readonly reason: 'forgotten' };

interface Entry {
  readonly version: number;
  readonly signedAt: number;
  readonly expiresAt: number;
}

/** Remembers the latest signed version of each client-held entity. */
export class ReplayMemory {
  readonly #versions = new Map<string, Entry>();
  readonly #now: () => number;
  #watermark = Number.NEGATIVE_INFINITY;

  constructor(private readonly limits: ReplayLimits) {
    this.#now = limits.now ?? Date.now;
  }

  #key(type: string, id: string): string {
    return `${type}\u0000${id}`;
  }

  #entry(type: string, id: string): Entry | undefined {
    const key = this.#key(type, id);
    const entry = this.#versions.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#versions.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The latest version signed for this entity, or undefined when none is remembered. */
  latest(type: string, id: string): number | undefined {
    return this.#entry(type, id)?.version;
  }

  /**
   * Whether a genuine state of `version`, signed at `signedAt` (0 when its token has no time), may
   * be used: undefined when it may, else why not.
   */
  check(type: string, id: string, version: number, signedAt: number): ReplayRefusal | undefined {
    const entry = this.#entry(type, id);
    if (entry) return version < entry.version ? { reason: 'stale', latest: entry.version } : undefined;
    return signedAt <= this.#watermark ? { reason: 'forgotten' } : undefined;
  }

  /** Records a newly signed version (and makes it the most recent entry). */
  remember(type: string, id: string, version: number, signedAt: number = this.#now()): void {
    const key = this.#key(type, id);
    this.#versions.delete(key);
    const now = this.#now();
    this.#versions.set(key, { version, signedAt, expiresAt: now + this.limits.ttlMs });
    // Map iteration follows insertion order, so the first keys are the least recently signed.
    for (const [oldest, entry] of this.#versions) {
      if (this.#versions.size <= this.limits.maxEntries) break;
      this.#versions.delete(oldest);
      // An expired entry protected nothing any more; a live one moves the watermark.
      if (entry.expiresAt > now && entry.signedAt > this.#watermark) this.#watermark = entry.signedAt;
    }
  }

  /** Forgets an entity (it was deleted); returns whether it was remembered. */
  forget(type: string, id: string): boolean {
    return this.#versions.delete(this.#key(type, id));
  }

  /** How many entities are remembered now. */
  get size(): number {
    return this.#versions.size;
  }

  /** The newest signing time of an entity forgotten for room (states signed up to it are refused unless remembered). */
  get watermark(): number {
    return this.#watermark;
  }
}
