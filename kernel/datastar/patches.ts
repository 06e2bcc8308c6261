/**
 * @module datastar/patches
 * Abstract patches: what the kernel wants the browser to do, before any wire dialect.
 */
import type { ElementMode } from '../entity.js';
import type { JsonObject } from '../merge-patch.js';

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

/** One SSE event: `event:`, optional `id:` and `retry:`, one `data:` line each, blank line. */
export function sseEvent(event: string, dataLines: readonly string[], options: SseOptions = {}): string {
  let text = `event: ${event}\n`;
  if (options.eventId) text += `id: ${options.eventId}\n`;
  if (options.retry && options.retry !== 1000) text += `retry: ${options.retry}\n`;
  for (const line of dataLines) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** `key value` data lines, one per line of the value. */
export function dataLines(key: string, value: string): string[] {
  return value.split('\n').map((line) => `${key} ${line}`);
}

/** An SSE comment (keep-alive); ignored by clients. */
export function sseComment(text: string): string {
  return `: ${text.replace(/\n/g, ' ')}\n\n`;
}

/**
 * A value as a JavaScript literal for a script the server sends (`ScriptPatch`): JSON, with `<`,
 * U+2028 and U+2029 escaped, so text can neither end the `<script>` element nor the line.
 */
export function scriptLiteral(value: unknown): string {
  return (JSON.stringify(value) ?? 'undefined').replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
