/**
 * @module binding
 * Finds each event argument's value in a request and validates it. Precedence, highest first:
 * positional arguments, named arguments, the URL query, the entity's own signal namespace in the
 * body, then a top-level body key. Only declared arguments are read; everything else is ignored.
 */
import type { EntityClass } from './entity.js';
import { isPlainObject } from './merge-patch.js';
import type { EntityMeta, EventMeta } from './registry.js';
import { quickCheck, validateNamed, type Schema } from './schema.js';

/** A request to run an event, before validation. */
export interface DispatchInput {
  /** Entity class or its name. */
  readonly entity: string | EntityClass;
  readonly event: string;
  /** Record id, for `record` entities. */
  readonly id?: string;
  /** Arguments in parameter order (server code and tests). */
  readonly positional?: readonly unknown[];
  /** Arguments by name. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** URL query values; they win over body and signals. */
  readonly query?: Readonly<Record<string, unknown>>;
  /** JSON body or Datastar signals (`{ Counter: { ... }, amount: 5 }`). */
  readonly body?: unknown;
  /**
   * Set by adapters for input from a client (the web plugin does): a client can never set a hidden
   * field through the built-in `create`/`update`, whatever it sends. Server code may.
   */
  readonly untrusted?: boolean;
}

function own(source: unknown, key: string): unknown {
  return isPlainObject(source) && Object.hasOwn(source, key) ? source[key] : undefined;
}

/** Where quickCheck leaves a parsed value (checks are synchronous: one slot serves every call). */
const checked = { value: undefined as unknown };

/** The validated arguments of an event, by name; throws SM_VALIDATION_FAILED listing bad fields. */
export function bindArgs(meta: EntityMeta, eventMeta: EventMeta, input: DispatchInput): Record<string, unknown> {
  const args = eventMeta.args;
  const skipHidden = input.untrusted && eventMeta.builtIn;
  // The entity's own signal namespace in the body, looked up once for all the arguments.
  const namespaced = own(input.body, meta.namespace);
  const raw: Record<string, unknown> = {};
  const parsed: Record<string, unknown> = {};
  let quick = true;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (skipHidden && meta.hidden.has(arg.name)) continue;
    // Highest precedence first: positional, named, query, namespaced body, top-level body.
    let value = input.positional?.[index];
    if (value === undefined) value = own(input.args, arg.name);
    if (value === undefined) value = own(input.query, arg.name);
    if (value === undefined) value = own(namespaced, arg.name);
    if (value === undefined) value = own(input.body, arg.name);
    raw[arg.name] = value;
    // Plain number/text/boolean arguments with good values need no zod; the rest, zod decides below.
    if (quick && quickCheck(arg.schema, value, true, checked)) {
      if (checked.value !== undefined) parsed[arg.name] = checked.value;
    } else {
      quick = false;
    }
  }
  if (quick) return parsed;
  const schemas: Record<string, Schema> = {};
  for (const arg of args) if (!(skipHidden && meta.hidden.has(arg.name))) schemas[arg.name] = arg.schema;
  return validateNamed(schemas, raw);
}

/** The positional argument list for calling the method, in parameter order. */
export function argumentList(eventMeta: EventMeta, args: Readonly<Record<string, unknown>>): unknown[] {
  return eventMeta.args.map((arg) => args[arg.name]);
}
