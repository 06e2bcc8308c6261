/**
 * @module @starmodel/auth/password
 * Password hashing with node:crypto scrypt. A hash is stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>`, so its parameters travel with it and
 * can be raised later (a hash made with weaker ones is replaced at the next successful sign-in).
 *
 * Defaults: N = 2^15 (32768), r = 8, p = 1 (32 MiB of memory per hash), a 64-byte key and a
 * 16-byte random salt. scrypt runs on libuv's thread pool, so hashing never blocks the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { hashingBusy } from './errors.js';

/** scrypt parameters. */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. @default 15 */
  readonly logN: number;
  /** Block size. @default 8 */
  readonly r: number;
  /** Parallelism. @default 1 */
  readonly p: number;
  /** Derived key length in bytes. @default 64 */
  readonly keyLength: number;
  /** Salt length in bytes. @default 16 */
  readonly saltBytes: number;
}

/** The parameters new hashes use unless the plugin's `scrypt` option says otherwise. */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1, keyLength: 64, saltBytes: 16 };

/** Bounds on parameters read back from a stored hash, so a tampered row cannot make a hash take minutes. */
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16], keyLength: [16, 128], saltBytes: [8, 64] } as const;

/**
 * scrypt runs on libuv's thread pool (4 threads by default), which sqlite3 and file reads share: a
 * burst of sign-ins hashing on every thread at once would stall the app's SQLite store for
 * seconds. At most `HASHES_AT_ONCE` hashes run together; up to `HASHES_WAITING` more wait their
 * turn, and past that a sign-in is refused with 503 SM_AUTH_BUSY (Retry-After) instead of queueing
 * without end.
 */
export const HASHES_AT_ONCE = 2;
export const HASHES_WAITING = 256;
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASHES_AT_ONCE) {
    if (waiting.length >= HASHES_WAITING) throw hashingBusy();
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter (running stays the same), or frees up.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return withHashSlot(() => deriveNow(password, salt, params));
}

function deriveNow(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // Node refuses scrypt above `maxmem` (32 MiB by default): allow twice what these parameters need.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Checks parameters against the bounds; returns a reason when they are outside. */
export function checkScryptParams(params: ScryptParams): string | undefined {
  for (const [name, [min, max]] of Object.entries(LIMITS) as [keyof ScryptParams, readonly [number, number]][]) {
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) return `${name} must be a whole number from ${min} to ${max}`;
  }
  return undefined;
}

/** Hashes a password with fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(params.saltBytes);
  const key = await derive(password, salt, params);
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash { params: ScryptParams; salt: Buffer; key: Buffer }

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  const params: ScryptParams = { logN, r, p, keyLength: key.length, saltBytes: salt.length };
  return checkScryptParams(params) ? undefined : { params, salt, key };
}

/**
 * True when `password` matches `stored`. The comparison is constant-time (timingSafeEqual); a
 * malformed stored hash never matches, after the same work as a real one.
 */
export async function verifyPassword(password: string, stored: string, fallback: ScryptParams = DEFAULT_SCRYPT): Promise<boolean> {
  const parsed = parseHash(stored);
  const params = parsed?.params ?? fallback;
  const salt = parsed?.salt ?? randomBytes(fallback.saltBytes);
  const derived = await derive(password, salt, params);
  if (!parsed) return false;
  return derived.length === parsed.key.length && timingSafeEqual(derived, parsed.key);
}

/** True when a stored hash was made with other parameters than `params` (replace it at next sign-in). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const current = parsed.params;
  return current.logN !== params.logN || current.r !== params.r || current.p !== params.p || current.keyLength !== params.keyLength || current.saltBytes !== params.saltBytes;
}
