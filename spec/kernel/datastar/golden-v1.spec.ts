/**
 * The v1 encoder must write exactly what @starfederation/datastar-sdk 1.0.0 writes for the same
 * input. The SDK itself is the oracle: each case encodes one patch with our encoder and with the SDK.
 */
import { expect } from 'chai';
import { ServerSentEventGenerator } from '@starfederation/datastar-sdk/abstractServerSentEventGenerator';
import { v1Encoder, type JsonObject, type Patch, type SseOptions } from '../../../kernel/index.js';

/** The SDK's generator without a response: every method returns the SSE lines it would write. */
class Capture extends ServerSentEventGenerator {
  constructor() {
    super();
  }

  close(): void {
    // Nothing to close: nothing is streamed.
  }
}

const sdk = new Capture();
const text = (lines: string[] | unknown) => (lines as string[]).join('');

/** SDK event options from ours, leaving out keys whose value is undefined (the SDK crashes on them). */
function sdkEventOptions(options: SseOptions = {}): { eventId?: string; retryDuration?: number } {
  return { ...(options.eventId !== undefined ? { eventId: options.eventId } : {}), ...(options.retry !== undefined ? { retryDuration: options.retry } : {}) };
}

function signalsCase(title: string, signals: JsonObject, options: { onlyIfMissing?: boolean } & SseOptions = {}) {
  it(title, () => {
    const { onlyIfMissing, ...sse } = options;
    const ours = v1Encoder.encode({ kind: 'signals', signals, ...(onlyIfMissing !== undefined ? { onlyIfMissing } : {}) }, sse);
    const theirs = text(sdk.patchSignals(JSON.stringify(signals), { ...(onlyIfMissing !== undefined ? { onlyIfMissing } : {}), ...sdkEventOptions(sse) }));
    expect(ours).to.equal(theirs);
  });
}

interface ElementsCase { selector?: string; mode?: 'outer' | 'inner' | 'replace' | 'prepend' | 'append' | 'before' | 'after' | 'remove'; useViewTransition?: boolean }

function elementsCase(title: string, elements: string, options: ElementsCase = {}, sse: SseOptions = {}) {
  it(title, () => {
    // The SDK writes option lines in the key order of its options: selector, mode, useViewTransition.
    const sdkOptions = {
      ...(options.selector !== undefined ? { selector: options.selector } : {}),
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      ...(options.useViewTransition !== undefined ? { useViewTransition: options.useViewTransition } : {}),
      ...sdkEventOptions(sse),
    };
    const patch: Patch = { kind: 'elements', html: elements, ...options };
    expect(v1Encoder.encode(patch, sse)).to.equal(text(sdk.patchElements(elements, sdkOptions)));
  });
}

