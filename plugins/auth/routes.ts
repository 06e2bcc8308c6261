/**
 * @module @starmodel/auth/routes
 * The auth routes, under `routePrefix` (default `/auth`):
 *
 * | route                 | fields                                  | does |
 * |-----------------------|-----------------------------------------|------|
 * | `POST /auth/signup`   | email, password, name?, next?           | creates a user (and signs in, unless `signInOnSignup: false`) |
 * | `POST /auth/login`    | email, password, next?                  | signs in: a fresh session id, mapped to the user |
 * | `POST /auth/logout`   | everywhere?, next?                      | signs out here (or on every device), with a fresh session id |
 * | `POST /auth/password` | currentPassword, newPassword, next?     | changes the password; every other session of the user ends |
 * | `GET /auth/me`        |                                         | `{ user }` (null when signed out) |
 *
 * They are routes rather than entity events because signing in and out must change the session
 * cookie and see the client's address (for limits), which only the HTTP request has.
 */
import type { Context } from 'koa';
import type { WebService } from '@starmodel/koa';
import { encoderFor, isStarmodelError, StarmodelError, type Encoder, type Logger } from 'starmodel';
import { invalidCredentials, rateLimited, signInRequired, wrongCurrentPassword } from './errors.js';
import { modeOf, nextPath, readFields, respondDone, respondFailed, textField } from './http.js';
import { memoryLimiter, SlidingWindowLimiter, type AttemptLimiter, type LimitRule } from './limiter.js';
import { sharedLimiter, type SharedWindowsLike } from './shared-limiter.js';
import type { AuthOptions } from './options.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import type { SessionDirectory } from './sessions.js';
import { emailSchema, nameSchema, normalizeEmail, publicUser, type AuthUser, type UserDirectory } from './users.js';

/** What the routes need. */
export interface AuthRouteDeps {
  readonly web: WebService;
  readonly users: UserDirectory;
  readonly sessions: SessionDirectory;
  readonly options: AuthOptions;
  readonly log: Logger;
  /** The signed-in user of a request (after the resolvers ran). */
  readonly userOf: (ctx: Context) => Promise<AuthUser | undefined>;
}

/** The sign-in counters of one app. */
export interface AuthLimiters {
  readonly loginPerAccount: AttemptLimiter;
  readonly loginPerAddress: AttemptLimiter;
  readonly signupPerAddress: AttemptLimiter;
}

/** Makes the limiters an app's options ask for: in Redis when `shared` is given, else in this process. */
export function createLimiters(options: AuthOptions, shared?: () => SharedWindowsLike | undefined, now: () => number = Date.now): AuthLimiters {
  const make = (name: string, rule: LimitRule): AttemptLimiter => {
    const local = memoryLimiter(new SlidingWindowLimiter(rule, now));
    if (!shared) return local;
    return sharedLimiter(name, rule, shared, local);
  };
  return {
    loginPerAccount: make('login-account', options.limits.loginPerAccount),
    loginPerAddress: make('login-address', options.limits.loginPerAddress),
    signupPerAddress: make('signup-address', options.limits.signupPerAddress),
  };
}

/** Fields whose messages each form shows. */
const FORM_FIELDS = {
  signup: ['email', 'password', 'name'],
  login: ['email', 'password'],
  logout: [],
  password: ['currentPassword', 'newPassword'],
} as const;

function invalid(fields: Record<string, string>): StarmodelError {
  const summary = Object.entries(fields).map(([key, message]) => `${key}: ${message}`).join('; ');
  return new StarmodelError('SM_VALIDATION_FAILED', { summary }, { fields });
}

