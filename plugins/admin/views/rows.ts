/**
 * @module @starmodel/admin/views/rows
 * Table rows of a records table, rendered from a record's signals. The page and the live stream
 * render rows with the same function, so a row pushed live looks exactly like a loaded one.
 */
import { html, schemaInfo, type EntityMeta, type Html, type JsonObject, type Schema } from 'starmodel';
import { visibleFields } from '../fields.js';
import type { AdminOptions } from '../options.js';
import { recordPath } from './layout.js';

/** Id of the table body that live rows are appended to. */
export const ROWS_ID = 'admin-rows';
/** Id of the element that shows how many records match. */
export const TOTAL_ID = 'admin-total';
/** Id of the live status line. */
export const LIVE_ID = 'admin-live';

const CELL_TEXT = 60;

/** A DOM id for a record's row that is a valid CSS selector whatever the record id holds. */
export function rowId(id: string): string {
  return `admin-row-${Buffer.from(id, 'utf8').toString('hex')}`;
}

function clipped(text: string): Html {
  return text.length > CELL_TEXT ? html`<span title="${text}">${text.slice(0, CELL_TEXT - 1)}…</span>` : html`${text}`;
}

/** One value as table cell content. */
export function cellContent(schema: Schema | undefined, value: unknown): Html {
  if (value === null || value === undefined || value === '') return html`<span class="none" aria-label="empty">—</span>`;
  const type = schema ? schemaInfo(schema).type : typeof value;
  if (type === 'boolean') return html`${value === true ? 'yes' : 'no'}`;
  if (type === 'date') {
    const date = new Date(String(value));
    if (!Number.isNaN(date.getTime())) return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace('T', ' ')}</time>`;
  }
  if (typeof value === 'object') return html`<code>${clipped(JSON.stringify(value))}</code>`;
  return clipped(String(value));
}

/** Columns of a records table after the id: the visible fields. */
export function fieldColumns(meta: EntityMeta): [string, Schema][] {
  return visibleFields(meta);
}

/** One row: the id as the row header (a link to the record), each visible field, and actions. */
export function renderRow(meta: EntityMeta, options: AdminOptions, signals: JsonObject, mark?: 'new' | 'changed'): Html {
  const id = String(signals.id ?? '');
  const numeric = (schema: Schema) => ['number', 'bigint'].includes(schemaInfo(schema).type);
  return html`<tr id="${rowId(id)}" ${mark ? html`class="fresh ${mark}"` : ''}>
<th scope="row"><a href="${recordPath(options, meta, id)}">${clipped(id)}</a></th>
${fieldColumns(meta).map(([name, schema]) => html`<td data-field="${name}" ${numeric(schema) ? html`class="num"` : ''}>${cellContent(schema, signals[name])}</td>`)}
<td class="actions"><a href="${recordPath(options, meta, id)}">Edit<span class="vh"> ${meta.name} ${id}</span></a> <a href="${recordPath(options, meta, id, '/delete')}">Delete<span class="vh"> ${meta.name} ${id}</span></a></td>
</tr>`;
}

/** The table body with its rows (the live stream morphs this whole element when it connects). */
export function tableBody(meta: EntityMeta, options: AdminOptions, rows: readonly JsonObject[]): Html {
  const empty = html`<tr class="empty"><td colspan="${fieldColumns(meta).length + 2}">No records to show.</td></tr>`;
  return html`<tbody id="${ROWS_ID}">${rows.length > 0 ? rows.map((row) => renderRow(meta, options, row)) : empty}</tbody>`;
}

/** How many records match, as an element the live stream can replace. */
export function totalElement(total: number): Html {
  return html`<span id="${TOTAL_ID}">${total} ${total === 1 ? 'record' : 'records'}</span>`;
}

/** The live status line (a polite live region); `data-live="on"` once the stream is connected. */
export function liveStatus(text: string, connected = false): Html {
  return html`<p id="${LIVE_ID}" class="live-status" role="status" data-live="${connected ? 'on' : 'off'}">${text}</p>`;
}
