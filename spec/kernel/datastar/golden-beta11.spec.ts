/**
 * The beta11 encoder writes what the @starfederation/datastar 1.0.0-beta.11 browser client reads:
 * datastar-merge-signals, datastar-merge-fragments, datastar-remove-fragments,
 * datastar-remove-signals and datastar-execute-script, each with `key value` data lines
 * (the client splits a line at its first space and joins repeated keys with a newline).
 * Expected strings are written by hand from that client's watchers.
 */
import { expect } from 'chai';
import { beta11Encoder, encoderFor, v1Encoder, type Patch } from '../../../kernel/index.js';

const encode = (patch: Patch, options = {}) => beta11Encoder.encode(patch, options);

/** What the beta.11 client hands its watchers for one SSE event: the type and the joined data keys. */
function parse(text: string): { type: string; args: Record<string, string> }[] {
  return text.split('\n\n').filter((block) => block.length > 0).map((block) => {
    const lines = block.split('\n');
    const type = lines.find((line) => line.startsWith('event: '))!.slice('event: '.length);
    const grouped: Record<string, string[]> = {};
    for (const line of lines.filter((item) => item.startsWith('data: '))) {
      const data = line.slice('data: '.length);
      const space = data.indexOf(' ');
      (grouped[data.slice(0, space)] ??= []).push(data.slice(space + 1));
    }
    return { type, args: Object.fromEntries(Object.entries(grouped).map(([key, values]) => [key, values.join('\n')])) };
  });
}

