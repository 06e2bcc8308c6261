/**
 * @module datastar/feedback
 * An event's feedback (kernel/feedback.ts) as Datastar patches: a toast is the `$sm.toast`
 * signal (text, shown with data-text, never as markup), a redirect a navigation script, a script
 * itself. Every encoder writes them line-safe.
 */
import type { FeedbackItem } from '../feedback.js';
import { scriptLiteral, type Patch } from './patches.js';

let toasts = 0;

/** The patches that carry feedback items to the page, in order. */
export function feedbackPatches(items: readonly FeedbackItem[]): Patch[] {
  const patches: Patch[] = [];
  for (const item of items) {
    if (item.kind === 'toast') {
      // `n` changes with every toast, so the same text twice is shown (and dismissed) twice.
      patches.push({ kind: 'signals', signals: { sm: { toast: { kind: item.level, text: item.text, n: ++toasts } } } });
    } else if (item.kind === 'redirect') {
      patches.push({ kind: 'script', script: `window.location.assign(${scriptLiteral(item.url)})` });
    } else {
      patches.push({ kind: 'script', script: item.code });
    }
  }
  return patches;
}
