/**
 * @module @starmodel/admin/records-routes
 * The table of a record entity and its live stream, and creating a record:
 * `GET <path>/<entity>`, `GET <path>/<entity>/live`, `GET|POST <path>/<entity>/new`.
 */
import { isStarmodelError, StarmodelError } from 'starmodel';
import { isBrowserPage } from './access.js';
import { toFormValue, topLevelErrors } from './form-values.js';
import { dispatchContextOf, entityOf, failureLine, formFailure, guarded, queryText, refuseForeignPost, seeOther, sendPage, type AdminDeps } from './http.js';
import { openLiveTable } from './live-table.js';
import { checkedForm, createSchemas } from './record-forms.js';
import { loadTablePage, readTableView, type TablePage } from './table-view.js';
import { globalRoutePage } from './global-routes.js';
import { entityPath } from './views/layout.js';
import { newRecordPage, type RecordForm } from './views/record.js';
import { recordsPage } from './views/records.js';

const CHECK_FAILED = 'Nothing was saved. Fix these and try again:';

/** Adds the table, live and create routes. */
export function installRecordsRoutes(deps: AdminDeps): void {
  const { kernel, options, web, log } = deps;
  const base = `${options.path}/:entity`;

  web.router.get(base, guarded(deps, async (ctx, chrome) => {
    const meta = entityOf(deps, ctx);
    if (meta.scope === 'global') return globalRoutePage(deps, ctx, chrome, meta);
    const view = readTableView(meta, ctx.query);
    let page: TablePage;
    let searchError: string | undefined;
    try {
      page = await loadTablePage(kernel, meta, view, options);
    } catch (error) {
      // A search value the field cannot hold is the searcher's mistake: show it by the search box.
      const message = isStarmodelError(error) && error.code === 'SM_VALIDATION_FAILED' ? error.fields?.q : undefined;
      if (message === undefined) throw error;
      searchError = message;
      page = { rows: [], total: 0, pages: 1, page: 1 };
    }
    const created = queryText(ctx, 'created');
    const deleted = queryText(ctx, 'deleted');
    const notice = created ? `Created ${meta.name} ${created}.` : deleted ? `Deleted ${meta.name} ${deleted}.` : undefined;
    sendPage(ctx, recordsPage(chrome, meta, view, page, { notice, searchError }), searchError ? 400 : 200);
  }));

  web.router.get(`${base}/live`, guarded(deps, async (ctx) => {
    const meta = entityOf(deps, ctx, ['record']);
    const view = readTableView(meta, ctx.query);
    await openLiveTable({
      ctx, kernel, meta, view, options, encoder: deps.encoder,
      track: (end) => {
        deps.streams.add(end);
        return () => deps.streams.delete(end);
      },
    });
  }));

  web.router.get(`${base}/new`, guarded(deps, async (ctx, chrome) => {
    const meta = entityOf(deps, ctx, ['record']);
    const typed = Object.fromEntries(createSchemas(meta).map(([name, schema]) => [name, toFormValue(schema, meta.defaults[name])]));
    sendPage(ctx, newRecordPage(chrome, meta, { typed, errors: {} }));
  }));

  web.router.post(`${base}/new`, guarded(deps, async (ctx, chrome) => {
    refuseForeignPost(deps, ctx);
    const meta = entityOf(deps, ctx, ['record']);
    const form = checkedForm(createSchemas(meta), await web.readBody(ctx));
    const again = (status: number, page: RecordForm) => sendPage(ctx, newRecordPage(chrome, meta, page), status);
    if (Object.keys(form.errors).length > 0) {
      const error = new StarmodelError('SM_VALIDATION_FAILED', { summary: Object.keys(form.errors).join(', ') }, { fields: form.errors });
      if (!isBrowserPage(ctx)) throw error;
      return again(400, { typed: form.typed, errors: form.errors, message: CHECK_FAILED });
    }
    let id: string;
    try {
      const result = await kernel.dispatch({ entity: meta.name, event: 'create', args: form.values }, dispatchContextOf(chrome.state));
      id = result.id;
    } catch (error) {
      const failure = formFailure(error, log, `admin create ${meta.name}`);
      if (!isBrowserPage(ctx)) throw failure.error;
      return again(failure.status, { typed: form.typed, errors: topLevelErrors(failure.fields), message: failureLine(failure, CHECK_FAILED) });
    }
    seeOther(ctx, `${entityPath(options, meta)}?created=${encodeURIComponent(id)}`);
  }));
}
