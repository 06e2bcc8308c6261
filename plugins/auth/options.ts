/**
 * @module @starmodel/auth/options
 * The auth plugin's options, narrowed from the config's untyped values.
 */
import { isPlainObject, StarmodelError } from 'starmodel';
import type { LimitRule } from './limiter.js';
import { checkScryptParams, DEFAULT_SCRYPT, type ScryptParams } from './password.js';

/** The development admin account created on start (never in production). */
export interface SeedAdmin {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

/** The account seeded when `seedAdmin` is not set and NODE_ENV is not 'production'. */
export const DEVELOPMENT_ADMIN: SeedAdmin = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin', name: 'Admin' };

/** Options of `@starmodel/auth` (in starmodel.config.ts: `plugins: { '@starmodel/auth': { ... } }`). */
export interface AuthOptions {
  /** Store of the `User` entity. @default 'sql' ('memory' for quick specs and demos without a database) */
  userStore: string;
  /** Store of the session → user mapping. @default the user store */
  sessionStore: string;
  /** Seconds a sign-in lasts (from sign-in; signing out or a password change ends it sooner). @default 1209600 (14 days) */
  sessionTtlSeconds: number;
  /** Path the auth routes live under. @default '/auth' */
  routePrefix: string;
  /** Where a successful sign-in or sign-up goes, unless the form names a `next` path. @default '/' */
  afterLogin: string;
  /** Where signing out goes, unless the form names a `next` path. @default '/' */
  afterLogout: string;
  /** Sign the new user in after sign-up. @default true */
  signInOnSignup: boolean;
  /** Password length bounds, in characters. @default { min: 10, max: 200 } */
  password: { readonly min: number; readonly max: number };
  /** scrypt parameters for new hashes. @default { logN: 15, r: 8, p: 1, keyLength: 64, saltBytes: 16 } */
  scrypt: ScryptParams;
  /**
   * Sign-in and sign-up limits (sliding windows). Attempts are counted when they start, before the
   * password hash; in Redis when `@starmodel/redis` is configured (one limit for every instance),
   * else in this process. A right password takes its attempts back.
   */
  limits: {
    /** Sign-in attempts per account (email), password changes included. @default { max: 5, windowSeconds: 900 } */
    readonly loginPerAccount: LimitRule;
    /** Sign-in attempts per client address. @default { max: 20, windowSeconds: 900 } */
    readonly loginPerAddress: LimitRule;
    /** Sign-ups per client address. @default { max: 10, windowSeconds: 3600 } */
    readonly signupPerAddress: LimitRule;
  };
  /** The role that passes every role rule (never `'nobody'`). @default 'admin' */
  adminRole: string;
  /** The development admin to create on start when no user has `adminRole`; false for none. Refused in production. */
  seedAdmin: SeedAdmin | false;
}

const DEFAULT_LIMITS: AuthOptions['limits'] = {
  loginPerAccount: { max: 5, windowSeconds: 900 },
  loginPerAddress: { max: 20, windowSeconds: 900 },
  signupPerAddress: { max: 10, windowSeconds: 3600 },
};

/** Turns the config's options into AuthOptions, refusing wrong types with the key named. */
export function parseAuthOptions(raw: Readonly<Record<string, unknown>>, production = process.env.NODE_ENV === 'production'): AuthOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/auth"].${key}`, reason });
  const text = (key: string, fallback: string, from: Readonly<Record<string, unknown>> = raw) => {
    const value = from[key] ?? fallback;
    if (typeof value !== 'string' || value.length === 0) throw fail(key, 'must be a non-empty string.');
    return value;
  };
  const path = (key: string, fallback: string) => {
    const value = text(key, fallback);
    if (!value.startsWith('/') || value.startsWith('//')) throw fail(key, 'must be a path on this site, starting with one "/".');
    return value;
  };
  const whole = (key: string, value: unknown, fallback: number, min: number) => {
    const number = value ?? fallback;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min) throw fail(key, `must be a whole number of at least ${min}.`);
    return number;
  };
  const flag = (key: string, fallback: boolean) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw fail(key, 'must be true or false.');
    return value;
  };
  const object = (key: string) => {
    const value = raw[key] ?? {};
    if (!isPlainObject(value)) throw fail(key, 'must be an object.');
    return value;
  };

  const userStore = text('userStore', 'sql');
  const passwordRaw = object('password');
  const password = { min: whole('password.min', passwordRaw.min, 10, 1), max: whole('password.max', passwordRaw.max, 200, 1) };
  if (password.max < password.min || password.max > 1024) throw fail('password', 'max must be at least min and at most 1024.');

  const scryptRaw = object('scrypt');
  const scrypt: ScryptParams = { ...DEFAULT_SCRYPT, ...scryptRaw } as ScryptParams;
  const scryptProblem = checkScryptParams(scrypt);
  if (scryptProblem) throw fail('scrypt', `${scryptProblem}.`);

  const limitsRaw = object('limits');
  const limit = (name: keyof AuthOptions['limits']): LimitRule => {
    const given = limitsRaw[name] ?? {};
    if (!isPlainObject(given)) throw fail(`limits.${name}`, 'must be { max, windowSeconds }.');
    const fallback = DEFAULT_LIMITS[name];
    return { max: whole(`limits.${name}.max`, given.max, fallback.max, 1), windowSeconds: whole(`limits.${name}.windowSeconds`, given.windowSeconds, fallback.windowSeconds, 1) };
  };

  let seedAdmin: SeedAdmin | false;
  if (raw.seedAdmin === false) seedAdmin = false;
  else if (raw.seedAdmin === undefined || raw.seedAdmin === true) seedAdmin = production ? false : DEVELOPMENT_ADMIN;
  else if (isPlainObject(raw.seedAdmin)) {
    if (production) throw fail('seedAdmin', 'an account with a password in the config is refused in production; create the first admin with a script and remove seedAdmin.');
    const given = raw.seedAdmin;
    seedAdmin = { email: text('seedAdmin.email', DEVELOPMENT_ADMIN.email, given), password: text('seedAdmin.password', DEVELOPMENT_ADMIN.password, given), name: text('seedAdmin.name', DEVELOPMENT_ADMIN.name, given) };
  } else throw fail('seedAdmin', 'must be false or { email, password, name }.');
  if (raw.seedAdmin === true && production) throw fail('seedAdmin', 'seeding the development admin is refused in production.');

  const adminRole = text('adminRole', 'admin');
  if (adminRole === 'nobody' || adminRole === 'anyone' || adminRole === 'user') throw fail('adminRole', 'must be a role name, not a rule keyword.');

  return {
    userStore, sessionStore: text('sessionStore', userStore),
    sessionTtlSeconds: whole('sessionTtlSeconds', raw.sessionTtlSeconds, 14 * 24 * 3600, 60),
    routePrefix: path('routePrefix', '/auth').replace(/\/+$/, '') || '/auth',
    afterLogin: path('afterLogin', '/'), afterLogout: path('afterLogout', '/'),
    signInOnSignup: flag('signInOnSignup', true),
    password, scrypt,
    limits: { loginPerAccount: limit('loginPerAccount'), loginPerAddress: limit('loginPerAddress'), signupPerAddress: limit('signupPerAddress') },
    adminRole, seedAdmin,
  };
}
