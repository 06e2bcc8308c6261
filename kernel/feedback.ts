/**
 * @module feedback
 * What an event tells the browser that sent it, beside the state it changed: go to another page,
 * show a toast, or run a script. An event method calls `this.redirect('/orders')`,
 * `this.toast.success('Saved')` or `this.runScript('...')`; the dispatcher hands the items to the
 * web adapter with the step they belong to (nothing is sent if the event fails), which sends them
 * as Datastar patches or as a `feedback` field in JSON.
 */
import { StarmodelError } from './errors.js';

/** The kinds of toast. */
export type ToastKind = 'success' | 'info' | 'error';

/** One thing an event asked the browser to do. */
export type FeedbackItem =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'toast'; readonly level: ToastKind; readonly text: string }
  | { readonly kind: 'script'; readonly code: string };

/** Feedback as JSON clients get it: `{ redirect?, toasts?, scripts? }`. */
export interface FeedbackJson {
  redirect?: string;
  toasts?: { kind: ToastKind; text: string }[];
  scripts?: string[];
}

/** The longest toast text and script accepted. */
export const TOAST_MAX = 500;
export const SCRIPT_MAX = 10_000;

const pending = new WeakMap<object, FeedbackItem[]>();
/** Shared by every step without feedback: no array made per event. */
export const NO_FEEDBACK: readonly FeedbackItem[] = Object.freeze([]);

function invalid(helper: string, value: unknown, reason: string): StarmodelError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : typeof value;
  return new StarmodelError('SM_FEEDBACK_INVALID', { helper, value: shown, reason });
}

/** A path on this site (`/orders/42?tab=1`), or SM_FEEDBACK_INVALID: an event never sends a browser to another site. */
export function checkRedirect(url: unknown): string {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) throw invalid('this.redirect()', url, 'it takes a path on this site of at most 2048 characters, such as "/orders/42".');
  if (!url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\') || /[\u0000-\u001f\u007f\s\\]/.test(url)) {
    throw invalid('this.redirect()', url, 'it takes a path on this site, such as "/orders/42": no scheme, no host, no spaces or backslashes.');
  }
  return url;
}

/** Toast text: 1 to 500 characters, shown as text (never as markup). */
export function checkToast(level: ToastKind, text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '' || text.length > TOAST_MAX) throw invalid(`this.toast.${level}()`, text, `it takes text of 1 to ${TOAST_MAX} characters.`);
  return text;
}

/** Script code: 1 to 10,000 characters of trusted JavaScript (never build it from user input). */
export function checkScript(code: unknown): string {
  if (typeof code !== 'string' || code.trim() === '' || code.length > SCRIPT_MAX) throw invalid('this.runScript()', code, `it takes JavaScript of 1 to ${SCRIPT_MAX} characters.`);
  return code;
}

/** Records an item for the entity's running event. */
export function addFeedback(owner: object, item: FeedbackItem): void {
  const list = pending.get(owner);
  if (list) list.push(item);
  else pending.set(owner, [item]);
}

/** The items recorded since the last call (the dispatcher takes them at each committed step). */
export function takeFeedback(owner: object): readonly FeedbackItem[] {
  const list = pending.get(owner);
  if (!list) return NO_FEEDBACK;
  pending.delete(owner);
  return list;
}

/** Feedback items as JSON clients get them (the last redirect wins). */
export function feedbackJson(items: readonly FeedbackItem[]): FeedbackJson {
  const json: FeedbackJson = {};
  for (const item of items) {
    if (item.kind === 'redirect') json.redirect = item.url;
    else if (item.kind === 'toast') (json.toasts ??= []).push({ kind: item.level, text: item.text });
    else (json.scripts ??= []).push(item.code);
  }
  return json;
}
