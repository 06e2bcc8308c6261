/**
 * @module @starmodel/auth/users
 * Finding, creating and changing users. Writes go through `kernel.dispatch` as the system, so
 * commit and publish taps (audit, other instances, admin live lists) see them like any event.
 */
import { isStarmodelError, z, type Kernel } from 'starmodel';
import { EMAIL_MAX, NAME_MAX, type UserClass, type UserEntity } from './entities.js';
import { emailTaken } from './errors.js';
import { hashPassword, type ScryptParams } from './password.js';
import { systemContext } from './rules.js';

/** What pages, events and hooks see of a signed-in user (`page.user`, `context.user`). */
export interface AuthUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly email: string;
  readonly name: string;
}

/** Trims and lower-cases an email, so one address is one account however it is typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The email schema sign-up checks (after normalizing). */
export const emailSchema = z.email('Enter an email address like name@example.com').max(EMAIL_MAX, `At most ${EMAIL_MAX} characters`);
/** The display-name schema sign-up checks (after trimming). */
export const nameSchema = z.string().min(1, 'Enter a name').max(NAME_MAX, `At most ${NAME_MAX} characters`);

/** The public view of a user (no hash). */
export function publicUser(user: UserEntity): AuthUser {
  return { id: user.id, roles: [...user.roles], email: user.email, name: user.name };
}

/** A new user's fields. */
export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly name?: string;
  readonly roles?: readonly string[];
}

/** The users of one app. */
export class UserDirectory {
  readonly #creating = new Map<string, Promise<unknown>>();

  constructor(private readonly kernel: Kernel, readonly User: UserClass, private readonly scrypt: ScryptParams) {}

  /** The user with this email (normalized first), or undefined. */
  async byEmail(email: string): Promise<UserEntity | undefined> {
    const { items } = await this.kernel.find(this.User, { where: { email: normalizeEmail(email) }, limit: 1 });
    return items[0];
  }

  /** The user with this id, or undefined. */
  async byId(id: string): Promise<UserEntity | undefined> {
    try {
      return await this.kernel.load(this.User, {}, id);
    } catch (error) {
      if (isStarmodelError(error) && error.code === 'SM_RECORD_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * Creates a user with a freshly hashed password. Refuses an email that has an account (409);
   * in one process two sign-ups for one email run one after the other, and across processes the
   * SQL store's unique index on `email` refuses the second.
   */
  async create(input: NewUser): Promise<UserEntity> {
    const email = normalizeEmail(input.email);
    const previous = this.#creating.get(email) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#createNow(email, input));
    this.#creating.set(email, run);
    try {
      return await run;
    } finally {
      if (this.#creating.get(email) === run) this.#creating.delete(email);
    }
  }

  async #createNow(email: string, input: NewUser): Promise<UserEntity> {
    if (await this.byEmail(email)) throw emailTaken();
    const passwordHash = await hashPassword(input.password, this.scrypt);
    const name = input.name?.trim() || email.split('@')[0] || email;
    try {
      const result = await this.kernel.dispatch({ entity: this.User, event: 'create', args: { email, name, passwordHash, roles: [...(input.roles ?? [])] } }, systemContext());
      return await this.kernel.load(this.User, {}, result.id);
    } catch (error) {
      if (isStarmodelError(error) && error.code === 'SM_STORE_DUPLICATE') throw emailTaken();
      throw error;
    }
  }

  /** Replaces a user's password (hashing it). */
  async setPassword(userId: string, password: string): Promise<void> {
    await this.setPasswordHash(userId, await hashPassword(password, this.scrypt));
  }

  /** Replaces a user's stored hash (rehashing with newer parameters). */
  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.kernel.dispatch({ entity: this.User, event: 'setPasswordHash', id: userId, args: { passwordHash } }, systemContext());
  }

  /** True when some user has `role` (pages through every user: meant for development seeding). */
  async anyWithRole(role: string): Promise<boolean> {
    const pageSize = 500;
    for (let offset = 0; offset < 1_000_000; offset += pageSize) {
      const { items } = await this.kernel.find(this.User, { orderBy: [{ field: 'id' }], limit: pageSize, offset });
      if (items.some((user) => user.roles.includes(role))) return true;
      if (items.length < pageSize) return false;
    }
    return false;
  }
}