describe('v1 encoder is byte-identical to @starfederation/datastar-sdk 1.0.0', () => {
  it('is the v1 dialect', () => {
    expect(v1Encoder.dialect).to.equal('v1');
  });

  describe('datastar-patch-signals', () => {
    signalsCase('flat signals', { count: 1, label: 'x', on: true });
    signalsCase('nested signals', { Counter: { count: 2, user: { name: 'Ada', tags: ['a', 'b'] } } });
    signalsCase('unicode text', { msg: 'héllo ✓ 日本', emoji: '🚀' });
    signalsCase('a string containing a newline', { note: 'line one\nline two\r\nline three' });
    signalsCase('quotes, backslashes and HTML in strings', { html: '<b class="x">\\</b>', quote: "it's" });
    signalsCase('a null (removal) inside the patch', { Counter: { gone: null, kept: 1 }, top: null });
    signalsCase('an empty object', {});
    signalsCase('numbers, booleans and arrays', { int: 3, float: -0.5, big: 1e21, yes: true, no: false, list: [1, 'two', null, { three: 3 }] });
    signalsCase('onlyIfMissing', { theme: 'dark' }, { onlyIfMissing: true });
    signalsCase('onlyIfMissing false (the default, omitted)', { theme: 'dark' }, { onlyIfMissing: false });
    signalsCase('an event id', { count: 1 }, { eventId: '42' });
    signalsCase('the default retry (1000, omitted)', { count: 1 }, { retry: 1000 });
    signalsCase('a retry of 2000', { count: 1 }, { retry: 2000 });
    signalsCase('every option at once', { count: 1 }, { onlyIfMissing: true, eventId: 'event1', retry: 2000 });

    it('removes signals by path (null values)', () => {
      const ours = v1Encoder.encode({ kind: 'remove-signals', paths: ['one', 'two'] });
      expect(ours).to.equal(text(sdk.removeSignals(['one', 'two'])));
    });

    it('removes one signal with an event id', () => {
      const ours = v1Encoder.encode({ kind: 'remove-signals', paths: ['solo'] }, { eventId: 'e7' });
      expect(ours).to.equal(text(sdk.removeSignals('solo', { eventId: 'e7' })));
    });
  });

  describe('datastar-patch-elements', () => {
    elementsCase('default options (morph by id)', '<div id="a">Hello</div>');
    elementsCase('a selector', '<li>new</li>', { selector: '#list' });
    elementsCase('mode outer (the default, omitted)', '<div id="a">x</div>', { mode: 'outer' });
    for (const mode of ['inner', 'replace', 'prepend', 'append', 'before', 'after'] as const) {
      elementsCase(`mode ${mode}`, '<div id="a">x</div>', { selector: '#target', mode });
    }
    elementsCase('mode remove with elements that carry ids', '<div id="first"></div><div id="second"></div>', { mode: 'remove' });
    elementsCase('mode remove with a selector and no elements', '', { selector: '#gone', mode: 'remove' });
    elementsCase('useViewTransition', '<div id="a">x</div>', { useViewTransition: true });
    elementsCase('useViewTransition false (the default, omitted)', '<div id="a">x</div>', { useViewTransition: false });
    elementsCase('selector, mode and useViewTransition together', '<div>Merge</div>', { selector: 'div', mode: 'append', useViewTransition: true }, { eventId: 'event1', retry: 2000 });
    elementsCase('multi-line HTML (one data line per HTML line)', '<div id="card">\n  <h2>Title</h2>\n  <p>Body</p>\n</div>');
    elementsCase('unicode HTML', '<p id="u">héllo ✓ 日本</p>');
    elementsCase('an event id and the default retry', '<div id="a"></div>', {}, { eventId: 'abc', retry: 1000 });

    it('removes elements by selector', () => {
      const ours = v1Encoder.encode({ kind: 'remove-elements', selector: '#feed, #other' });
      expect(ours).to.equal(text(sdk.removeElements('#feed, #other')));
    });

    it('removes elements by selector with an event id and retry', () => {
      const ours = v1Encoder.encode({ kind: 'remove-elements', selector: '#feed' }, { eventId: 'r1', retry: 3000 });
      expect(ours).to.equal(text(sdk.removeElements('#feed', undefined, { eventId: 'r1', retryDuration: 3000 })));
    });
  });

  describe('scripts (patch-elements appending a <script> to body)', () => {
    it('auto-removes by default', () => {
      const ours = v1Encoder.encode({ kind: 'script', script: 'console.log("hi")' });
      expect(ours).to.equal(text(sdk.executeScript('console.log("hi")')));
    });

    it('keeps the script with autoRemove false', () => {
      const ours = v1Encoder.encode({ kind: 'script', script: 'window.kept = 1', autoRemove: false });
      expect(ours).to.equal(text(sdk.executeScript('window.kept = 1', { autoRemove: false })));
    });

    it('writes attributes in order', () => {
      const attributes = { type: 'module', async: 'true' };
      const ours = v1Encoder.encode({ kind: 'script', script: 'import("/x.js")', attributes });
      expect(ours).to.equal(text(sdk.executeScript('import("/x.js")', { attributes })));
    });

    it('writes attributes without auto-removal, a multi-line script, an event id and a retry', () => {
      const script = 'const a = 1;\nconsole.log(a);';
      const ours = v1Encoder.encode({ kind: 'script', script, autoRemove: false, attributes: { type: 'module' } }, { eventId: 's1', retry: 2000 });
      expect(ours).to.equal(text(sdk.executeScript(script, { autoRemove: false, attributes: { type: 'module' }, eventId: 's1', retryDuration: 2000 })));
    });
  });

  it('matches the documented golden output for patchElementsWithAllOptions', () => {
    const ours = v1Encoder.encode({ kind: 'elements', html: '<div>Merge</div>', selector: 'div', mode: 'append', useViewTransition: true }, { eventId: 'event1', retry: 2000 });
    expect(ours).to.equal('event: datastar-patch-elements\nid: event1\nretry: 2000\ndata: selector div\ndata: mode append\ndata: useViewTransition true\ndata: elements <div>Merge</div>\n\n');
  });
});