describe('beta11 encoder (Datastar 1.0.0-beta.11 client format)', () => {
  it('is the beta11 dialect and the default encoder', () => {
    expect(beta11Encoder.dialect).to.equal('beta11');
    expect(encoderFor('beta11')).to.equal(beta11Encoder);
    expect(encoderFor('v1')).to.equal(v1Encoder);
  });

  describe('signals', () => {
    it('merges signals', () => {
      expect(encode({ kind: 'signals', signals: { Counter: { count: 5, user: { name: 'Ada' } } } })).to.equal(
        'event: datastar-merge-signals\n' +
        'data: signals {"Counter":{"count":5,"user":{"name":"Ada"}}}\n\n',
      );
    });

    it('writes onlyIfMissing before the signals', () => {
      expect(encode({ kind: 'signals', signals: { theme: 'dark' }, onlyIfMissing: true })).to.equal(
        'event: datastar-merge-signals\n' +
        'data: onlyIfMissing true\n' +
        'data: signals {"theme":"dark"}\n\n',
      );
    });

    it('keeps unicode and escapes newlines inside the JSON', () => {
      expect(encode({ kind: 'signals', signals: { msg: 'héllo ✓ 日本', note: 'a\nb' } })).to.equal(
        'event: datastar-merge-signals\n' +
        'data: signals {"msg":"héllo ✓ 日本","note":"a\\nb"}\n\n',
      );
    });

    it('sends the nulls of a merge patch as a separate remove-signals event with dotted paths', () => {
      expect(encode({ kind: 'signals', signals: { Counter: { count: 1, draft: null, user: { nick: null } }, flash: null } })).to.equal(
        'event: datastar-merge-signals\n' +
        'data: signals {"Counter":{"count":1}}\n\n' +
        'event: datastar-remove-signals\n' +
        'data: paths Counter.draft\n' +
        'data: paths Counter.user.nick\n' +
        'data: paths flash\n\n',
      );
    });

    it('sends only a remove-signals event when the patch only removes', () => {
      expect(encode({ kind: 'signals', signals: { Counter: { draft: null } } })).to.equal(
        'event: datastar-remove-signals\n' +
        'data: paths Counter.draft\n\n',
      );
    });

    it('keeps an explicitly empty object (merging {} is harmless)', () => {
      expect(encode({ kind: 'signals', signals: {} })).to.equal('event: datastar-merge-signals\ndata: signals {}\n\n');
      expect(encode({ kind: 'signals', signals: { errors: {} } })).to.equal('event: datastar-merge-signals\ndata: signals {"errors":{}}\n\n');
    });

    it('removes signals by path, one paths line each', () => {
      expect(encode({ kind: 'remove-signals', paths: ['Counter.count', 'flash'] })).to.equal(
        'event: datastar-remove-signals\n' +
        'data: paths Counter.count\n' +
        'data: paths flash\n\n',
      );
    });

    it('writes the event id and a non-default retry (the id once, on the first event)', () => {
      expect(encode({ kind: 'signals', signals: { a: 1, b: null } }, { eventId: '7', retry: 2000 })).to.equal(
        'event: datastar-merge-signals\n' +
        'id: 7\n' +
        'retry: 2000\n' +
        'data: signals {"a":1}\n\n' +
        'event: datastar-remove-signals\n' +
        'data: paths b\n\n',
      );
    });

    it('omits the default retry of 1000', () => {
      expect(encode({ kind: 'signals', signals: { a: 1 } }, { eventId: 'x', retry: 1000 })).to.equal(
        'event: datastar-merge-signals\nid: x\ndata: signals {"a":1}\n\n',
      );
    });
  });

  describe('fragments', () => {
    it('merges by id with morph (the default, omitted)', () => {
      expect(encode({ kind: 'elements', html: '<div id="a">Hi</div>' })).to.equal(
        'event: datastar-merge-fragments\n' +
        'data: fragments <div id="a">Hi</div>\n\n',
      );
      expect(encode({ kind: 'elements', html: '<div id="a">Hi</div>', mode: 'outer' })).to.equal(
        'event: datastar-merge-fragments\n' +
        'data: fragments <div id="a">Hi</div>\n\n',
      );
    });

    it("maps v1's replace to beta11's outer", () => {
      expect(encode({ kind: 'elements', html: '<div id="a"></div>', mode: 'replace' })).to.equal(
        'event: datastar-merge-fragments\n' +
        'data: mergeMode outer\n' +
        'data: fragments <div id="a"></div>\n\n',
      );
    });

    for (const mode of ['inner', 'prepend', 'append', 'before', 'after'] as const) {
      it(`keeps mode ${mode}`, () => {
        expect(encode({ kind: 'elements', html: '<li>x</li>', selector: '#list', mode })).to.equal(
          'event: datastar-merge-fragments\n' +
          'data: selector #list\n' +
          `data: mergeMode ${mode}\n` +
          'data: fragments <li>x</li>\n\n',
        );
      });
    }

    it('writes selector, mergeMode, useViewTransition, then fragments', () => {
      expect(encode({ kind: 'elements', html: '<div>Merge</div>', selector: 'div', mode: 'append', useViewTransition: true }, { eventId: 'event1', retry: 2000 })).to.equal(
        'event: datastar-merge-fragments\n' +
        'id: event1\n' +
        'retry: 2000\n' +
        'data: selector div\n' +
        'data: mergeMode append\n' +
        'data: useViewTransition true\n' +
        'data: fragments <div>Merge</div>\n\n',
      );
    });

    it('writes multi-line HTML as one fragments line per line', () => {
      expect(encode({ kind: 'elements', html: '<ul id="list">\n  <li>héllo ✓</li>\n  <li>日本</li>\n</ul>' })).to.equal(
        'event: datastar-merge-fragments\n' +
        'data: fragments <ul id="list">\n' +
        'data: fragments   <li>héllo ✓</li>\n' +
        'data: fragments   <li>日本</li>\n' +
        'data: fragments </ul>\n\n',
      );
    });

    it('round-trips multi-line HTML through the client parser', () => {
      const markup = '<div id="card">\n  <h2>Title</h2>\n\n  <p>Body</p>\n</div>';
      const [parsed] = parse(encode({ kind: 'elements', html: markup }));
      expect(parsed?.args.fragments).to.equal(markup);
    });

    it('removes fragments by selector', () => {
      expect(encode({ kind: 'remove-elements', selector: '#feed, #other' })).to.equal(
        'event: datastar-remove-fragments\n' +
        'data: selector #feed, #other\n\n',
      );
      expect(encode({ kind: 'remove-elements', selector: '#feed', useViewTransition: true }, { eventId: 'r' })).to.equal(
        'event: datastar-remove-fragments\n' +
        'id: r\n' +
        'data: selector #feed\n' +
        'data: useViewTransition true\n\n',
      );
    });

    it('turns an elements patch in mode remove with a selector into remove-fragments', () => {
      expect(encode({ kind: 'elements', html: '', selector: '#gone', mode: 'remove' })).to.equal(
        'event: datastar-remove-fragments\n' +
        'data: selector #gone\n\n',
      );
    });

    it('removes elements given by their ids (mode remove, no selector) with a selector the client accepts', () => {
      // The beta.11 client throws NoSelectorProvided on an empty selector; the ids must become one.
      const [event] = parse(encode({ kind: 'elements', html: '<div id="first"></div><div id="second"></div>', mode: 'remove' }));
      expect(event?.type).to.equal('datastar-remove-fragments');
      expect(event?.args.selector?.split(',').map((part) => part.trim())).to.deep.equal(['#first', '#second']);
    });
  });

  describe('scripts', () => {
    it('executes a script (autoRemove true and the client default attributes are omitted)', () => {
      expect(encode({ kind: 'script', script: 'console.log("hi")' })).to.equal(
        'event: datastar-execute-script\n' +
        'data: script console.log("hi")\n\n',
      );
    });

    it('writes autoRemove false, one attributes line per attribute, then the script lines', () => {
      expect(encode({ kind: 'script', script: 'const a = 1;\nconsole.log(a);', autoRemove: false, attributes: { type: 'module', defer: 'true' } }, { eventId: 's1' })).to.equal(
        'event: datastar-execute-script\n' +
        'id: s1\n' +
        'data: autoRemove false\n' +
        'data: attributes type module\n' +
        'data: attributes defer true\n' +
        'data: script const a = 1;\n' +
        'data: script console.log(a);\n\n',
      );
    });
  });
});
