/**
 * @module @starmodel/auth/sessions
 * The server-side session → user mapping. A signed-in browser's session id (from the web plugin's
 * signed cookie) maps to a user id in the session store, under the SHA-256 of the session id, with
 * a TTL. Because the mapping lives on the server, signing out (here, everywhere, or by a password
 * change) takes effect on every device at its next request: no cookie needs to change there.
 */
import { createHash } from 'node:crypto';
import { isVersionConflict, type EntityMeta, type Kernel, type Store } from 'starmodel';

/** Sessions of one app. */
export class SessionDirectory {
  constructor(private readonly kernel: Kernel, private readonly meta: () => EntityMeta, private readonly ttlSeconds: number) {}

  get #store(): Store {
    return this.kernel.storeFor(this.meta());
  }

  /** The record id of a session: its id is never stored, only this digest. */
  static keyOf(sessionId: string): string {
    return createHash('sha256').update(sessionId).digest('base64url');
  }

  /** The user signed in on this session, or undefined. */
  async userIdOf(sessionId: string): Promise<string | undefined> {
    const record = await this.#store.get(this.meta(), SessionDirectory.keyOf(sessionId));
    if (!record || (record.expiresAt !== undefined && record.expiresAt <= Date.now())) return undefined;
    const userId = record.state.userId;
    return typeof userId === 'string' && userId.length > 0 ? userId : undefined;
  }

  /** Signs `userId` in on this session (a fresh session id, so normally a new record). */
  async open(sessionId: string, userId: string): Promise<void> {
    const id = SessionDirectory.keyOf(sessionId);
    const request = { id, state: { userId }, expectedVersion: 0, ttlSeconds: this.ttlSeconds };
    try {
      await this.#store.save(this.meta(), request);
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
      // The id already maps to someone (it should not: ids are rotated at sign-in). Replace it.
      await this.#store.delete(this.meta(), id);
      await this.#store.save(this.meta(), request);
    }
  }

  /** Signs this session out. */
  async close(sessionId: string): Promise<void> {
    await this.#store.delete(this.meta(), SessionDirectory.keyOf(sessionId));
  }

  /** Signs a user out of every session (but `keep`, when given); returns how many ended. */
  async closeAllOf(userId: string, keep?: string): Promise<number> {
    const kept = keep === undefined ? undefined : SessionDirectory.keyOf(keep);
    let ended = 0;
    // Bounded pages; deleting shrinks the result, so always read the first page again.
    for (let round = 0; round < 1000; round++) {
      const page = await this.#store.find(this.meta(), { where: { userId }, orderBy: [{ field: 'id' }], limit: 200 });
      const doomed = page.items.filter((record) => record.id !== kept);
      if (doomed.length === 0) break;
      for (const record of doomed) if (await this.#store.delete(this.meta(), record.id)) ended++;
    }
    return ended;
  }
}
