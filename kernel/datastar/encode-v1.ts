/**
 * @module datastar/encode-v1
 * The Datastar 1.0 wire format (`datastar-patch-elements`, `datastar-patch-signals`), byte for byte
 * what `@starfederation/datastar-sdk` 1.0.0 writes for the same input.
 */
import { escapeHtml } from '../html.js';
import { dataLines, scriptAttributes, sseEvent, type Encoder, type Patch, type SseOptions } from './patches.js';

function encodeV1(patch: Patch, options: SseOptions = {}): string {
  switch (patch.kind) {
    case 'signals':
      return sseEvent('datastar-patch-signals', [
        ...(patch.onlyIfMissing ? dataLines('onlyIfMissing', 'true') : []),
        ...dataLines('signals', JSON.stringify(patch.signals)),
      ], options);
    case 'remove-signals':
      return sseEvent('datastar-patch-signals', dataLines('signals', JSON.stringify(Object.fromEntries(patch.paths.map((path) => [path, null])))), options);
    case 'elements':
      return sseEvent('datastar-patch-elements', [
        ...(patch.selector ? dataLines('selector', patch.selector) : []),
        ...(patch.mode && patch.mode !== 'outer' ? dataLines('mode', patch.mode) : []),
        ...(patch.useViewTransition ? dataLines('useViewTransition', 'true') : []),
        ...(patch.mode === 'remove' && patch.selector && patch.html.trim() === '' ? [] : dataLines('elements', patch.html)),
      ], options);
    case 'remove-elements':
      return sseEvent('datastar-patch-elements', [
        ...dataLines('selector', patch.selector),
        ...dataLines('mode', 'remove'),
        ...(patch.useViewTransition ? dataLines('useViewTransition', 'true') : []),
      ], options);
    case 'script': {
      const attributes = scriptAttributes(patch.attributes).map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join('');
      const effect = patch.autoRemove === false ? '' : ' data-effect="el.remove()"';
      return sseEvent('datastar-patch-elements', [
        ...dataLines('mode', 'append'),
        ...dataLines('selector', 'body'),
        ...dataLines('elements', `<script${attributes}${effect}>${patch.script}</script>`),
      ], options);
    }
  }
}

/** The Datastar 1.0 encoder. */
export const v1Encoder: Encoder = { dialect: 'v1', encode: encodeV1 };
