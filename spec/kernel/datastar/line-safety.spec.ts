/**
 * No value can end the SSE line it is written into. The SSE format ends a line at CR LF, at a
 * lone CR and at a lone LF, so user text holding any of them must never close its `data:` line
 * and start a field or an event of its own (issue 18: a chat message holding `\r` ran as script
 * in every watching page). Stated as a property and checked against two readers: the WHATWG
 * algorithm and the beta.11 client's own parser. For inputs without line breaks the v1 encoder
 * stays byte for byte what the official SDK writes.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ServerSentEventGenerator } from '@starfederation/datastar-sdk/abstractServerSentEventGenerator';
import { beta11Encoder, sseComment, sseEvent, v1Encoder, type Encoder, type Patch } from '../../../kernel/index.js';
import { keyedData, loadDatastarClientParser, parseEventStream, parseLikeDatastarBeta11 } from '../../support/sse-parsers.js';
import { fuzzSettings } from '../../support/fuzz.js';

/** Strings an attacker would try: line ends of every kind, NUL, U+2028, lone surrogates, and SSE field names. */
const hostile = fc.array(fc.oneof(
  fc.constantFrom('\r', '\n', '\r\n', '\n\r', '\r\r', '\0', '\u2028', '\u2029', '\uD800', '\uDFFF', '\uFEFF', ' ', ':',
    'event: datastar-execute-script', 'data: script alert(1)', 'data: signals {"x":1}', 'id: 9', 'retry: 1', 'fragments ', 'signals '),
  fc.string({ unit: 'binary', maxLength: 8 }),
), { maxLength: 12 }).map((parts) => parts.join(''));

