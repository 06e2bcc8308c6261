/**
 * @module @starmodel/admin/record-forms
 * Reading and filling the forms of records and events: which fields a create form shows, a
 * posted form checked all at once, a record's values as form text, the event a URL names, and
 * the notice shown after a redirect.
 */
import type { Context } from 'koa';
import { isStarmodelError, StarmodelError, validateNamed, type Entity, type EntityMeta, type EventMeta, type FieldErrors, type Schema } from 'starmodel';
import { visibleFields } from './fields.js';
import { readForm, toFormValue, topLevelErrors, type FormValue } from './form-values.js';
import { queryText } from './http.js';
import { runnableEvents } from './views/events.js';

/** The fields a create form shows: the built-in `create` takes every visible field; a custom one its own arguments. */
export function createSchemas(meta: EntityMeta): [string, Schema][] {
  const create = meta.events.get('create');
  if (!create || create.builtIn === 'create') return visibleFields(meta);
  return create.args.map((arg) => [arg.name, arg.schema]);
}

/**
 * Reads a posted record form: values, what was typed, and every problem at once (unreadable JSON
 * and values their schemas refuse), so the form comes back with all its messages together.
 */
export function checkedForm(schemas: readonly [string, Schema][], body: unknown): { values: Record<string, unknown>; typed: Record<string, FormValue>; errors: FieldErrors } {
  const form = readForm(Object.fromEntries(schemas), body);
  const errors: FieldErrors = { ...form.errors };
  const readable = Object.fromEntries(schemas.filter(([name]) => !(name in errors)));
  try {
    validateNamed(readable, form.values);
  } catch (error) {
    if (!isStarmodelError(error) || !error.fields) throw error;
    for (const [name, message] of Object.entries(topLevelErrors(error.fields))) errors[name] ??= message;
  }
  return { values: form.values, typed: form.typed, errors };
}

/** The form values of a record's visible fields. */
export function formValuesOf(meta: EntityMeta, entity: Entity): Record<string, FormValue> {
  const values = entity as unknown as Record<string, unknown>;
  return Object.fromEntries(visibleFields(meta).map(([name, schema]) => [name, toFormValue(schema, values[name])]));
}

/** The notice after a redirect (`?saved=1`, `?ran=<event>`, `?queued=<event>`). */
export function actionNotice(ctx: Context): string | undefined {
  const ran = queryText(ctx, 'ran');
  const queued = queryText(ctx, 'queued');
  if (queryText(ctx, 'saved')) return 'Saved.';
  if (ran) return `Ran ${ran}.`;
  if (queued) return `${queued} was queued: it runs in the background.`;
  return undefined;
}

/** The event a URL names among those the admin may run; 404 otherwise. */
export function runnableEvent(meta: EntityMeta, name: string | undefined): EventMeta {
  const eventMeta = runnableEvents(meta).find((candidate) => candidate.name === name);
  if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: name ?? '' });
  return eventMeta;
}

/** Reads an event's arguments from a form; JSON that does not parse is reported without dispatching. */
export function eventForm(eventMeta: EventMeta, body: unknown): ReturnType<typeof readForm> {
  return readForm(Object.fromEntries(eventMeta.args.map((arg) => [arg.name, arg.schema])), body);
}
