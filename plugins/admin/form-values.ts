/**
 * @module @starmodel/admin/form-values
 * Between values and the text of HTML form controls: what an input shows for a value, and the
 * value a submitted form means (an unticked checkbox is false, an empty number is "nothing",
 * a datetime-local is UTC, a textarea of JSON is parsed).
 */
import { coerce, isPlainObject, schemaInfo, type FieldErrors, type Schema, type SchemaInfo } from 'starmodel';
import { inputKindOf } from './fields.js';

/** What a form control holds: text, or the state of a checkbox. */
export type FormValue = string | boolean;

/** What a submitted form means for a set of schemas. */
export interface ReadForm {
  /** Values by name, ready for an event's arguments (names left empty and optional are absent). */
  readonly values: Record<string, unknown>;
  /** The controls as submitted, to show the form again with what the user typed. */
  readonly typed: Record<string, FormValue>;
  /** Values that could not even be read (JSON that does not parse). */
  readonly errors: FieldErrors;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** The text a control shows for a value (dates as UTC `YYYY-MM-DDTHH:MM:SS`). */
export function toFormValue(schema: Schema, value: unknown): FormValue {
  const kind = inputKindOf(schemaInfo(schema));
  if (kind === 'checkbox') return value === true;
  if (value === null || value === undefined) return '';
  if (kind === 'datetime') {
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 19);
  }
  if (kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** The value of an empty control: null where allowed, nothing where optional, else '' (which validation reports). */
function emptyValue(info: SchemaInfo): { value?: unknown } {
  if (info.nullable) return { value: null };
  if (info.optional) return {};
  return { value: '' };
}

function firstText(raw: unknown): unknown {
  return Array.isArray(raw) ? raw[0] : raw;
}

/** Reads a submitted form (urlencoded, or a JSON object) against the schemas of the fields it shows. */
export function readForm(schemas: Readonly<Record<string, Schema>>, body: unknown): ReadForm {
  const source = isPlainObject(body) ? body : {};
  const values: Record<string, unknown> = {};
  const typed: Record<string, FormValue> = {};
  const errors: FieldErrors = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const info = schemaInfo(schema);
    const kind = inputKindOf(info);
    const raw = firstText(Object.hasOwn(source, name) ? source[name] : undefined);
    if (kind === 'checkbox') {
      // An unticked box sends nothing.
      const on = raw === true || (typeof raw === 'string' && !['', 'false', 'off', '0'].includes(raw.toLowerCase()));
      typed[name] = on;
      values[name] = on;
      continue;
    }
    if (raw !== undefined && typeof raw !== 'string') {
      // A JSON client sent a typed value: take it as it is, validation has the last word.
      typed[name] = kind === 'json' ? JSON.stringify(raw, null, 2) : String(raw);
      values[name] = raw;
      continue;
    }
    const text = raw ?? '';
    typed[name] = text;
    if (text.trim() === '' && kind !== 'text' && kind !== 'textarea') {
      const empty = emptyValue(info);
      if ('value' in empty) values[name] = empty.value;
      continue;
    }
    switch (kind) {
      case 'datetime':
        values[name] = DATETIME.test(text.trim()) ? new Date(`${text.trim()}Z`) : text;
        break;
      case 'json':
        try {
          values[name] = JSON.parse(text) as unknown;
        } catch (error) {
          errors[name] = `Not valid JSON (${error instanceof Error ? error.message : 'unreadable'}). Write a JSON value, e.g. ["a", "b"] or {"key": 1}.`;
        }
        break;
      case 'text':
      case 'textarea':
        values[name] = text;
        break;
      default:
        values[name] = coerce(schema, text);
    }
  }
  return { values, typed, errors };
}

/** Per-field messages keyed by top-level name (`tags.0` → `tags`), first message wins. */
export function topLevelErrors(fields: FieldErrors | undefined): FieldErrors {
  const errors: FieldErrors = {};
  for (const [path, message] of Object.entries(fields ?? {})) {
    const name = path.split('.')[0] ?? path;
    errors[name] ??= path === name ? message : `${path.slice(name.length + 1)}: ${message}`;
  }
  return errors;
}
