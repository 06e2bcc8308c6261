/**
 * @module @starmodel/koa/session
 * Sessions: a random 128-bit id in a signed, httpOnly, SameSite=Lax cookie. The id (never the
 * cookie text) keys session-scoped entities.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/** Signs and verifies session cookie values with the app secret (HMAC-SHA256). */
export class SessionCookies {
  constructor(private readonly secret: string, private readonly name: string, private readonly secure: boolean) {}

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
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#signature(id));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  /** The request's session id; a new one (and its cookie) when it has none or a forged one. */
  sessionOf(ctx: Context): string {
    const existing = this.verify(ctx.cookies.get(this.name));
    if (existing) return existing;
    const id = randomBytes(16).toString('base64url');
    ctx.cookies.set(this.name, this.sign(id), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/', overwrite: true });
    return id;
  }
}
