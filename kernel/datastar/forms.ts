/**
 * @module datastar/forms
 * The wire contract between a form on a page and the server that answers it. A form keeps its
 * values in a namespace of its own, `$sm.forms.<key>`:
 *
 * ```
 * sm.forms.todo_create = { values: { title: '' }, initial: { title: '' }, errors: { title: '' }, busy: false }
 * ```
 *
 * and sends the header `SM-Form: <key>` with its request. The server then reads the arguments from
 * `values` only (never from the entity's own namespace, which a previous answer may have filled),
 * writes each message to `errors.<name>` beside its input, and after a success puts `initial` back
 * into `values` (the inputs are cleared). `SM-Validate: true` (or a list of names) asks for the
 * checks alone: nothing runs, nothing is saved.
 */
import { isPlainObject, type JsonObject } from '../merge-patch.js';

/** Request header naming the form a request came from. */
export const FORM_HEADER = 'SM-Form';
/** Request header asking for validation only: `true` (every argument) or names separated by commas. */
export const VALIDATE_HEADER = 'SM-Validate';

// Signal keys: beta.11 refuses `__` in a key, and `_` first would keep the form out of requests.
const FORM_KEY = /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$/;

/** A form key from text: letters, digits and single underscores, starting with a letter (at most 120 characters). */
export function formKey(text: string): string {
  const key = text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^[^A-Za-z]+/, '').replace(/_+$/, '').slice(0, 120).replace(/_+$/, '');
  return key || 'form';
}

/** The form key a request names in its `SM-Form` header, or undefined when it names none (or a malformed one). */
export function requestFormKey(header: string | undefined): string | undefined {
  if (!header || header.length > 120 || !FORM_KEY.test(header)) return undefined;
  return header;
}

/** What a validate-only request asks for: every argument (`'all'`), some names, or nothing (a normal request). */
export function validateRequest(header: string | undefined): 'all' | readonly string[] | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (text === '' || text === 'false') return undefined;
  if (text === 'true' || text === '*') return 'all';
  return text.split(',').map((name) => name.trim()).filter((name) => /^[A-Za-z_$][\w$]{0,100}$/.test(name));
}

/** The state a form sent with its request (`$sm.forms.<key>`), or undefined. */
export function formStateOf(signals: unknown, key: string): { values: JsonObject | undefined; initial: JsonObject | undefined } | undefined {
  const sm = isPlainObject(signals) ? signals.sm : undefined;
  const forms = isPlainObject(sm) ? sm.forms : undefined;
  const state = isPlainObject(forms) && Object.hasOwn(forms, key) ? forms[key] : undefined;
  if (!isPlainObject(state)) return undefined;
  return { values: isPlainObject(state.values) ? state.values : undefined, initial: isPlainObject(state.initial) ? state.initial : undefined };
}

/** A merge patch for one form's namespace: `{ sm: { forms: { <key>: patch } } }`. */
export function formSignals(key: string, patch: JsonObject): JsonObject {
  return { sm: { forms: { [key]: patch } } };
}

/** `{ name: '' }` for each name: the messages a fixed form no longer shows. */
export function clearedErrors(names: Iterable<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const name of names) errors[name] = '';
  return errors;
}

/**
 * The page-level message for an error answered to a form: empty when every message it carries
 * belongs to one of the form's inputs (the form shows each beside its input, once), the error's
 * own message otherwise.
 */
export function pageMessage(message: string, fields: Readonly<Record<string, string>> | undefined, owned: Iterable<string>): string {
  if (!fields) return message;
  const names = Object.keys(fields);
  if (names.length === 0) return message;
  const mine = new Set(owned);
  return names.every((name) => mine.has(name)) ? '' : message;
}
