/**
 * @module @starmodel/auth/entities
 * The plugin's two entities. Each app gets its own classes (made by the plugin from its options),
 * so the store can be an option and two apps in one process never share class-level settings.
 *
 * - `User` (table `users`): email (unique), display name, password hash (hidden: never a signal),
 *   roles, created. Readable and writable over HTTP by admins only; `create` and
 *   `setPasswordHash` run only from server code (rule `'nobody'`).
 * - `AuthSession` (table `auth_sessions`): the server-side session → user mapping, keyed by a
 *   SHA-256 of the session id (the id itself is never stored). Nobody reaches it over HTTP.
 */
import { Entity, event, field, z, type AccessRules } from 'starmodel';

/** Largest email accepted (RFC 5321 path limit). */
export const EMAIL_MAX = 254;
/** Largest display name accepted. */
export const NAME_MAX = 80;

const roleSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'A role is a lower-case word of at most 40 characters');

/** Makes the User entity class for one app. */
export function defineUser(store: string) {
  class User extends Entity {
    static override scope = 'record' as const;
    static override store = store;
    /** SQL table (`user` is reserved in PostgreSQL). */
    static table = 'users';
    static override access: AccessRules = { read: 'admin', write: 'admin' };

    @field(z.email().max(EMAIL_MAX).meta({ unique: true })) email = '';
    @field(z.string().min(1).max(NAME_MAX)) name = '';
    @field(z.string().max(512), { hidden: true }) passwordHash = '';
    @field(z.array(roleSchema).max(20)) roles: string[] = [];
    created = new Date(0);

    /** Creates a user; server code only (the sign-up route calls it with a fresh hash). */
    @event({ method: 'post', auth: 'nobody' })
    static create(email: string, name: string, passwordHash: string, roles: string[] = []) {
      const user = new User();
      user.email = email;
      user.name = name;
      user.passwordHash = passwordHash;
      user.roles = roles;
      user.created = new Date();
      return user;
    }

    /** Replaces the password hash; server code only (the password route and rehashing call it). */
    @event({ method: 'post', auth: 'nobody' })
    setPasswordHash(passwordHash: string) {
      this.passwordHash = passwordHash;
    }

    /** Sets the user's roles (admins only). */
    @event({ method: 'post', args: { roles: z.array(roleSchema).max(20) } })
    setRoles(roles: string[]) {
      this.roles = [...new Set(roles)];
    }
  }
  return User;
}

/** The User entity class of an app. */
export type UserClass = ReturnType<typeof defineUser>;
/** A User. */
export type UserEntity = InstanceType<UserClass>;

/** Makes the AuthSession entity class for one app. */
export function defineAuthSession(store: string, ttlSeconds: number) {
  class AuthSession extends Entity {
    static override scope = 'record' as const;
    static override store = store;
    static override ttl = ttlSeconds;
    static table = 'auth_sessions';
    static override access: AccessRules = { read: 'nobody', write: 'nobody' };

    @field(z.string().min(1).max(64)) userId = '';
  }
  return AuthSession;
}

/** The AuthSession entity class of an app. */
export type AuthSessionClass = ReturnType<typeof defineAuthSession>;