/** What a UTF-8 reader gets back from a value split into lines and joined with LF. */
function asRead(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8').replace(/\r\n|\r|\n/g, '\n');
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** Every user-controlled field of every patch, with where its value comes back. */
interface FieldCase {
  readonly name: string;
  patch(value: string): Patch;
  /** The event name and the keyed value the reader must see, per dialect. */
  expected(value: string, dialect: Encoder['dialect']): { event: string; key: string; value: string };
}

const FIELDS: FieldCase[] = [
  {
    name: 'element HTML',
    patch: (value) => ({ kind: 'elements', html: value }),
    expected: (value, dialect) => dialect === 'beta11'
      ? { event: 'datastar-merge-fragments', key: 'fragments', value: asRead(value) }
      : { event: 'datastar-patch-elements', key: 'elements', value: asRead(value) },
  },
  {
    name: 'element selector',
    patch: (value) => ({ kind: 'elements', html: '<p id="a"></p>', selector: `#a${value}` }),
    expected: (value, dialect) => ({ event: dialect === 'beta11' ? 'datastar-merge-fragments' : 'datastar-patch-elements', key: 'selector', value: asRead(`#a${value}`) }),
  },
  {
    name: 'removal selector',
    patch: (value) => ({ kind: 'remove-elements', selector: `#a${value}` }),
    expected: (value, dialect) => ({ event: dialect === 'beta11' ? 'datastar-remove-fragments' : 'datastar-patch-elements', key: 'selector', value: asRead(`#a${value}`) }),
  },
  {
    name: 'script',
    patch: (value) => ({ kind: 'script', script: `x${value}` }),
    expected: (value, dialect) => dialect === 'beta11'
      ? { event: 'datastar-execute-script', key: 'script', value: asRead(`x${value}`) }
      : { event: 'datastar-patch-elements', key: 'elements', value: asRead(`<script data-effect="el.remove()">x${value}</script>`) },
  },
];

describe('SSE line safety: no value ends the line it is written into', () => {
  before(async () => {
    await loadDatastarClientParser();
  });

  for (const encoder of [beta11Encoder, v1Encoder]) {
    describe(`${encoder.dialect} encoder`, () => {
      for (const field of FIELDS) {
        it(`${field.name}: both readers see exactly one event, with the value as written`, () => {
          fc.assert(fc.property(hostile, fc.integer({ min: 1, max: 64 }), (value, chunkSize) => {
            const wire = bytes(encoder.encode(field.patch(value), { eventId: '7' }));
            const want = field.expected(value, encoder.dialect);
            const whatwg = parseEventStream(wire);
            expect(whatwg, 'WHATWG reader').to.have.length(1);
            expect(whatwg[0]!.event).to.equal(want.event);
            expect(whatwg[0]!.id).to.equal('7');
            expect(keyedData(whatwg[0]!.data)[want.key]).to.equal(want.value);
            const client = parseLikeDatastarBeta11(wire, chunkSize);
            expect(client, 'beta.11 client').to.have.length(1);
            expect(client[0]!.event).to.equal(want.event);
            expect(client[0]!.args[want.key]).to.equal(want.value);
          }), fuzzSettings(300));
        });
      }

      it('signal values and names come back exactly, as JSON', () => {
        fc.assert(fc.property(hostile, hostile, (name, value) => {
          const wire = bytes(encoder.encode({ kind: 'signals', signals: { chat: { [`k${name}`]: value } } }));
          for (const args of [keyedData(parseEventStream(wire)[0]!.data), parseLikeDatastarBeta11(wire)[0]!.args]) {
            expect(JSON.parse(args.signals ?? 'null')).to.deep.equal({ chat: { [`k${name}`]: value } });
          }
          expect(parseEventStream(wire)).to.have.length(1);
          expect(parseLikeDatastarBeta11(wire)).to.have.length(1);
        }), fuzzSettings(300));
      });

      it('removed signal paths cannot start an event of their own', () => {
        fc.assert(fc.property(hostile, (value) => {
          const wire = bytes(encoder.encode({ kind: 'remove-signals', paths: [`a${value}`] }));
          expect(parseEventStream(wire)).to.have.length(1);
          expect(parseLikeDatastarBeta11(wire)).to.have.length(1);
        }), fuzzSettings(200));
      });

      it('refuses an event id holding a line break or NUL, instead of writing a forged field', () => {
        for (const eventId of ['1\r', '1\nevent: datastar-execute-script', '1\r\n', '1\0']) {
          expect(() => encoder.encode({ kind: 'elements', html: '<p id="a"></p>' }, { eventId })).to.throw().with.property('code', 'SM_SSE_FIELD_INVALID');
        }
      });

      it('refuses a retry that is not a whole number of milliseconds', () => {
        for (const retry of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          expect(() => encoder.encode({ kind: 'elements', html: '<p id="a"></p>' }, { retry })).to.throw().with.property('code', 'SM_SSE_FIELD_INVALID');
        }
        expect(encoder.encode({ kind: 'elements', html: '<p id="a"></p>' }, { retry: 2500 })).to.contain('retry: 2500\n');
      });

      it('refuses script attributes that would end a line or a tag', () => {
        for (const attributes of [{ type: 'module\r' } as Record<string, string>, { type: 'a\nscript alert(1)' }, { 'x onload': 'y' }, { 'a>': 'b' }, { '': 'b' }]) {
          expect(() => encoder.encode({ kind: 'script', script: '1', attributes })).to.throw().with.property('code', 'SM_SSE_FIELD_INVALID');
        }
      });
    });
  }

  it('v1 writes script attribute values escaped, so a quote cannot open an attribute of its own', () => {
    const wire = v1Encoder.encode({ kind: 'script', script: '1', attributes: { nonce: '" onerror="alert(1)' } });
    expect(wire).to.contain('nonce="&quot; onerror=&quot;alert(1)"');
  });

  it('refuses an event name holding a line break', () => {
    expect(() => sseEvent('datastar-merge-fragments\rdata: x', [])).to.throw().with.property('code', 'SM_SSE_FIELD_INVALID');
  });

  it('keeps a comment one comment, whatever its text', () => {
    fc.assert(fc.property(hostile, (text) => {
      const wire = bytes(`${sseComment(text)}event: datastar-merge-signals\ndata: signals {}\n\n`);
      expect(parseEventStream(wire).map((message) => message.event)).to.deep.equal(['datastar-merge-signals']);
    }), fuzzSettings(200));
  });

  describe('v1 stays byte for byte the official SDK for inputs without line breaks', () => {
    class Capture extends ServerSentEventGenerator {
      constructor() {
        super();
      }

      close(): void {
        // Nothing is streamed: every method returns its lines.
      }
    }
    const sdk = new Capture();
    const joined = (lines: unknown) => (lines as string[]).join('');
    const oneLine = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((text) => !/[\r\n]/.test(text));

    it('elements, with or without a selector', () => {
      fc.assert(fc.property(oneLine.filter((text) => text.trim().length > 0), fc.option(oneLine.filter((text) => text.length > 0), { nil: undefined }), (html, selector) => {
        const ours = v1Encoder.encode({ kind: 'elements', html, ...(selector ? { selector } : {}) });
        expect(ours).to.equal(joined(sdk.patchElements(html, selector ? { selector } : {})));
      }), fuzzSettings(200));
    });

    it('signals', () => {
      fc.assert(fc.property(fc.dictionary(oneLine, oneLine), (signals) => {
        expect(v1Encoder.encode({ kind: 'signals', signals })).to.equal(joined(sdk.patchSignals(JSON.stringify(signals))));
      }), fuzzSettings(200));
    });

    it('scripts', () => {
      fc.assert(fc.property(oneLine, (script) => {
        expect(v1Encoder.encode({ kind: 'script', script })).to.equal(joined(sdk.executeScript(script)));
      }), fuzzSettings(200));
    });
  });
});
