/**
 * @module @starmodel/auth/seed
 * The development admin: created on start when no user has the admin role, so a fresh checkout
 * has an account that can run admin-only events. Never in production.
 */
import type { Logger } from 'starmodel';
import type { AuthOptions } from './options.js';
import type { UserDirectory } from './users.js';

/** Creates the seed admin when configured, outside production, and no admin exists. Returns whether it did. */
export async function seedAdmin(users: UserDirectory, options: AuthOptions, log: Logger): Promise<boolean> {
  const seed = options.seedAdmin;
  if (!seed || process.env.NODE_ENV === 'production') return false;
  if (await users.anyWithRole(options.adminRole)) return false;
  if (await users.byEmail(seed.email)) {
    // Someone signed up with the seed address: never promote an account this plugin did not create.
    log.warn(`no user has the "${options.adminRole}" role and ${seed.email} exists without it; not seeding an admin. Grant the role with User.setRoles.`);
    return false;
  }
  await users.create({ email: seed.email, password: seed.password, name: seed.name, roles: [options.adminRole] });
  log.info(`development admin created: ${seed.email} (its password is in the @starmodel/auth README; set seedAdmin: false to skip)`);
  return true;
}