/** Adds the auth routes to the web plugin's router. */
export function installAuthRoutes(deps: AuthRouteDeps, limiters: AuthLimiters): void {
  const { web, users, sessions, options, log } = deps;
  const encoder: Encoder = encoderFor(web.dialect);
  const prefix = options.routePrefix;
  // Unknown emails are checked against this, so a miss costs the same scrypt work as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hashPassword(`dummy-${Math.random()}`, options.scrypt));

  const checkPassword = (password: string): string | undefined => {
    const length = [...password].length;
    if (length < options.password.min) return `Use at least ${options.password.min} characters`;
    if (length > options.password.max) return `Use at most ${options.password.max} characters`;
    return undefined;
  };

  const signIn = async (ctx: Context, userId: string) => {
    await sessions.close(web.sessionOf(ctx));
    // A fresh session id at sign-in: a session id planted before (session fixation) is worthless.
    const sessionId = web.rotateSession(ctx);
    await sessions.open(sessionId, userId);
  };

  const route = (form: keyof typeof FORM_FIELDS, handler: (ctx: Context, fields: Record<string, unknown>) => Promise<{ next: string; body: Record<string, unknown> }>) =>
    async (ctx: Context) => {
      const mode = modeOf(ctx);
      try {
        // The web plugin's origin policy (cross-site, same-site, allowedOrigins), as for events.
        web.refuseCrossSite(ctx);
        const fields = await readFields(ctx);
        const { next, body } = await handler(ctx, fields);
        respondDone(ctx, mode, encoder, next, FORM_FIELDS[form], body);
      } catch (error) {
        const failure = isStarmodelError(error) ? error : new StarmodelError('SM_EVENT_FAILED', { entity: 'auth', event: form, reason: 'unexpected error' }, { cause: error });
        if (failure.status === 503) log.warn(`${prefix}/${form}: ${failure.message}`, { code: failure.code });
        else if (!isStarmodelError(error) || failure.status >= 500) log.error(`${prefix}/${form}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        respondFailed(ctx, mode, encoder, failure, FORM_FIELDS[form]);
      }
    };

  web.router.post(`${prefix}/signup`, route('signup', async (ctx, fields) => {
    const email = normalizeEmail(textField(fields, 'email'));
    const password = textField(fields, 'password');
    const name = textField(fields, 'name').trim();
    const problems: Record<string, string> = {};
    const emailCheck = emailSchema.safeParse(email);
    if (!emailCheck.success) problems.email = emailCheck.error.issues[0]?.message ?? 'Not an email address';
    const passwordProblem = checkPassword(password);
    if (passwordProblem) problems.password = passwordProblem;
    if (name) {
      const nameCheck = nameSchema.safeParse(name);
      if (!nameCheck.success) problems.name = nameCheck.error.issues[0]?.message ?? 'Not a valid name';
    }
    if (Object.keys(problems).length > 0) throw invalid(problems);
    // Counted before the hash, in the same step as the check (see limiter.ts).
    const wait = await limiters.signupPerAddress.reserve(ctx.ip);
    if (wait > 0) throw rateLimited(wait);
    const user = await users.create({ email, password, name });
    log.info(`new user ${user.id}`);
    if (options.signInOnSignup) await signIn(ctx, user.id);
    return { next: nextPath(fields, options.afterLogin), body: { user: publicUser(user) } };
  }));

  web.router.post(`${prefix}/login`, route('login', async (ctx, fields) => {
    const email = normalizeEmail(textField(fields, 'email'));
    const password = textField(fields, 'password');
    const problems: Record<string, string> = {};
    if (!email) problems.email = 'Enter your email';
    if (!password) problems.password = 'Enter your password';
    // Only the upper bound: an account made under an older, shorter minimum can still sign in.
    else if ([...password].length > options.password.max) problems.password = `Use at most ${options.password.max} characters`;
    if (Object.keys(problems).length > 0) throw invalid(problems);
    const account = `account:${email}`;
    const address = `address:${ctx.ip}`;
    // Each attempt is counted before its hash runs, so a burst evaluates at most the limit.
    const addressWait = await limiters.loginPerAddress.reserve(address);
    if (addressWait > 0) throw rateLimited(addressWait);
    const accountWait = await limiters.loginPerAccount.reserve(account);
    if (accountWait > 0) {
      await limiters.loginPerAddress.release(address);
      throw rateLimited(accountWait);
    }
    const user = await users.byEmail(email);
    // The same scrypt work whether or not the account exists, and the same answer.
    const matches = await verifyPassword(password, user?.passwordHash ?? (await dummy()), options.scrypt);
    if (!user || !matches) throw invalidCredentials();
    // A right password takes its attempts back: the account starts afresh, the address keeps the others.
    await limiters.loginPerAccount.reset(account);
    await limiters.loginPerAddress.release(address);
    if (needsRehash(user.passwordHash, options.scrypt)) await users.setPassword(user.id, password);
    await signIn(ctx, user.id);
    return { next: nextPath(fields, options.afterLogin), body: { user: publicUser(user) } };
  }));

  web.router.post(`${prefix}/logout`, route('logout', async (ctx, fields) => {
    const user = await deps.userOf(ctx);
    const everywhere = ['true', 'on', '1', 'yes'].includes(String(fields.everywhere ?? '').toLowerCase()) || fields.everywhere === true;
    if (user && everywhere) await sessions.closeAllOf(user.id);
    else await sessions.close(web.sessionOf(ctx));
    web.rotateSession(ctx);
    return { next: nextPath(fields, options.afterLogout), body: { user: null } };
  }));

  web.router.post(`${prefix}/password`, route('password', async (ctx, fields) => {
    const user = await deps.userOf(ctx);
    if (!user) throw signInRequired(users.User.name);
    const currentPassword = textField(fields, 'currentPassword');
    const newPassword = textField(fields, 'newPassword');
    const problem = checkPassword(newPassword);
    if (!currentPassword) throw invalid({ currentPassword: 'Enter your current password' });
    if (problem) throw invalid({ newPassword: problem });
    // A stolen session must not guess the password faster than the sign-in form allows.
    const account = `account:${user.email}`;
    const wait = await limiters.loginPerAccount.reserve(account);
    if (wait > 0) throw rateLimited(wait);
    const stored = await users.byId(user.id);
    if (!stored || !(await verifyPassword(currentPassword, stored.passwordHash, options.scrypt))) {
      throw wrongCurrentPassword();
    }
    await limiters.loginPerAccount.reset(account);
    await users.setPassword(user.id, newPassword);
    // Every other device is signed out; this one continues on a fresh session id.
    await sessions.closeAllOf(user.id);
    await signIn(ctx, user.id);
    log.info(`user ${user.id} changed their password; other sessions ended`);
    return { next: nextPath(fields, options.afterLogin), body: { user } };
  }));

  web.router.get(`${prefix}/me`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { user: (await deps.userOf(ctx)) ?? null };
  });
}
