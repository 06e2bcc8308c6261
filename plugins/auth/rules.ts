/**
 * @module @starmodel/auth/rules
 * Access rules. An entity declares `static access = { read, write }`; an event may declare
 * `@event({ auth })`, which replaces the entity's `write` rule for that event. A rule is:
 *
 * - `'anyone'` (the default): no sign-in needed;
 * - `'user'`: any signed-in user;
 * - a role name (`'admin'`, `'editor'`): a signed-in user with that role (the admin role passes every role rule);
 * - `'nobody'`: never over HTTP; only server code running as the system ({@link systemContext}).
 *
 * Nobody signed in where one is needed answers 401; signed in without the role, or `'nobody'`, 403.
 * `user`-scoped entities always need a signed-in user (401 otherwise), whatever their rules say.
 */
import { StarmodelError, type AccessRules, type DispatchContext, type EntityMeta } from 'starmodel';
import { forbidden, signInRequired, signInToAct } from './errors.js';

/** A rule: `'anyone'`, `'user'`, `'nobody'`, or a role name. */
export type AccessRule = 'anyone' | 'user' | 'nobody' | (string & {});

/**
 * `static access` on an entity class (the kernel's `AccessRules`): `read` guards live streams and
 * record list/get routes, `write` guards its events. Both default to `'anyone'`.
 */
export type { AccessRules };

declare module 'starmodel' {
  interface EventOptions {
    /** Who may run this event (replaces the entity's `access.write`): `'anyone'`, `'user'`, `'nobody'` or a role name. */
    auth?: string;
  }
}

/** A signed-in user as rules see it. */
export interface Caller {
  readonly id: string;
  readonly roles?: readonly string[];
}

/**
 * The `context.locals` key that marks a dispatch made by server code on its own behalf (sign-up,
 * seeding, scheduled work): rules are not checked for it. Requests from browsers never carry it.
 */
export const SYSTEM_LOCAL = '@starmodel/auth:system';

/** A dispatch context for server code that must pass every rule (including `'nobody'`). */
export function systemContext(): Pick<DispatchContext, 'locals'> {
  return { locals: new Map<string, unknown>([[SYSTEM_LOCAL, true]]) };
}

/** True when a dispatch runs as the system. */
export function isSystem(context: Pick<DispatchContext, 'locals'>): boolean {
  return context.locals.get(SYSTEM_LOCAL) === true;
}

const ROLE = /^[a-z][a-z0-9_-]{0,39}$/;

/** Why a rule is not valid, or undefined when it is. */
export function ruleProblem(rule: unknown): string | undefined {
  if (typeof rule !== 'string') return 'a rule is a string: "anyone", "user", "nobody" or a role name';
  if (!ROLE.test(rule)) return `"${rule}" is not a rule: use "anyone", "user", "nobody" or a lower-case role name`;
  return undefined;
}

/** The entity's rules, with defaults; throws SM_ENTITY_INVALID when `static access` is malformed. */
export function accessOf(meta: EntityMeta): Required<AccessRules> {
  const access: unknown = meta.cls.access;
  if (access === undefined) return { read: 'anyone', write: 'anyone' };
  if (typeof access !== 'object' || access === null) throw new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: 'static access must be { read?, write? }.' });
  const { read = 'anyone', write = 'anyone' } = access as AccessRules;
  for (const [key, rule] of [['read', read], ['write', write]] as const) {
    const problem = ruleProblem(rule);
    if (problem) throw new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: `static access.${key}: ${problem}.` });
  }
  return { read, write };
}

/** Checks an entity's `static access` and its events' `auth` options (when it is registered). */
export function checkEntityRules(meta: EntityMeta): void {
  accessOf(meta);
  for (const eventMeta of meta.events.values()) {
    const rule = eventMeta.options.auth;
    const problem = rule === undefined ? undefined : ruleProblem(rule);
    if (problem) throw new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: `@event({ auth }) of "${eventMeta.name}": ${problem}.` });
  }
}

/** Throws 401/403 unless `caller` satisfies `rule`. `action` says what was refused ("run Counter.reset"). */
export function enforce(rule: AccessRule, caller: Caller | undefined, adminRole: string, meta: EntityMeta, action: string): void {
  if (rule === 'anyone') return;
  if (rule === 'nobody') throw forbidden(action, 'it runs only from server code.');
  if (!caller) throw signInToAct(action, rule === 'user' ? undefined : rule);
  if (rule === 'user') return;
  const roles = caller.roles ?? [];
  if (roles.includes(rule) || roles.includes(adminRole)) return;
  throw forbidden(action, `it needs the "${rule}" role.`);
}

/** The rule that guards an event: its own `auth`, else the entity's `write`. */
export function eventRule(meta: EntityMeta, eventName: string): AccessRule {
  return meta.events.get(eventName)?.options.auth ?? accessOf(meta).write;
}

/** Checks one event call (the `dispatch` tap). */
export function checkEvent(meta: EntityMeta, eventName: string, context: Pick<DispatchContext, 'user' | 'locals'>, adminRole: string): void {
  if (isSystem(context)) return;
  enforce(eventRule(meta, eventName), context.user, adminRole, meta, `run ${meta.name}.${eventName}`);
  if (meta.scope === 'user' && !context.user) throw signInRequired(meta.name);
}

/** Checks one read over HTTP (live stream, record list or get). */
export function checkRead(meta: EntityMeta, caller: Caller | undefined, adminRole: string): void {
  enforce(accessOf(meta).read, caller, adminRole, meta, `read ${meta.name}`);
  if (meta.scope === 'user' && !caller) throw signInRequired(meta.name);
}
