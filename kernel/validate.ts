/**
 * @module validate
 * Validate-only: the checks an event's arguments would meet, without running the method, asking
 * any plugin, or saving anything. Forms call it while the user types (`SM-Validate` header).
 */
import { bindArgs, type DispatchInput } from './binding.js';
import { isStarmodelError, type FieldErrors } from './errors.js';
import type { EntityMeta, EventMeta } from './registry.js';
import { validateNamed } from './schema.js';

/** The argument names a validate-only request asks about: all of them, or those named that exist. */
export function namesToValidate(eventMeta: EventMeta, names: 'all' | readonly string[]): string[] {
  const args = eventMeta.args.map((arg) => arg.name);
  return names === 'all' ? args : names.filter((name) => args.includes(name));
}

/**
 * The messages the named arguments would get if the event ran now ({} when they are valid). A
 * record's `create` also checks the record it would make (defaults for what was left out), as its
 * commit would. Throws only for what is not a validation problem (an unknown event).
 */
export function validateEvent(meta: EntityMeta, eventMeta: EventMeta, input: DispatchInput, names: 'all' | readonly string[]): FieldErrors {
  const wanted = namesToValidate(eventMeta, names);
  let parsed: Record<string, unknown> = {};
  let errors: FieldErrors = {};
  try {
    parsed = bindArgs(meta, eventMeta, input);
  } catch (error) {
    if (!isStarmodelError(error) || error.code !== 'SM_VALIDATION_FAILED') throw error;
    errors = { ...(error.fields ?? {}) };
  }
  if (eventMeta.builtIn === 'create') {
    for (const name of wanted) {
      const schema = meta.fields[name];
      if (!schema || errors[name] !== undefined || meta.hidden.has(name)) continue;
      try {
        validateNamed({ [name]: schema }, { [name]: Object.hasOwn(parsed, name) ? parsed[name] : meta.defaults[name] }, { coerce: false });
      } catch (error) {
        if (isStarmodelError(error) && error.fields) Object.assign(errors, error.fields);
        else throw error;
      }
    }
  }
  const mine: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    if (wanted.some((name) => path === name || path.startsWith(`${name}.`))) mine[path] = message;
  }
  return mine;
}
