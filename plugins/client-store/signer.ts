/**
 * @module @starmodel/client-store/signer
 * Signs and checks client-held state: HMAC-SHA256 over the canonical JSON of the entity type, id,
 * version, field values and signing time. The token a browser keeps is
 * `<version>.<signed at, ms>.<mac>` (base64url). The signing time lets replay protection refuse a
 * state signed before it had to forget that entity (see replay.ts). Tokens of the first format,
 * `<version>.<mac>` (no time), still verify, as signed at an unknown time (0).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isPlainObject, type JsonObject } from 'starmodel';

/** What a signature covers. */
export interface SignedState {
  /** The entity type (class name). */
  readonly type: string;
  readonly id: string;
  /** The version the state has once saved (1 after the first save). */
  readonly version: number;
  /** Field values, JSON-compatible. */
  readonly fields: JsonObject;
  /** When it was signed (ms since the epoch); left out, the token has no time (the first format). */
  readonly signedAt?: number;
}

/** What a well-formed token says before its MAC is checked. */
export interface TokenInfo {
  readonly version: number;
  /** 0 for a token of the first format, which carries no time. */
  readonly signedAt: number;
}

/**
 * JSON with object keys sorted at every level, so the browser's key order never matters.
 * `null` object members are left out: Datastar removes a signal set to null, so the browser
 * sends such a field back as absent, and both must sign the same.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .filter((key) => value[key] !== undefined && value[key] !== null)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const TOKEN = /^([1-9][0-9]{0,14})\.(?:([1-9][0-9]{0,14})\.)?([A-Za-z0-9_-]{43})$/;

/** Signs and verifies state tokens with a key derived from the app secret. */
export class StateSigner {
  readonly #key: Buffer;

  constructor(secret: string) {
    // A key of its own, so a client-state MAC can never stand in for a session-cookie MAC.
    this.#key = createHmac('sha256', secret).update('starmodel client-store state v1').digest();
  }

  #mac(state: SignedState): string {
    const signed = { entity: state.type, id: state.id, version: state.version, fields: state.fields };
    const message = canonicalJson(state.signedAt === undefined ? signed : { ...signed, at: state.signedAt });
    return createHmac('sha256', this.#key).update(message).digest('base64url');
  }

  /** The token for a state: `<version>.<signedAt>.<mac>` (or `<version>.<mac>` without a time). */
  sign(state: SignedState): string {
    return state.signedAt === undefined ? `${state.version}.${this.#mac(state)}` : `${state.version}.${state.signedAt}.${this.#mac(state)}`;
  }

  /** Version and signing time of a well-formed token, or undefined when it is malformed. */
  static parse(token: string): TokenInfo | undefined {
    const match = TOKEN.exec(token);
    return match ? { version: Number(match[1]), signedAt: match[2] === undefined ? 0 : Number(match[2]) } : undefined;
  }

  /** The version a well-formed token names, or undefined when the token is malformed. */
  static versionOf(token: string): number | undefined {
    return StateSigner.parse(token)?.version;
  }

  /** True when `token` is this server's signature of exactly these type, id, version, fields and time. */
  verify(token: string, state: Omit<SignedState, 'version' | 'signedAt'>): boolean {
    const match = TOKEN.exec(token);
    if (!match) return false;
    const version = Number(match[1]);
    const signedAt = match[2] === undefined ? undefined : Number(match[2]);
    const given = Buffer.from(token);
    const expected = Buffer.from(this.sign(signedAt === undefined ? { ...state, version } : { ...state, version, signedAt }));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
