/**
 * @module @starmodel/client-store/signer
 * Signs and checks client-held state: HMAC-SHA256 over the canonical JSON of the entity type, id,
 * version and field values. The token a browser keeps is `<version>.<mac>` (base64url).
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

const TOKEN = /^([1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;

/** Signs and verifies state tokens with a key derived from the app secret. */
export class StateSigner {
  readonly #key: Buffer;

  constructor(secret: string) {
    // A key of its own, so a client-state MAC can never stand in for a session-cookie MAC.
    this.#key = createHmac('sha256', secret).update('starmodel client-store state v1').digest();
  }

  #mac(state: SignedState): string {
    const message = canonicalJson({ entity: state.type, id: state.id, version: state.version, fields: state.fields });
    return createHmac('sha256', this.#key).update(message).digest('base64url');
  }

  /** The token for a state: `<version>.<mac>`. */
  sign(state: SignedState): string {
    return `${state.version}.${this.#mac(state)}`;
  }

  /** The version a well-formed token names, or undefined when the token is malformed. */
  static versionOf(token: string): number | undefined {
    const match = TOKEN.exec(token);
    return match ? Number(match[1]) : undefined;
  }

  /** True when `token` is this server's signature of exactly these type, id, version and fields. */
  verify(token: string, state: Omit<SignedState, 'version'>): boolean {
    const version = StateSigner.versionOf(token);
    if (version === undefined) return false;
    const given = Buffer.from(token);
    const expected = Buffer.from(this.sign({ ...state, version }));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
