/**
 * @module @starmodel/client-store/entity
 * `ClientEntity`: the base class of entities kept in the browser. It adds the `sig` signal (the
 * server's signature of the state, a computed getter so a client can never set it) and an
 * identity that travels with the state instead of the session cookie.
 */
import { randomBytes } from 'node:crypto';
import { currentDispatch, Entity, isPlainObject, metaOf, stateOf, versionOf, type EntityClass, type IdentifyContext } from 'starmodel';
import { forgedState } from './errors.js';
import { persisted } from './render.js';
import { StateSigner } from './signer.js';

/** Key of the signer in a dispatch's `locals` (set by the plugin for every client-store event). */
export const SIGNER_LOCAL = '@starmodel/client-store:signer';

/** Key of the signing time in a dispatch's `locals`: one time for every signature an event makes. */
export const SIGNED_AT_LOCAL = '@starmodel/client-store:signedAt';

let lastStamp = 0;

/**
 * The time the running event signs with (ms), the same for every signature it makes (the `sig`
 * getter runs more than once per event, and the store's save must remember the same time); now,
 * outside an event. Never goes backwards in this process, so a clock stepped back cannot make a
 * newer state look older than an older one.
 */
export function signingTime(): number {
  const locals = currentDispatch()?.locals;
  const known = locals?.get(SIGNED_AT_LOCAL);
  if (typeof known === 'number') return known;
  lastStamp = Math.max(lastStamp, Date.now());
  locals?.set(SIGNED_AT_LOCAL, lastStamp);
  return lastStamp;
}

/** Well-formed client state ids: random, URL-safe, at least 96 bits. */
const CLIENT_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh id for a state that starts in a browser now. */
export function newClientId(): string {
  return randomBytes(16).toString('base64url');
}

/** The entity's object in the signals a request carries, if any. */
export function namespaceIn(signals: unknown, namespace: string): Record<string, unknown> | undefined {
  if (!isPlainObject(signals)) return undefined;
  const value = signals[namespace];
  return isPlainObject(value) ? value : undefined;
}

/**
 * Which entity a request addresses: the id inside the state the browser sent (the state belongs
 * to that browser's storage, not to its session cookie, so it survives a browser restart and a
 * sign-in). A request without the entity's state starts a new one under a fresh id; so does a
 * page render. A malformed id is refused as a forged state.
 */
function identifyFromClientState(this: EntityClass, _context: IdentifyContext): string {
  const meta = metaOf(this);
  const sent = namespaceIn(currentDispatch()?.signals, meta.namespace);
  if (!sent) return newClientId();
  const id = sent.id;
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) throw forgedState(meta.name, 'has no valid id');
  return id;
}

/**
 * The base class of client-store entities. Set `static store` to `'client-local'` (localStorage:
 * kept across reloads and browser restarts) or `'client-session'` (sessionStorage: one tab, until
 * it closes); `static replayProtection = true` refuses an older signed state once a newer one was
 * signed by this process (and, once the process had to forget entities for room, any state signed
 * before that which it no longer remembers).
 * @example
 * ```ts
 * export class Prefs extends ClientEntity {
 *   static override store = 'client-local';
 *   theme = 'light';
 *   @event() setTheme(theme = 'light') { this.theme = theme; }
 * }
 * ```
 */
export class ClientEntity extends Entity {
  static override store = 'client-local';
  /** Refuse a signed state older than the newest this process signed for the same id. @default false */
  static replayProtection = false;
  static override identify = identifyFromClientState as (context: IdentifyContext) => string;

  /**
   * The server's signature of the state as it will be once the running event commits: the
   * dispatcher computes signals before the commit, and the store saves at `version + 1`. Empty
   * outside an event (a page render shows unsigned defaults, which the store accepts as new).
   */
  get sig(): string {
    const signer = currentDispatch()?.locals.get(SIGNER_LOCAL);
    if (!(signer instanceof StateSigner)) return '';
    const meta = metaOf(this.constructor as EntityClass);
    return signer.sign({ type: meta.name, id: this.id, version: versionOf(this) + 1, fields: stateOf(meta, this), signedAt: signingTime() });
  }
}

// Inside `html`, a client entity renders as its persisted element (the kernel's render protocol).
Object.defineProperty(ClientEntity.prototype, Symbol.for('starmodel.render'), {
  value(this: ClientEntity) {
    return persisted(this);
  },
  writable: true,
  configurable: true,
});
