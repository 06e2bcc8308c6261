/**
 * @module @starmodel/admin/views/record
 * Pages of one record: create, edit (with the record's events), the delete confirmation; and the
 * page of a global entity (its state and events).
 */
import { html, type EntityMeta, type FieldErrors, type Html, type JsonObject } from 'starmodel';
import { visibleFields } from '../fields.js';
import type { FormValue } from '../form-values.js';
import { controls, errorSummary } from './controls.js';
import { eventForms, type FailedEvent } from './events.js';
import { adminPage, entityPath, notice, recordPath, type Chrome } from './layout.js';
import { cellContent } from './rows.js';

/** A record form as it is shown: values (as typed, or from the record) and what went wrong. */
export interface RecordForm {
  readonly typed: Readonly<Record<string, FormValue>>;
  readonly errors: FieldErrors;
  /** Set after a failed save: the summary's first line. */
  readonly message?: string | undefined;
}

const FORM_PREFIX = 'f';

function fieldsForm(meta: EntityMeta, action: string, form: RecordForm, submit: string, cancel: string, hidden: Html = html``): Html {
  const failed = form.message !== undefined || Object.keys(form.errors).length > 0;
  return html`${failed ? errorSummary(form.errors, FORM_PREFIX, form.message) : ''}
<form class="record" method="post" action="${action}" novalidate>
${hidden}
${controls(visibleFields(meta), form.typed, form.errors, FORM_PREFIX)}
<div class="buttons"><button type="submit">${submit}</button> <a href="${cancel}">Cancel</a></div>
</form>`;
}

/** Values as a definition list (state of a global, computed values, the record to delete). */
function valueList(meta: EntityMeta, signals: JsonObject, names: readonly string[]): Html {
  return html`<dl class="values">${names.map((name) => html`<div><dt>${name}</dt><dd>${cellContent(meta.fields[name], signals[name])}</dd></div>`)}</dl>`;
}

/** `/admin/<entity>/new`. */
export function newRecordPage(chrome: Chrome, meta: EntityMeta, form: RecordForm): Html {
  const base = entityPath(chrome.options, meta);
  const content = fieldsForm(meta, `${base}/new`, form, `Create ${meta.name}`, base);
  return adminPage(chrome, { title: `New ${meta.name}`, content, current: meta.name });
}

/** `/admin/<entity>/records/<id>`: the edit form, computed values, the record's events, a way to delete it. */
export function recordPage(chrome: Chrome, meta: EntityMeta, record: { id: string; version: number; signals: JsonObject }, form: RecordForm, extras: { notice?: string | undefined; failedEvent?: FailedEvent | undefined } = {}): Html {
  const { options } = chrome;
  const self = recordPath(options, meta, record.id);
  const content = html`${notice(extras.notice)}
<p class="meta">Version ${record.version} · <a href="${entityPath(options, meta)}">All ${meta.name} records</a></p>
<section aria-labelledby="edit-title"><h2 id="edit-title">Edit</h2>
${fieldsForm(meta, self, form, 'Save changes', entityPath(options, meta), html`<input type="hidden" name="_version" value="${record.version}">`)}
</section>
${meta.computed.length > 0 ? html`<section aria-labelledby="computed-title"><h2 id="computed-title">Computed</h2>${valueList(meta, record.signals, meta.computed)}</section>` : ''}
<section aria-labelledby="events-title"><h2 id="events-title">Events</h2>
${eventForms(meta, (event) => recordPath(options, meta, record.id, `/events/${encodeURIComponent(event)}`), extras.failedEvent)}
</section>
<section aria-labelledby="delete-title"><h2 id="delete-title">Delete</h2>
<p><a class="button danger" href="${recordPath(options, meta, record.id, '/delete')}">Delete this ${meta.name}…</a></p>
</section>`;
  return adminPage(chrome, { title: `${meta.name} ${record.id}`, content, current: meta.name });
}

/** `/admin/<entity>/records/<id>/delete`: what will be deleted, and the button that does it. */
export function deletePage(chrome: Chrome, meta: EntityMeta, record: { id: string; signals: JsonObject }, error?: { message: string; code: string }): Html {
  const { options } = chrome;
  const names = visibleFields(meta).map(([name]) => name);
  const content = html`${error ? html`<div class="notice error" role="alert"><p>${error.message}</p><p class="code"><code>${error.code}</code></p></div>` : ''}
<p>This deletes the ${meta.name} record <strong>${record.id}</strong> for good. Everyone who shows it sees it disappear.</p>
${valueList(meta, record.signals, names)}
<form method="post" action="${recordPath(options, meta, record.id, '/delete')}">
<div class="buttons"><button type="submit" class="danger">Delete permanently</button> <a href="${recordPath(options, meta, record.id)}">Cancel, keep it</a></div>
</form>`;
  return adminPage(chrome, { title: `Delete ${meta.name} ${record.id}?`, content, current: meta.name });
}

/** `/admin/<entity>` for a global entity: its current state and its events. */
export function globalPage(chrome: Chrome, meta: EntityMeta, state: { version: number; signals: JsonObject }, extras: { notice?: string | undefined; failedEvent?: FailedEvent | undefined } = {}): Html {
  const { options } = chrome;
  const names = [...visibleFields(meta).map(([name]) => name), ...meta.computed];
  const content = html`${notice(extras.notice)}
<section aria-labelledby="state-title"><h2 id="state-title">Current state</h2>
<p class="meta">One ${meta.name} shared by everyone · version ${state.version}${meta.hidden.size > 0 ? ` · ${meta.hidden.size} hidden field${meta.hidden.size === 1 ? '' : 's'} not shown` : ''}</p>
${valueList(meta, state.signals, names)}
</section>
<section aria-labelledby="events-title"><h2 id="events-title">Events</h2>
${eventForms(meta, (event) => entityPath(options, meta, `/events/${encodeURIComponent(event)}`), extras.failedEvent)}
</section>`;
  return adminPage(chrome, { title: meta.name, content, current: meta.name });
}
