/**
 * @module @starmodel/admin/views/events
 * A form per event of an entity, with a control per argument. Built-in record events (create,
 * update, delete have pages of their own), `internal` and static events are not offered.
 */
import { html, type EntityMeta, type EventMeta, type FieldErrors, type Html } from 'starmodel';
import type { FormValue } from '../form-values.js';
import { controls, errorSummary } from './controls.js';

/** The events an admin may run on one entity (a record, or a global). */
export function runnableEvents(meta: EntityMeta): EventMeta[] {
  return [...meta.events.values()].filter((eventMeta) => !eventMeta.builtIn && !eventMeta.options.internal && !eventMeta.isStatic);
}

/** The event form that failed, shown again with what was typed and why it failed. */
export interface FailedEvent {
  readonly event: string;
  readonly typed: Readonly<Record<string, FormValue>>;
  readonly errors: FieldErrors;
  readonly message: string;
}

/** The control id prefix of an event's form. */
export function eventPrefix(event: string): string {
  return `ev-${event}`;
}

/** One form per runnable event. */
export function eventForms(meta: EntityMeta, actionOf: (event: string) => string, failed?: FailedEvent): Html {
  const events = runnableEvents(meta);
  if (events.length === 0) return html`<p>${meta.name} has no events to run.</p>`;
  return html`${events.map((eventMeta) => {
    const prefix = eventPrefix(eventMeta.name);
    const mine = failed?.event === eventMeta.name ? failed : undefined;
    const args = eventMeta.args.map((arg) => [arg.name, arg.schema] as [string, typeof arg.schema]);
    return html`<form class="event" method="post" action="${actionOf(eventMeta.name)}" novalidate aria-labelledby="${prefix}-title">
<h3 id="${prefix}-title">${eventMeta.name}${eventMeta.options.background ? html` <span class="tag">runs in the background</span>` : ''}</h3>
${mine ? errorSummary(mine.errors, prefix, mine.message) : ''}
${controls(args, mine?.typed ?? {}, mine?.errors ?? {}, prefix)}
<div class="buttons"><button type="submit">Run ${eventMeta.name}</button></div>
</form>`;
  })}`;
}
