/**
 * @module @starmodel/admin/options
 * The admin plugin's options, narrowed from the config's untyped values.
 */
import { StarmodelError } from 'starmodel';

/** Options of `@starmodel/admin` (in starmodel.config.ts: `plugins: { '@starmodel/admin': { ... } }`). */
export interface AdminOptions {
  /** Where the admin is mounted. @default '/admin' */
  readonly path: string;
  /** The role a signed-in user needs when an auth plugin is loaded. @default 'admin' */
  readonly role: string;
  /**
   * Where a signed-out browser is sent (with `?next=<admin URL>`); `false` answers 401 instead.
   * JSON and Datastar clients always get the 401. @default '/login'
   */
  readonly loginPath: string | false;
  /** Records per table page. @default 20 */
  readonly pageSize: number;
  /** A substring search reads at most this many records (in the table's order). @default 1000 */
  readonly searchScanLimit: number;
  /** Milliseconds a record count may take on the overview before it shows a dash. @default 1500 */
  readonly countTimeoutMs: number;
  /** Milliseconds a panel may take to render before it shows a notice instead. @default 3000 */
  readonly panelTimeoutMs: number;
  /** Milliseconds between keep-alive comments on the live table stream. @default 15000 */
  readonly keepAliveMs: number;
  /** A live table whose unsent data stays above this many bytes is dropped (its browser reconnects). @default 1 MiB */
  readonly maxBufferedBytes: number;
  /** The name in the page header and titles. @default 'StarModel admin' */
  readonly title: string;
}

const PATH = /^\/[a-z0-9][a-z0-9_\-/]*[a-z0-9]$|^\/[a-z0-9]$/;
const ROLE = /^[a-z][a-z0-9_-]{0,39}$/;

/** Checks the config's options, naming the key that is wrong. */
export function parseAdminOptions(raw: Readonly<Record<string, unknown>>): AdminOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/admin"].${key}`, reason });
  const whole = (key: string, fallback: number, min: number, max: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw fail(key, `must be a whole number from ${min} to ${max}.`);
    return value;
  };
  const path = raw.path ?? '/admin';
  if (typeof path !== 'string' || !PATH.test(path) || path.includes('//')) throw fail('path', 'must be a lower-case URL path such as "/admin" (no trailing slash).');
  const role = raw.role ?? 'admin';
  if (typeof role !== 'string' || !ROLE.test(role)) throw fail('role', 'must be a lower-case role name such as "admin".');
  const loginPath = raw.loginPath ?? '/login';
  if (loginPath !== false && (typeof loginPath !== 'string' || !loginPath.startsWith('/') || loginPath.startsWith('//'))) throw fail('loginPath', 'must be a path on this site ("/login") or false.');
  const title = raw.title ?? 'StarModel admin';
  if (typeof title !== 'string' || title.trim() === '' || title.length > 80) throw fail('title', 'must be a short text (1 to 80 characters).');
  return {
    path, role, loginPath, title,
    pageSize: whole('pageSize', 20, 1, 200),
    searchScanLimit: whole('searchScanLimit', 1000, 1, 100_000),
    countTimeoutMs: whole('countTimeoutMs', 1500, 1, 60_000),
    panelTimeoutMs: whole('panelTimeoutMs', 3000, 1, 60_000),
    keepAliveMs: whole('keepAliveMs', 15_000, 10, 600_000),
    maxBufferedBytes: whole('maxBufferedBytes', 1024 * 1024, 1024, 64 * 1024 * 1024),
  };
}
