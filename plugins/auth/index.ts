/**
 * @module @starmodel/auth
 * Users, sessions, and who may call what. Adds a `User` entity (SQL by default), sign-up, sign-in,
 * sign-out and password routes under `/auth`, a server-side session → user mapping that sets
 * `page.user` and `context.user`, access rules on entities (`static access`) and events
 * (`@event({ auth })`) checked for every event and every HTTP read, and sign-in rate limits.
 *
 * ```ts
 * // starmodel.config.ts
 * export default defineConfig({ plugins: { '@starmodel/auth': { userStore: 'sql' } } });
 * // entities.ts
 * class Counter extends Entity {
 *   static access = { read: 'anyone', write: 'user' };
 *   @event({ method: 'post', auth: 'admin' }) reset() { this.count = 0; }
 * }
 * ```
 */
import type { Context } from 'koa';
import { STAGE_VALIDATE, StarmodelError, type EntityClass, type StarmodelPlugin } from 'starmodel';
import { isStarmodelError } from 'starmodel';
import { defineAuthSession, defineUser, type UserClass } from './entities.js';
import { parseAuthOptions, type AuthOptions } from './options.js';
import { createLimiters, installAuthRoutes } from './routes.js';
import { sharedWindowsOf } from './shared-limiter.js';
import { checkEntityRules, checkEvent, checkRead } from './rules.js';
import { seedAdmin } from './seed.js';
import { SessionDirectory } from './sessions.js';
import { publicUser, UserDirectory, type AuthUser } from './users.js';

export type { AuthOptions, SeedAdmin } from './options.js';
export { DEVELOPMENT_ADMIN } from './options.js';
export type { AccessRule, AccessRules, Caller } from './rules.js';
export { SYSTEM_LOCAL, systemContext, isSystem } from './rules.js';
export type { AuthUser, NewUser } from './users.js';
export { normalizeEmail } from './users.js';
export type { UserClass, UserEntity } from './entities.js';
export { AuthError, type AuthErrorCode } from './errors.js';
export { DEFAULT_SCRYPT, hashPassword, verifyPassword, needsRehash, type ScryptParams } from './password.js';
export { memoryLimiter, SlidingWindowLimiter, type AttemptLimiter, type LimitRule } from './limiter.js';

/** What the auth plugin offers the app and other plugins (`kernel.service('auth')`). */
export interface AuthService {
  /** This app's User entity class (for `page.load(auth.User, id)`, `auth.User.find(...)`). */
  readonly User: UserClass;
  /** The options in force. */
  readonly options: AuthOptions;
  /** The signed-in user of a request, or undefined. */
  userOf(ctx: Context): Promise<AuthUser | undefined>;
  /** Creates a user (server code: scripts, admin tools). Refuses a taken email with 409. */
  createUser(input: { email: string; password: string; name?: string; roles?: readonly string[] }): Promise<AuthUser>;
  /** Ends every session of a user (they must sign in again everywhere); returns how many ended. */
  signOutEverywhere(userId: string): Promise<number>;
}

declare module 'starmodel' {
  interface Services {
    auth: AuthService;
  }
}

/** `page.user` / `context.user` as an AuthUser (with email and name) when this plugin signed it in. */
export function authUserOf(user: unknown): AuthUser | undefined {
  const candidate = user as Partial<AuthUser> | null | undefined;
  if (!candidate || typeof candidate.id !== 'string' || typeof candidate.email !== 'string' || typeof candidate.name !== 'string' || !Array.isArray(candidate.roles)) return undefined;
  return candidate as AuthUser;
}

/** Creates the auth plugin from its config options. */
export default function authPlugin(raw: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const options = parseAuthOptions(raw);
  return {
    setup(api) {
      const { kernel, log } = api;
      const web = kernel.service('web');
      if (!web) throw new StarmodelError('SM_PLUGIN_REQUIRES_MISSING', { plugin: api.name, requirement: 'web' });

      // Every entity's rules are checked as it is registered (and once more at start, for any
      // registered before this plugin), so a typo fails at start, not at request time.
      api.hooks.entity.tap((meta) => checkEntityRules(meta));
      api.hooks.setup.tap(() => {
        for (const meta of kernel.registry.all()) checkEntityRules(meta);
      });
      const User = defineUser(options.userStore);
      const AuthSession = defineAuthSession(options.sessionStore, options.sessionTtlSeconds);
      // Registered on behalf of this plugin where the kernel offers it (so overviews name the origin).
      const register = (api as { register?: (...classes: EntityClass[]) => void }).register ?? ((...classes: EntityClass[]) => void kernel.register(...classes));
      register(User, AuthSession);

      const users = new UserDirectory(kernel, User, options.scrypt);
      const sessions = new SessionDirectory(kernel, () => kernel.registry.get(AuthSession), options.sessionTtlSeconds);

      let degradedSince = 0;
      web.addResolver(async (_ctx, state) => {
        let userId: string | undefined;
        try {
          userId = await sessions.userIdOf(state.sessionId);
        } catch (error) {
          if (!isStarmodelError(error) || error.status !== 503) throw error;
          if (Date.now() - degradedSince > 60_000) log.warn(`sessions cannot be read (${error.message}); requests that carry a session answer 503 until the store answers`);
          degradedSince = Date.now();
          // A browser seen before may be signed in: serving it as signed out would show the wrong
          // page and refuse its user's actions with a misleading "sign in". A brand-new session
          // cannot be signed in, so it is served (public pages keep working).
          if (state.carriesSession) throw error;
          return;
        }
        if (!userId) return;
        // Same for the user record: a store that cannot answer is a 503, never "signed out".
        const user = await users.byId(userId);
        if (!user) {
          await sessions.close(state.sessionId);
          return;
        }
        state.user = publicUser(user);
      });
      web.addReadGuard((meta, state) => checkRead(meta, state.user, options.adminRole));
      api.hooks.dispatch.tap((command, context) => {
        checkEvent(command.meta, command.eventMeta.name, context, options.adminRole);
      }, { stage: STAGE_VALIDATE });

      const userOf = async (ctx: Context) => authUserOf((await web.requestState(ctx)).user);
      // Counted in Redis when the redis plugin is configured (one limit for every instance).
      installAuthRoutes({ web, users, sessions, options, log, userOf }, createLimiters(options, () => sharedWindowsOf(kernel.service('redis' as never))));

      // Before the web plugin starts listening (stage 0), so the first request finds the admin.
      api.hooks.ready.tap(async () => {
        await seedAdmin(users, options, log);
      }, { stage: -10 });

      api.provide('auth', {
        User, options, userOf,
        createUser: async (input) => publicUser(await users.create(input)),
        signOutEverywhere: (userId) => sessions.closeAllOf(userId),
      });
    },
  };
}
