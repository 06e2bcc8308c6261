/**
 * @module redact
 * The one redaction of the kernel. Whatever the kernel hands out as a *record* of what happened
 * (the `CommandRecord` that commit and publish taps, bridges and callers see, the logger every
 * plugin gets, the jobs a queue lists) goes through it, so no plugin can store or print a secret
 * by accident. The method itself, and the store that must persist a hidden field, keep the real
 * values: only records are redacted.
 *
 * A value is a secret when it is
 * - an event argument marked with {@link sensitive} (`@event({ args: { pin: sensitive(z.string()) } })`),
 * - an argument named after a field marked hidden (`@field(schema, { hidden: true })`), which
 *   covers the built-in `create` / `update` of record entities, or
 * - anything under a password-like name ({@link SENSITIVE_NAME}: `password`, `passwordHash`,
 *   `secret`, `token`, `apiKey`, `sessionId` ...), at any depth.
 */
import type { Actor, Command, CommandRecord } from './change.js';
import type { EntityMeta, EventMeta } from './registry.js';
import { metaFlag, type Schema } from './schema.js';

/** What every redacted value is replaced by. */
export const REDACTED = '[redacted]';

/**
 * Names whose values are secrets by default, matched case-insensitively anywhere in the name
 * (`password`, `newPassword`, `passwordHash`, `clientSecret`, `accessToken`, `apiKey`, `api_key`,
 * `sessionId`, `Authorization`, `Set-Cookie` ...).
 */
export const SENSITIVE_NAME = /password|passwd|^pwd$|^pass$|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|session[-_]?id/i;

/** True when a name is password-like ({@link SENSITIVE_NAME}). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/**
 * Marks a schema as holding a secret: an event argument (or field) declared with it is shown as
 * {@link REDACTED} in every record of the command. The schema validates exactly as before.
 * @example
 * ```ts
 * @event({ method: 'post', args: { pin: sensitive(z.string().length(4)) } })
 * unlock(pin: string) { ... }
 * ```
 */
export function sensitive<T extends Schema>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), sensitive: true });
}

/** True when a schema (or a schema it wraps: optional, default, pipe ...) was marked {@link sensitive}. */
export function isSensitiveSchema(schema: Schema): boolean {
  return metaFlag(schema, 'sensitive');
}

/** What redaction knows about an event's arguments, worked out once per event. */
interface ArgPlan {
  /** The arguments records never show. */
  readonly secret: ReadonlySet<string>;
  /** Every declared argument: a declared name not in `secret` needs no name check per event. */
  readonly declared: ReadonlySet<string>;
}

const argPlans = new WeakMap<EventMeta, ArgPlan>();

function argPlanOf(meta: EntityMeta, eventMeta: EventMeta): ArgPlan {
  let plan = argPlans.get(eventMeta);
  if (!plan) {
    const secret = eventMeta.args.filter((arg) => meta.hidden.has(arg.name) || isSensitiveName(arg.name) || isSensitiveSchema(arg.schema)).map((arg) => arg.name);
    plan = { secret: new Set(secret), declared: new Set(eventMeta.args.map((arg) => arg.name)) };
    argPlans.set(eventMeta, plan);
  }
  return plan;
}

/**
 * The arguments of an event that records never show: marked sensitive, named after a hidden
 * field, or password-like by name. Worked out once per event.
 */
export function sensitiveArgs(meta: EntityMeta, eventMeta: EventMeta): ReadonlySet<string> {
  return argPlanOf(meta, eventMeta).secret;
}

/** How {@link redact} treats what is not under a sensitive name. */
export interface RedactOptions {
  /** Names redacted at the top level besides the password-like ones (an event's sensitive arguments). */
  readonly names?: ReadonlySet<string>;
  /** Also scrub credentials inside text (URLs with a password, bearer tokens, `password=...`): for logs. */
  readonly text?: boolean;
  /** How an Error is turned into plain data before it is redacted (a logger's serializer). */
  readonly error?: (error: Error) => unknown;
}

