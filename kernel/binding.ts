/**
 * @module binding
 * Finds each event argument's value in a request and validates it. Precedence, highest first:
 * positional arguments, named arguments, the URL query, the entity's own signal namespace in the
 * body, then a top-level body key. Only declared arguments are read; everything else is ignored.
 */
import type { EntityClass } from './entity.js';
import { isPlainObject } from './merge-patch.js';
import type { EntityMeta, EventMeta } from './registry.js';
import { validateNamed, type Schema } from './schema.js';

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

/** The validated arguments of an event, by name; throws SM_VALIDATION_FAILED listing bad fields. */
export function bindArgs(meta: EntityMeta, eventMeta: EventMeta, input: DispatchInput): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const schemas: Record<string, Schema> = {};
  eventMeta.args.forEach((arg, index) => {
    if (input.untrusted && eventMeta.builtIn && meta.hidden.has(arg.name)) return;
    schemas[arg.name] = arg.schema;
    const candidates = [input.positional?.[index], own(input.args, arg.name), own(input.query, arg.name), own(own(input.body, meta.namespace), arg.name), own(input.body, arg.name)];
    raw[arg.name] = candidates.find((value) => value !== undefined);
  });
  return validateNamed(schemas, raw);
}

/** The positional argument list for calling the method, in parameter order. */
export function argumentList(eventMeta: EventMeta, args: Readonly<Record<string, unknown>>): unknown[] {
  return eventMeta.args.map((arg) => args[arg.name]);
}
