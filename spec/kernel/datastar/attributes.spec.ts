import { expect } from 'chai';
import { datastarAttributes, html } from '../../../kernel/index.js';

const beta11 = datastarAttributes('beta11');
const v1 = datastarAttributes('v1');

describe('Datastar attributes per dialect', () => {
  it('knows its dialect', () => {
    expect(beta11.dialect).to.equal('beta11');
    expect(v1.dialect).to.equal('v1');
  });

  it("writes event handlers as data-on-click (beta11) and data-on:click (v1)", () => {
    expect(String(beta11.on('click', '@post(\'/counter/reset\')'))).to.equal('data-on-click="@post(&#39;/counter/reset&#39;)"');
    expect(String(v1.on('click', '@post(\'/counter/reset\')'))).to.equal('data-on:click="@post(&#39;/counter/reset&#39;)"');
  });

  it('appends modifiers with __', () => {
    expect(String(beta11.on('input', '@get(\'/s\')', 'debounce.300ms'))).to.equal('data-on-input__debounce.300ms="@get(&#39;/s&#39;)"');
    expect(String(v1.on('keydown', 'x()', 'window', 'once'))).to.equal('data-on:keydown__window__once="x()"');
  });

  it('writes the load hook as data-on-load (beta11) and data-init (v1)', () => {
    expect(String(beta11.onLoad("@get('/feed/live')"))).to.equal('data-on-load="@get(&#39;/feed/live&#39;)"');
    expect(String(v1.onLoad("@get('/feed/live')"))).to.equal('data-init="@get(&#39;/feed/live&#39;)"');
  });

  it('writes keyed attributes with the dialect separator', () => {
    expect(String(beta11.attr('disabled', '$busy'))).to.equal('data-attr-disabled="$busy"');
    expect(String(v1.attr('disabled', '$busy'))).to.equal('data-attr:disabled="$busy"');
    expect(String(beta11.classIf('active', '$on'))).to.equal('data-class-active="$on"');
    expect(String(v1.classIf('active', '$on'))).to.equal('data-class:active="$on"');
  });

  it('writes attributes that are the same in both dialects', () => {
    for (const dialect of [beta11, v1]) {
      expect(String(dialect.bind('Counter.amount'))).to.equal('data-bind="Counter.amount"');
      expect(String(dialect.text('$Counter.count'))).to.equal('data-text="$Counter.count"');
      expect(String(dialect.show('$open'))).to.equal('data-show="$open"');
      expect(String(dialect.indicator('fetching'))).to.equal('data-indicator="fetching"');
    }
  });

  it('escapes expressions so they stay inside the attribute', () => {
    expect(String(v1.text('"a" < b'))).to.equal('data-text="&quot;a&quot; &lt; b"');
  });

  it('writes signals as escaped JSON', () => {
    expect(String(beta11.signals({ Counter: { label: 'say "hi"' } }))).to.equal('data-signals="{&quot;Counter&quot;:{&quot;label&quot;:&quot;say \\&quot;hi\\&quot;&quot;}}"');
  });

  it('drops into an html template as trusted markup', () => {
    expect(String(html`<button ${v1.on('click', "@post('/x')")}>Go</button>`)).to.equal('<button data-on:click="@post(&#39;/x&#39;)">Go</button>');
  });
});