/** Credentials that show up inside text: URLs with a password, bearer tokens, `password=...` pairs. */
const SENSITIVE_TEXT: readonly [RegExp, string][] = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`],
  [/\b(bearer|basic)\s+[\w.~+/-]+=*/gi, `$1 ${REDACTED}`],
  [/\b(password|passwd|secret|token|api[-_]?key|session[-_]?id)(["']?\s*[=:]\s*["']?)[^\s"'&,;)\]]+/gi, `$1$2${REDACTED}`],
];

/** Removes credentials from a piece of text (a log message, an error, a URL). */
export function scrubText(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of SENSITIVE_TEXT) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

function plainError(error: Error): Record<string, unknown> {
  const plain: Record<string, unknown> = { type: error.name, message: error.message };
  if (error.stack) plain.stack = error.stack;
  for (const [key, value] of Object.entries(error)) plain[key] = value;
  return plain;
}

/**
 * A copy of `value` with every member under a sensitive name (at any depth) replaced by
 * {@link REDACTED}. Values with nothing to redact are returned as they are (no copy), so the
 * common case costs a walk and no allocation.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  return redactAt(value, options, 0, true);
}

function redactAt(value: unknown, options: RedactOptions, depth: number, top: boolean): unknown {
  if (typeof value === 'string') return options.text ? scrubText(value) : value;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  // A copy as plain data, so the message and stack are walked like any other member.
  if (value instanceof Error) return redactAt({ ...(options.error ? options.error(value) : plainError(value)) as object }, options, depth + 1, false);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const next = redactAt(item, options, depth + 1, false);
      if (next !== item) (copy ??= [...value])[index] = next;
    }
    return copy ?? value;
  }
  // Own members only. An object with nothing to redact is kept as it is (a Date stays a Date); one
  // with a secret becomes a plain copy of its own members.
  const members = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  // for-in with an own check: no array of entries per object (this runs for every event).
  for (const key in members) {
    if (!Object.hasOwn(members, key)) continue;
    const item = members[key];
    const secret = item !== undefined && ((top && options.names?.has(key)) || SENSITIVE_NAME.test(key));
    const next = secret ? REDACTED : redactAt(item, options, depth + 1, false);
    if (next !== item) {
      if (!copy) {
        const proto = Object.getPrototypeOf(value) as object | null;
        copy = Object.assign(Object.create(proto === null ? null : Object.prototype) as Record<string, unknown>, value);
      }
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/** An event's validated arguments as records show them (the per-event path of {@link redact}). */
function redactEventArgs(args: Readonly<Record<string, unknown>>, plan: ArgPlan): Readonly<Record<string, unknown>> {
  let copy: Record<string, unknown> | undefined;
  for (const key in args) {
    if (!Object.hasOwn(args, key)) continue;
    const item = args[key];
    if (item === undefined) continue;
    let next: unknown = item;
    // A declared name was judged once (plan.secret); an undeclared one (added by a tap) is judged now.
    if (plan.secret.has(key) || (!plan.declared.has(key) && SENSITIVE_NAME.test(key))) next = REDACTED;
    else if (typeof item === 'object' && item !== null) next = redactAt(item, {}, 1, false);
    if (next !== item) (copy ??= { ...args })[key] = next;
  }
  return copy ?? args;
}

/** An actor as records show it: who (the user), never which session (its id keys the user's cookie). */
export function redactActor(actor: Actor): Actor {
  if (actor.sessionId === undefined) return actor;
  return actor.userId === undefined ? SESSION_ONLY : { sessionId: REDACTED, userId: actor.userId };
}

/** The actor of most events (a browser session, nobody signed in), shared: records are read-only. */
const SESSION_ONLY: Actor = Object.freeze({ sessionId: REDACTED });

/**
 * The record of a command, as commit and publish taps, bridges, job lists and the caller see it:
 * its arguments and actor redacted. The command itself (what dispatch taps see and the method
 * gets) keeps the real values.
 */
export function commandRecord(command: Command): CommandRecord {
  return {
    entity: command.entity, event: command.event, id: command.id,
    args: redactEventArgs(command.args, argPlanOf(command.meta, command.eventMeta)),
    actor: redactActor(command.actor), at: command.at,
  };
}

/**
 * An event's arguments as records show them, for code that holds arguments outside a command
 * (a job queue listing what it will run). Unknown events get the password-like names only.
 */
export function redactArgs<T>(meta: EntityMeta | undefined, eventMeta: EventMeta | undefined, args: T): T {
  return redact(args, meta && eventMeta ? { names: sensitiveArgs(meta, eventMeta) } : {}) as T;
}
