/**
 * @module @starmodel/admin/global-routes
 * A global entity: its page (`GET <path>/<entity>`, served by the records route) and
 * `POST <path>/<entity>/events/<event>`.
 */
import { signalsOf, StarmodelError, versionOf, type EntityMeta } from 'starmodel';
import { isBrowserPage } from './access.js';
import { topLevelErrors } from './form-values.js';
import { dispatchContextOf, entityOf, failureLine, formFailure, guarded, refuseForeignPost, seeOther, sendPage, type AdminDeps, type RoutedContext } from './http.js';
import { actionNotice, eventForm, runnableEvent } from './record-forms.js';
import type { FailedEvent } from './views/events.js';
import { entityPath, type Chrome } from './views/layout.js';
import { globalPage } from './views/record.js';

/** Renders a global entity's page (its state as this admin's request sees it). */
export async function globalRoutePage(deps: AdminDeps, ctx: RoutedContext, chrome: Chrome, meta: EntityMeta, failedEvent?: FailedEvent, status = 200): Promise<void> {
  const entity = await deps.kernel.load(meta.cls, dispatchContextOf(chrome.state));
  const notice = failedEvent ? undefined : actionNotice(ctx);
  sendPage(ctx, globalPage(chrome, meta, { version: versionOf(entity), signals: signalsOf(meta, entity) }, { notice, failedEvent }), status);
}

/** Adds the global event route. */
export function installGlobalRoutes(deps: AdminDeps): void {
  const { kernel, options, web, log } = deps;
  web.router.post(`${options.path}/:entity/events/:event`, guarded(deps, async (ctx, chrome) => {
    refuseForeignPost(deps, ctx);
    const meta = entityOf(deps, ctx, ['global']);
    const eventMeta = runnableEvent(meta, ctx.params.event);
    const form = eventForm(eventMeta, await web.readBody(ctx));
    if (Object.keys(form.errors).length > 0) {
      if (!isBrowserPage(ctx)) throw new StarmodelError('SM_VALIDATION_FAILED', { summary: Object.keys(form.errors).join(', ') }, { fields: form.errors });
      return globalRoutePage(deps, ctx, chrome, meta, { event: eventMeta.name, typed: form.typed, errors: form.errors, message: 'The event did not run. Fix these and try again:' }, 400);
    }
    let queued = false;
    try {
      const result = await kernel.dispatch({ entity: meta.name, event: eventMeta.name, args: form.values }, dispatchContextOf(chrome.state));
      queued = result.takenOver !== undefined;
    } catch (error) {
      const failure = formFailure(error, log, `admin ${meta.name}.${eventMeta.name}`);
      if (!isBrowserPage(ctx)) throw failure.error;
      return globalRoutePage(deps, ctx, chrome, meta, { event: eventMeta.name, typed: form.typed, errors: topLevelErrors(failure.fields), message: failureLine(failure, 'The event did not run. Fix these and try again:') }, failure.status);
    }
    seeOther(ctx, `${entityPath(options, meta)}?${queued ? 'queued' : 'ran'}=${encodeURIComponent(eventMeta.name)}`);
  }));
}
