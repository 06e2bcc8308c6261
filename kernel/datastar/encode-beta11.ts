/**
 * @module datastar/encode-beta11
 * The Datastar 1.0.0-beta.11 wire format (`datastar-merge-signals`, `datastar-merge-fragments`,
 * `datastar-remove-*`, `datastar-execute-script`), understood by the browser client on npm.
 */
import type { ElementMode } from '../entity.js';
import { isPlainObject, type JsonObject } from '../merge-patch.js';
import { dataLines, scriptAttributes, sseEvent, type Encoder, type Patch, type SseOptions } from './patches.js';

/** beta.11's merge modes for the 1.0 mode names. */
const MERGE_MODES: Record<Exclude<ElementMode, 'remove'>, string> = {
  outer: 'morph', inner: 'inner', replace: 'outer', prepend: 'prepend', append: 'append', before: 'before', after: 'after',
};

/** True when a merge patch removes something (a `null` at any depth of its plain objects). */
function removesAny(patch: JsonObject): boolean {
  for (const key in patch) {
    const value = patch[key];
    if (value === null || (isPlainObject(value) && removesAny(value))) return true;
  }
  return false;
}

/** Splits a merge patch into the values to merge and the dotted paths that `null` removes. */
export function splitNulls(patch: JsonObject, prefix = ''): { merge: JsonObject; remove: string[] } {
  // The common patch removes nothing: it is its own merge part (same JSON), no copy to build.
  if (!prefix && !removesAny(patch)) return { merge: patch, remove: [] };
  const merge: JsonObject = {};
  const remove: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === null) remove.push(path);
    else if (isPlainObject(value)) {
      const inner = splitNulls(value, path);
      if (Object.keys(inner.merge).length > 0 || Object.keys(value).length === 0) merge[key] = inner.merge;
      remove.push(...inner.remove);
    } else merge[key] = value;
  }
  return { merge, remove };
}

/** The ids of the top-level elements of an HTML fragment. */
export function topLevelIds(markup: string): string[] {
  const ids: string[] = [];
  let depth = 0;
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, tag, attributes, selfClosing] = match;
    if (closing) {
      depth--;
      continue;
    }
    if (depth === 0) {
      const id = /\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/.exec(attributes ?? '');
      if (id) ids.push(id[1] ?? id[2] ?? id[3] ?? '');
    }
    const voidTag = /^(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/i.test(tag ?? '');
    if (!selfClosing && !voidTag) depth++;
  }
  return ids;
}

function encodeBeta11(patch: Patch, options: SseOptions = {}): string {
  switch (patch.kind) {
    case 'signals': {
      // beta.11 merges null as a value; removals travel as their own event.
      const { merge, remove } = splitNulls(patch.signals);
      let text = '';
      if (Object.keys(merge).length > 0 || remove.length === 0) {
        text += sseEvent('datastar-merge-signals', [
          ...(patch.onlyIfMissing ? dataLines('onlyIfMissing', 'true') : []),
          ...dataLines('signals', JSON.stringify(merge)),
        ], options);
      }
      if (remove.length > 0) text += sseEvent('datastar-remove-signals', remove.flatMap((path) => dataLines('paths', path)), text ? {} : options);
      return text;
    }
    case 'remove-signals':
      return sseEvent('datastar-remove-signals', patch.paths.flatMap((path) => dataLines('paths', path)), options);
    case 'elements': {
      if (patch.mode === 'remove') {
        // beta.11 removes by selector only: target the fragments' own ids when no selector is given.
        const selector = patch.selector ?? topLevelIds(patch.html).map((id) => `#${id}`).join(', ');
        return sseEvent('datastar-remove-fragments', [...dataLines('selector', selector), ...(patch.useViewTransition ? dataLines('useViewTransition', 'true') : [])], options);
      }
      const mode = MERGE_MODES[patch.mode ?? 'outer'];
      return sseEvent('datastar-merge-fragments', [
        ...(patch.selector ? dataLines('selector', patch.selector) : []),
        ...(mode !== 'morph' ? dataLines('mergeMode', mode) : []),
        ...(patch.useViewTransition ? dataLines('useViewTransition', 'true') : []),
        ...dataLines('fragments', patch.html),
      ], options);
    }
    case 'remove-elements':
      return sseEvent('datastar-remove-fragments', [...dataLines('selector', patch.selector), ...(patch.useViewTransition ? dataLines('useViewTransition', 'true') : [])], options);
    case 'script': {
      const attributes = scriptAttributes(patch.attributes).map(([name, value]) => `${name} ${value}`);
      return sseEvent('datastar-execute-script', [
        ...(patch.autoRemove === false ? dataLines('autoRemove', 'false') : []),
        ...attributes.flatMap((line) => dataLines('attributes', line)),
        ...dataLines('script', patch.script),
      ], options);
    }
  }
}

/** The beta.11 encoder. */
export const beta11Encoder: Encoder = { dialect: 'beta11', encode: encodeBeta11 };
