/**
 * @module @starmodel/admin/views/records
 * `/admin/<entity>` for a record entity: a search form, a sortable, paged table of records that a
 * live stream keeps current, and a link to create one.
 */
import { html, type EntityMeta, type Html } from 'starmodel';
import { isScalar, visibleFields } from '../fields.js';
import { viewQuery, type TablePage, type TableView } from '../table-view.js';
import { adminPage, entityPath, notice, type Chrome } from './layout.js';
import { fieldColumns, liveStatus, tableBody, totalElement } from './rows.js';

/** What the records page shows besides the table. */
export interface RecordsExtras {
  /** A line after a successful create or delete. */
  readonly notice?: string | undefined;
  /** Why the search could not run (the table is empty then). */
  readonly searchError?: string | undefined;
}

function sortHeader(chrome: Chrome, meta: EntityMeta, view: TableView, name: string): Html {
  const base = entityPath(chrome.options, meta);
  const sorted = view.sort === name;
  const nextDir = sorted && view.dir === 'asc' ? 'desc' : 'asc';
  const href = `${base}${viewQuery(view, { sort: name, dir: nextDir, page: 1 })}`;
  const state = sorted ? (view.dir === 'asc' ? 'ascending' : 'descending') : 'none';
  const arrow = sorted ? (view.dir === 'asc' ? '▲' : '▼') : '';
  return html`<th scope="col" aria-sort="${state}"><a href="${href}"><span class="vh">Sort by </span>${name}${arrow ? html` <span aria-hidden="true">${arrow}</span>` : ''}</a></th>`;
}

function searchForm(chrome: Chrome, meta: EntityMeta, view: TableView, error: string | undefined): Html {
  const base = entityPath(chrome.options, meta);
  const fields = ['id', ...visibleFields(meta).map(([name]) => name)];
  return html`<form class="search" role="search" method="get" action="${base}" aria-describedby="admin-search-help">
<div class="field${error ? ' invalid' : ''}"><label for="admin-q">Search</label>
<input type="search" id="admin-q" name="q" value="${view.q}" maxlength="200" ${error ? html`aria-invalid="true" aria-errormessage="admin-q-error"` : ''}>
${error ? html`<span class="field-error" id="admin-q-error">${error}</span>` : ''}</div>
<div class="field"><label for="admin-field">In</label>
<select id="admin-field" name="field"><option value="">any text field (contains)</option>${fields.map((name) => html`<option value="${name}" ${view.field === name ? html`selected` : ''}>${name} (exactly)</option>`)}</select></div>
${view.sort ? html`<input type="hidden" name="sort" value="${view.sort}"><input type="hidden" name="dir" value="${view.dir}">` : ''}
<div class="buttons"><button type="submit">Search</button>${view.q ? html` <a href="${base}${viewQuery(view, { q: '', field: '', page: 1 })}">Clear search</a>` : ''}</div>
<p class="hint" id="admin-search-help">"Any text field" finds the text anywhere in the id and text fields of the first records in this order; a named field must match exactly.</p>
</form>`;
}

function pager(chrome: Chrome, meta: EntityMeta, view: TableView, page: TablePage): Html {
  const base = entityPath(chrome.options, meta);
  const at = page.page;
  return html`<nav class="pager" aria-label="Pages">
${at > 1 ? html`<a href="${base}${viewQuery(view, { page: at - 1 })}" rel="prev">← Previous<span class="vh"> page</span></a>` : ''}
<span>Page ${at} of ${page.pages}</span>
${at < page.pages ? html`<a href="${base}${viewQuery(view, { page: at + 1 })}" rel="next">Next<span class="vh"> page</span> →</a>` : ''}
</nav>`;
}

/** The whole records page. */
export function recordsPage(chrome: Chrome, meta: EntityMeta, view: TableView, page: TablePage, extras: RecordsExtras = {}): Html {
  const base = entityPath(chrome.options, meta);
  const liveUrl = `${base}/live${viewQuery(view, { page: page.page })}`;
  const searching = view.q ? html` matching ${view.field ? html`${view.field} = “${view.q}”` : html`“${view.q}”`}` : '';
  const cut = page.scanCut ? html` <span class="hint">(searched the first ${page.scanCut.limit} of ${page.scanCut.of} records; choose a field for an exact search over all)</span>` : '';
  const content = html`${notice(extras.notice)}
<p class="toolbar"><a class="button" href="${base}/new">New ${meta.name}</a></p>
${searchForm(chrome, meta, view, extras.searchError)}
<section class="records" aria-labelledby="admin-caption" ${chrome.ds.onLoad(`@get('${liveUrl}')`)}>
<div class="table-wrap" role="region" aria-labelledby="admin-caption" tabindex="0">
<table>
<caption id="admin-caption">${meta.name} records: ${totalElement(page.total)}${searching}${cut}</caption>
<thead><tr>${sortHeader(chrome, meta, view, 'id')}${fieldColumns(meta).map(([name, schema]) => (isScalar(schema) ? sortHeader(chrome, meta, view, name) : html`<th scope="col">${name}</th>`))}<th scope="col"><span class="vh">Actions</span></th></tr></thead>
${tableBody(meta, chrome.options, page.rows)}
</table>
</div>
${liveStatus('Changes made elsewhere appear here as they happen.')}
${pager(chrome, meta, view, page)}
</section>`;
  return adminPage(chrome, { title: meta.name, content, current: meta.name, live: true });
}
