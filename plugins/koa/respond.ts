/**
 * @module @starmodel/koa/respond
 * How a request wants its answer (Datastar SSE, JSON or HTML), and errors in each of those forms.
 */
import type { Context } from 'koa';
import { clearedErrors, escapeHtml, isStarmodelError, pageMessage, StarmodelError, type EntityMeta, type Encoder, type Logger } from 'starmodel';
import { SseConnection } from './sse.js';

/** The three ways an event can answer. */
export type ResponseMode = 'datastar' | 'json' | 'html';

/** Datastar requests get SSE; `Accept: application/json` gets JSON; anything else HTML. */
export function modeOf(ctx: Context): ResponseMode {
  if (ctx.get('datastar-request') === 'true') return 'datastar';
  if (ctx.accepts('html', 'json') === 'json') return 'json';
  return 'html';
}

/** Any thrown value as a StarmodelError; unknown errors are logged and hidden from the client. */
export function asStarmodelError(error: unknown, log: Logger, where: string): StarmodelError {
  if (isStarmodelError(error)) {
    // An expected outage (503) is a warning: during one, every request would otherwise log an error.
    if (error.status === 503) log.warn(`${where}: ${error.message}`, { code: error.code });
    else if (error.status >= 500) log.error(`${where}: ${error.message}`, { code: error.code });
    return error;
  }
  log.error(`${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new StarmodelError('SM_EVENT_FAILED', { entity: where, event: '', reason: 'unexpected error' }, { cause: error });
}

/** The form a Datastar request came from (its `SM-Form` header) and the inputs it has. */
export interface RequestForm {
  readonly key: string;
  /** Names whose messages the form shows beside an input (the event's arguments). */
  readonly owned: readonly string[];
}

/**
 * The signals patch that reports an error to a Datastar page. A form's request gets each message
 * in the form's namespace, beside its input, and a page-level `sm.error.message` only for what no
 * input shows; any other request gets `sm.error` and `$<Entity>.errors.<field>`.
 */
export function errorSignals(error: StarmodelError, meta: EntityMeta | undefined, form?: RequestForm): Record<string, unknown> {
  const body = error.toJSON().error;
  if (form) {
    const errors = { ...clearedErrors(form.owned), ...(body.fields ?? {}) };
    return { sm: { error: { code: body.code, message: pageMessage(body.message, body.fields, form.owned) }, forms: { [form.key]: { errors } } } };
  }
  const signals: Record<string, unknown> = { sm: { error: { code: body.code, message: body.message } } };
  if (meta && body.fields) signals[meta.namespace] = { errors: body.fields };
  return signals;
}

/** Answers with an error in the request's mode. Nothing about the server's internals is sent. */
export function respondError(ctx: Context, mode: ResponseMode, error: StarmodelError, meta: EntityMeta | undefined, encoder: Encoder, maxBufferedBytes: number, form?: RequestForm): void {
  if (mode === 'datastar' && !ctx.headerSent) {
    ctx.respond = false;
    const sse = new SseConnection(ctx.res, maxBufferedBytes);
    sse.start(error.status);
    sse.write(encoder.encode({ kind: 'signals', signals: errorSignals(error, meta, form) }));
    sse.end();
    return;
  }
  ctx.status = error.status;
  if (mode === 'json') {
    ctx.body = error.toJSON();
    return;
  }
  const body = error.toJSON().error;
  ctx.type = 'html';
  ctx.body = `<!doctype html><meta charset="utf-8"><title>${body.status}</title><h1>${body.status}</h1><p>${escapeHtml(body.message)}</p><p><code>${body.code}</code></p>`;
}
