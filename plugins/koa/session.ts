/**
 * @module @starmodel/koa/session
 * Sessions: a random 128-bit id in a signed, httpOnly, SameSite=Lax cookie. The id (never the
 * cookie text) keys session-scoped entities.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { StarmodelError, type EntityMeta } from 'starmodel';

/** Who is asking: the session, and the signed-in user when an auth plugin resolved one. */
export interface RequestState {
  readonly sessionId: string;
  /**
   * True when the request came with a valid session cookie (a browser seen before, perhaps signed
   * in), false for a session made for this request. When the user store cannot answer, a request
   * that carries a session must be refused (503), never served as signed out.
   */
  readonly carriesSession: boolean;
  user?: { readonly id: string; readonly roles?: readonly string[] };
}

/**
 * Runs for every page, event and live request before it is handled; may set `state.user`
 * (an auth plugin does), or throw a StarmodelError to refuse the request.
 */
export type RequestResolver = (ctx: Context, state: RequestState) => Promise<void> | void;

/**
 * Decides whether a request may read an entity (live streams, record list and get routes). Throws
 * a StarmodelError (401/403) to refuse. Events are checked by `dispatch` taps instead.
 */
export type ReadGuard = (meta: EntityMeta, state: RequestState, recordId: string | undefined) => Promise<void> | void;

/** Signs and verifies session cookie values with the app secret (HMAC-SHA256). */
export class SessionCookies {
  // Verified cookie values -> session id: one HMAC per session instead of one per request. Bounded.
  readonly #verified = new Map<string, string>();

  // The cookie's value in a Cookie header, read as the `cookies` package reads an unsigned cookie
  // (without building its jar on every request).
  readonly #pattern: RegExp;

  constructor(private readonly secret: string, private readonly name: string, private readonly secure: boolean) {
    this.#pattern = new RegExp(`(?:^|;) *${name.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&')}=([^;]*)`);
  }

  /** The session cookie's raw value in a request, if any. */
  #cookieOf(ctx: Context): string | undefined {
    const header = ctx.req.headers.cookie;
    const value = header ? this.#pattern.exec(header)?.[1] : undefined;
    return value?.startsWith('"') ? value.slice(1, -1) : value;
  }

  #signature(id: string): string {
    return createHmac('sha256', this.secret).update(id).digest('base64url');
  }

  /** `<id>.<signature>` */
  sign(id: string): string {
    return `${id}.${this.#signature(id)}`;
  }

  /** The id in a cookie value, or undefined when it is missing or was tampered with. */
  verify(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const known = this.#verified.get(value);
    if (known !== undefined) return known;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#signature(id));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (this.#verified.size >= 10_000) this.#verified.clear();
    this.#verified.set(value, id);
    return id;
  }

  /** The request's session id; a new one (and its cookie) when it has none or a forged one. */
  /** True when the request itself carried a valid session cookie. */
  carried(ctx: Context): boolean {
    return this.verify(this.#cookieOf(ctx)) !== undefined;
  }

  sessionOf(ctx: Context): string {
    const current = (ctx.state as { starmodelSession?: string }).starmodelSession;
    if (current) return current;
    const existing = this.verify(this.#cookieOf(ctx));
    if (existing) return ((ctx.state as { starmodelSession?: string }).starmodelSession = existing);
    return this.rotate(ctx);
  }

  /** Gives the request a fresh session id (on sign-in and sign-out, against session fixation). */
  rotate(ctx: Context): string {
    if (this.secure && !ctx.secure) throw new StarmodelError('SM_WEB_INSECURE_REQUEST');
    const id = randomBytes(16).toString('base64url');
    ctx.cookies.set(this.name, this.sign(id), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/', overwrite: true });
    (ctx.state as { starmodelSession?: string }).starmodelSession = id;
    return id;
  }
}
