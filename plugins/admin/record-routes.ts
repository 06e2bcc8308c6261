/**
 * @module @starmodel/admin/record-routes
 * One record: `GET|POST <path>/<entity>/records/<id>` (edit), `GET|POST .../delete` (confirm,
 * then delete) and `POST .../events/<event>` (run an event). Every write goes through
 * `kernel.dispatch` with the admin's session and user, so validation, access rules, commit and
 * publish (live pages, other instances, audit) see it like any other event.
 */
import { signalsOf, StarmodelError, versionOf, type Entity, type EntityMeta } from 'starmodel';
import { isBrowserPage } from './access.js';
import { visibleFields } from './fields.js';
import { topLevelErrors } from './form-values.js';
import { dispatchContextOf, entityOf, failureLine, formFailure, guarded, refuseForeignPost, seeOther, sendPage, type AdminDeps, type RoutedContext } from './http.js';
import { actionNotice, checkedForm, eventForm, formValuesOf, runnableEvent } from './record-forms.js';
import type { FailedEvent } from './views/events.js';
import { entityPath, recordPath } from './views/layout.js';
import { deletePage, recordPage, type RecordForm } from './views/record.js';

const CHECK_FAILED = 'Nothing was saved. Fix these and try again:';

/** A record as the pages show it. */
interface LoadedRecord {
  readonly entity: Entity;
  readonly id: string;
  readonly version: number;
  readonly signals: ReturnType<typeof signalsOf>;
}

/** Adds the record routes. */
export function installRecordRoutes(deps: AdminDeps): void {
  const { kernel, options, web, log } = deps;
  const base = `${options.path}/:entity/records/:id`;

  const load = async (meta: EntityMeta, id: string | undefined): Promise<LoadedRecord> => {
    const entity = await kernel.load(meta.cls, {}, id ?? '');
    return { entity, id: entity.id, version: versionOf(entity), signals: signalsOf(meta, entity) };
  };
  const page = (ctx: RoutedContext, chrome: Parameters<typeof recordPage>[0], meta: EntityMeta, record: LoadedRecord, form: RecordForm, status: number, extras: { notice?: string; failedEvent?: FailedEvent } = {}) => {
    sendPage(ctx, recordPage(chrome, meta, record, form, extras), status);
  };

  web.router.get(base, guarded(deps, async (ctx, chrome) => {
    const meta = entityOf(deps, ctx, ['record']);
    const record = await load(meta, ctx.params.id);
    const notice = actionNotice(ctx);
    page(ctx, chrome, meta, record, { typed: formValuesOf(meta, record.entity), errors: {} }, 200, notice ? { notice } : {});
  }));

  web.router.post(base, guarded(deps, async (ctx, chrome) => {
    refuseForeignPost(deps, ctx);
    const meta = entityOf(deps, ctx, ['record']);
    if (meta.events.get('update')?.builtIn !== 'update') throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: 'update (this entity defines its own; run it from the events below)' });
    const body = await web.readBody(ctx);
    const current = await load(meta, ctx.params.id);
    const form = checkedForm(visibleFields(meta), body);
    const browser = isBrowserPage(ctx);
    if (Object.keys(form.errors).length > 0) {
      if (!browser) throw new StarmodelError('SM_VALIDATION_FAILED', { summary: Object.keys(form.errors).join(', ') }, { fields: form.errors });
      return page(ctx, chrome, meta, current, { typed: form.typed, errors: form.errors, message: CHECK_FAILED }, 400);
    }
    const seen = (body as Record<string, unknown> | undefined)?._version;
    if (seen !== undefined && String(seen) !== String(current.version)) {
      const message = `Someone changed this ${meta.name} since you opened it (it is now version ${current.version}). Nothing was saved. Your values are still in the form: compare them with the list, then save again to keep yours.`;
      const conflict = new StarmodelError('SM_CONCURRENCY_CONFLICT', { entity: meta.name, id: current.id, attempts: 1 });
      if (!browser) throw conflict;
      return page(ctx, chrome, meta, current, { typed: form.typed, errors: {}, message }, 409);
    }
    try {
      await kernel.dispatch({ entity: meta.name, event: 'update', id: current.id, args: form.values }, dispatchContextOf(chrome.state));
    } catch (error) {
      const failure = formFailure(error, log, `admin update ${meta.name}`);
      if (!browser) throw failure.error;
      return page(ctx, chrome, meta, await load(meta, current.id), { typed: form.typed, errors: topLevelErrors(failure.fields), message: failureLine(failure, CHECK_FAILED) }, failure.status);
    }
    seeOther(ctx, `${recordPath(options, meta, current.id)}?saved=1`);
  }));

  web.router.get(`${base}/delete`, guarded(deps, async (ctx, chrome) => {
    const meta = entityOf(deps, ctx, ['record']);
    const record = await load(meta, ctx.params.id);
    sendPage(ctx, deletePage(chrome, meta, record));
  }));

  web.router.post(`${base}/delete`, guarded(deps, async (ctx, chrome) => {
    refuseForeignPost(deps, ctx);
    const meta = entityOf(deps, ctx, ['record']);
    const record = await load(meta, ctx.params.id);
    try {
      await kernel.dispatch({ entity: meta.name, event: 'delete', id: record.id }, dispatchContextOf(chrome.state));
    } catch (error) {
      const failure = formFailure(error, log, `admin delete ${meta.name}`);
      if (!isBrowserPage(ctx)) throw failure.error;
      return sendPage(ctx, deletePage(chrome, meta, record, { message: failure.message, code: failure.code }), failure.status);
    }
    seeOther(ctx, `${entityPath(options, meta)}?deleted=${encodeURIComponent(record.id)}`);
  }));

  web.router.post(`${base}/events/:event`, guarded(deps, async (ctx, chrome) => {
    refuseForeignPost(deps, ctx);
    const meta = entityOf(deps, ctx, ['record']);
    const eventMeta = runnableEvent(meta, ctx.params.event);
    const form = eventForm(eventMeta, await web.readBody(ctx));
    const record = await load(meta, ctx.params.id);
    const failed = async (status: number, failedEvent: FailedEvent) => {
      const fresh = await load(meta, record.id);
      page(ctx, chrome, meta, fresh, { typed: formValuesOf(meta, fresh.entity), errors: {} }, status, { failedEvent });
    };
    if (Object.keys(form.errors).length > 0) {
      if (!isBrowserPage(ctx)) throw new StarmodelError('SM_VALIDATION_FAILED', { summary: Object.keys(form.errors).join(', ') }, { fields: form.errors });
      return failed(400, { event: eventMeta.name, typed: form.typed, errors: form.errors, message: 'The event did not run. Fix these and try again:' });
    }
    let queued = false;
    try {
      const result = await kernel.dispatch({ entity: meta.name, event: eventMeta.name, id: record.id, args: form.values }, dispatchContextOf(chrome.state));
      queued = result.takenOver !== undefined;
    } catch (error) {
      const failure = formFailure(error, log, `admin ${meta.name}.${eventMeta.name}`);
      if (!isBrowserPage(ctx)) throw failure.error;
      return failed(failure.status, { event: eventMeta.name, typed: form.typed, errors: topLevelErrors(failure.fields), message: failureLine(failure, 'The event did not run. Fix these and try again:') });
    }
    seeOther(ctx, `${recordPath(options, meta, record.id)}?${queued ? 'queued' : 'ran'}=${encodeURIComponent(eventMeta.name)}`);
  }));
}
