/**
 * @module @starmodel/auth/http
 * Reading and answering the auth routes' requests in the web plugin's three modes: Datastar
 * (`Datastar-Request: true`: SSE patching the `auth.errors.<field>` and `sm.error` signals, or a
 * script that moves to the next page), JSON (`Accept: application/json`), and plain HTML form
 * posts (303 to the next page; an error page with a way back on failure).
 */
import type { Context } from 'koa';
import { escapeHtml, isPlainObject, pageMessage, sameOriginPath, scriptLiteral, requestFormKey, StarmodelError, type Encoder, type FieldErrors, type JsonObject } from 'starmodel';
import { AuthError } from './errors.js';

/** How a request wants its answer. */
export type AuthMode = 'datastar' | 'json' | 'html';

/** The signal namespace the auth forms use: `$auth.errors.email`. */
export const AUTH_NAMESPACE = 'auth';

/** Largest body the auth routes read. */
const BODY_LIMIT = 16 * 1024;

/** Datastar requests get SSE; `Accept: application/json` gets JSON; anything else HTML. */
export function modeOf(ctx: Context): AuthMode {
  if (ctx.get('datastar-request') === 'true') return 'datastar';
  if (ctx.accepts('html', 'json') === 'json') return 'json';
  return 'html';
}

/** This server's origin as the browser sees it. */
function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

async function readRaw(ctx: Context): Promise<Buffer> {
  if (Number(ctx.get('content-length') || 0) > BODY_LIMIT) throw new StarmodelError('SM_WEB_BODY_TOO_LARGE', { limit: BODY_LIMIT });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      ctx.req.pause();
      throw new StarmodelError('SM_WEB_BODY_TOO_LARGE', { limit: BODY_LIMIT });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Text fields of a multipart/form-data body (what Datastar's `contentType: 'form'` posts); files are ignored. */
function multipartFields(body: Buffer, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new StarmodelError('SM_WEB_BAD_BODY', { format: 'multipart form', reason: 'no boundary' });
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of body.toString('utf8').split(`--${marker}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined || /\bfilename=/i.test(headers)) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

/**
 * The request's values by name: a JSON body (top level, or inside the `auth` signal namespace
 * Datastar sends), an urlencoded form or a multipart form.
 */
export async function readFields(ctx: Context): Promise<Record<string, unknown>> {
  const raw = await readRaw(ctx);
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  if (ctx.is('multipart/form-data')) return multipartFields(raw, ctx.get('content-type'));
  if (ctx.is('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new StarmodelError('SM_WEB_BAD_BODY', { format: 'JSON', reason: error instanceof Error ? error.message : 'unreadable' });
  }
  if (!isPlainObject(parsed)) throw new StarmodelError('SM_WEB_BAD_BODY', { format: 'JSON', reason: 'expected an object of named values' });
  const namespaced = parsed[AUTH_NAMESPACE];
  return isPlainObject(namespaced) ? { ...parsed, ...namespaced } : parsed;
}

/** A field as text ('' when missing or not text). */
export function textField(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value : '';
}

/** A same-site path to go to next (from a `next` field), or the fallback. Never another site. */
export function nextPath(fields: Record<string, unknown>, fallback: string): string {
  return sameOriginPath(textField(fields, 'next'), fallback);
}

/** Clears the messages of the given form fields (so a fixed form shows no stale message). */
function clearedErrors(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, '']));
}

/** Answers a successful auth request. `body` is what JSON clients get. */
export function respondDone(ctx: Context, mode: AuthMode, encoder: Encoder, next: string, fieldNames: readonly string[], body: Record<string, unknown>): void {
  ctx.set('Cache-Control', 'no-store');
  if (mode === 'json') {
    ctx.body = { ...body, next };
    return;
  }
  if (mode === 'html') {
    ctx.status = 303;
    ctx.redirect(next);
    return;
  }
  ctx.set('Content-Type', 'text/event-stream');
  const form = requestFormKey(ctx.get('sm-form') || undefined);
  const errors = clearedErrors(fieldNames);
  const signals: JsonObject = form ? { sm: { error: { code: '', message: '' }, forms: { [form]: { errors } } } } : { sm: { error: { code: '', message: '' } }, [AUTH_NAMESPACE]: { errors } };
  ctx.body = encoder.encode({ kind: 'signals', signals }) + encoder.encode({ kind: 'script', script: `window.location.assign(${scriptLiteral(next)})` });
}

/** Answers a failed auth request in its mode; never shows server internals. */
export function respondFailed(ctx: Context, mode: AuthMode, encoder: Encoder, error: StarmodelError, fieldNames: readonly string[]): void {
  ctx.set('Cache-Control', 'no-store');
  if (error instanceof AuthError && error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds));
  const body = error.toJSON().error;
  ctx.status = error.status;
  if (mode === 'json') {
    ctx.body = error.toJSON();
    return;
  }
  if (mode === 'datastar') {
    const fields: FieldErrors = { ...clearedErrors(fieldNames), ...(body.fields ?? {}) };
    ctx.set('Content-Type', 'text/event-stream');
    // A form (`SM-Form`) shows each message beside its input, and the page-level line only what no input shows.
    const form = requestFormKey(ctx.get('sm-form') || undefined);
    const signals: JsonObject = form
      ? { sm: { error: { code: body.code, message: pageMessage(body.message, body.fields, fieldNames) }, forms: { [form]: { errors: fields } } } }
      : { sm: { error: { code: body.code, message: body.message } }, [AUTH_NAMESPACE]: { errors: fields } };
    ctx.body = encoder.encode({ kind: 'signals', signals });
    return;
  }
  const referer = ctx.get('referer');
  let back = '/';
  try {
    if (referer && new URL(referer).origin === ownOrigin(ctx)) back = new URL(referer).pathname;
  } catch {
    // An unreadable Referer: go back home.
  }
  const details = Object.values(body.fields ?? {}).map((message) => `<li>${escapeHtml(message)}</li>`).join('');
  ctx.type = 'html';
  ctx.body = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${body.status}</title>`
    + `<h1>${body.status}</h1><p>${escapeHtml(body.message)}</p>${details ? `<ul>${details}</ul>` : ''}<p><code>${body.code}</code></p>`
    + `<p><a href="${escapeHtml(back)}">Go back</a></p>`;
}
