/**
 * @module @starmodel/koa/respond
 * How a request wants its answer (Datastar SSE, JSON or HTML), and errors in each of those forms.
 */
import type { Context } from 'koa';
import { escapeHtml, isStarmodelError, StarmodelError, type EntityMeta, type Encoder, type Logger } from 'starmodel';
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

/** The signals patch that reports an error to a Datastar page: per-field messages and `sm.error`. */
export function errorSignals(error: StarmodelError, meta: EntityMeta | undefined): Record<string, unknown> {
  const body = error.toJSON().error;
  const signals: Record<string, unknown> = { sm: { error: { code: body.code, message: body.message } } };
  if (meta && body.fields) signals[meta.namespace] = { errors: body.fields };
  return signals;
}

/** Answers with an error in the request's mode. Nothing about the server's internals is sent. */
export function respondError(ctx: Context, mode: ResponseMode, error: StarmodelError, meta: EntityMeta | undefined, encoder: Encoder, maxBufferedBytes: number): void {
  if (mode === 'datastar' && !ctx.headerSent) {
    ctx.respond = false;
    const sse = new SseConnection(ctx.res, maxBufferedBytes);
    sse.start(error.status);
    sse.write(encoder.encode({ kind: 'signals', signals: errorSignals(error, meta) }));
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
