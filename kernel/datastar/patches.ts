/**
 * @module datastar/patches
 * Abstract patches: what the kernel wants the browser to do, before any wire dialect.
 */
import type { ElementMode } from '../entity.js';
import type { JsonObject } from '../merge-patch.js';
import { StarmodelError } from '../errors.js';

/** Merge signals (RFC 7386; `null` removes). */
export interface SignalsPatch { readonly kind: 'signals'; readonly signals: JsonObject; readonly onlyIfMissing?: boolean }
/** Patch HTML elements into the page. */
export interface ElementsPatch {
  readonly kind: 'elements';
  readonly html: string;
  readonly selector?: string;
  /** @default 'outer' (morph) */
  readonly mode?: ElementMode;
  readonly useViewTransition?: boolean;
}
/** Remove elements matching a selector. */
export interface RemoveElementsPatch { readonly kind: 'remove-elements'; readonly selector: string; readonly useViewTransition?: boolean }
/** Remove signals by dotted path. */
export interface RemoveSignalsPatch { readonly kind: 'remove-signals'; readonly paths: readonly string[] }
/** Run a script in the browser. */
export interface ScriptPatch { readonly kind: 'script'; readonly script: string; readonly autoRemove?: boolean; readonly attributes?: Readonly<Record<string, string>> }

/** Anything the server can send to a Datastar page. */
export type Patch = SignalsPatch | ElementsPatch | RemoveElementsPatch | RemoveSignalsPatch | ScriptPatch;

/** SSE framing options. */
export interface SseOptions {
  /** Written as `id:`; StarModel uses the entity version. */
  readonly eventId?: string;
  /** Reconnect delay hint in ms; written only when not the default 1000. */
  readonly retry?: number;
}

/** Turns patches into wire text for one Datastar dialect. */
export interface Encoder {
  readonly dialect: 'beta11' | 'v1';
  /** One patch as one or more SSE events. */
  encode(patch: Patch, options?: SseOptions): string;
}

/** Ends a line in the SSE format: CR LF, a lone CR or a lone LF (WHATWG HTML, "event stream"). */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Refuses a value written into an SSE field that has one line only (`event:`, `id:`): a line
 * break there would end the field and let the rest of the value forge fields of its own. NUL is
 * refused too, because a client ignores an `id:` holding it.
 */
function singleLine(field: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new StarmodelError('SM_SSE_FIELD_INVALID', { field, reason: 'a line break or NUL character' });
  return value;
}

/**
 * One SSE event: `event:`, optional `id:` and `retry:`, one `data:` line each, blank line.
 * `dataLines` must come from {@link dataLines} (or hold no line break): that is what keeps user
 * text inside the `data:` lines it belongs to.
 */
export function sseEvent(event: string, dataLines: readonly string[], options: SseOptions = {}): string {
  let text = `event: ${singleLine('event', event)}\n`;
  if (options.eventId) text += `id: ${singleLine('id', options.eventId)}\n`;
  if (options.retry !== undefined && options.retry !== 1000) {
    if (!Number.isSafeInteger(options.retry) || options.retry < 0) throw new StarmodelError('SM_SSE_FIELD_INVALID', { field: 'retry', reason: `${String(options.retry)}, which is not a whole number of milliseconds` });
    text += `retry: ${options.retry}\n`;
  }
  for (const line of dataLines) text += `data: ${line}\n`;
  return `${text}\n`;
}

/**
 * `key value` data lines, one per line of the value. Lines end at CR LF, CR or LF alike, as an SSE
 * parser reads them, so no value can close its `data:` line early and start a field or an event
 * of its own; each piece carries the key again, so a client that groups data lines by key reads
 * the value back with LF between its lines.
 */
export function dataLines(key: string, value: string): string[] {
  // The common value has no line break: one line, no regular expression.
  if (value.indexOf('\n') === -1 && value.indexOf('\r') === -1) return [`${key} ${value}`];
  return value.split(LINE_BREAK).map((line) => `${key} ${line}`);
}

/** An attribute name a `<script>` element may carry (no space, quote, `=`, `>` or line break). */
const ATTRIBUTE_NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/;

/**
 * The attributes of a script patch, checked: names must be plain attribute names and values one
 * line each, since beta.11 sends one `name value` per data line and v1 writes them into a tag.
 */
export function scriptAttributes(attributes: Readonly<Record<string, string>> = {}): Array<[string, string]> {
  return Object.entries(attributes).map(([name, value]) => {
    if (!ATTRIBUTE_NAME.test(name)) throw new StarmodelError('SM_SSE_FIELD_INVALID', { field: 'script attribute name', reason: JSON.stringify(name) });
    return [name, singleLine(`script attribute "${name}"`, value)];
  });
}

/** An SSE comment (keep-alive); ignored by clients. Line breaks become spaces, so it stays one comment. */
export function sseComment(text: string): string {
  return `: ${text.replace(/\r\n|\r|\n/g, ' ')}\n\n`;
}

/**
 * A value as a JavaScript literal for a script the server sends (`ScriptPatch`): JSON, with `<`,
 * U+2028 and U+2029 escaped, so text can neither end the `<script>` element nor the line.
 */
export function scriptLiteral(value: unknown): string {
  return (JSON.stringify(value) ?? 'undefined').replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
