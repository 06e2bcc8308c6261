import { expect } from 'chai';
import { Entity, Html, escapeHtml, event, html, raw } from '../../kernel/index.js';
import { createTestKernel } from '../../kernel/testing/index.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  label = '</div><script>alert("x")</script>';
  get double() { return this.count * 2; }
  @event() increment(amount = 1) { this.count += amount; }
}

/** The JSON inside the data-signals attribute of rendered markup. */
function signalsIn(markup: string): unknown {
  const match = markup.match(/data-signals="([^"]*)"/);
  expect(match, markup).to.not.equal(null);
  const decoded = match![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return JSON.parse(decoded);
}

describe('html template', () => {
  it('escapes every interpolation', () => {
    const value = '<script>alert("x")</script>';
    expect(String(html`<p>${value}</p>`)).to.equal('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });

  it('escapes quotes and backticks so a value cannot leave an attribute', () => {
    const value = `" onmouseover='x' \`y\``;
    expect(String(html`<a title="${value}">`)).to.equal('<a title="&quot; onmouseover=&#39;x&#39; &#96;y&#96;">');
  });

  it('escapes ampersands once', () => {
    expect(String(html`${'Tom & Jerry &amp;'}`)).to.equal('Tom &amp; Jerry &amp;amp;');
  });

  it('passes raw() markup through untouched', () => {
    expect(String(html`<div>${raw('<b>bold</b>')}</div>`)).to.equal('<div><b>bold</b></div>');
  });

  it('nests html fragments without escaping them twice', () => {
    const item = (text: string) => html`<li>${text}</li>`;
    expect(String(html`<ul>${item('<a>')}</ul>`)).to.equal('<ul><li>&lt;a&gt;</li></ul>');
  });

  it('joins arrays, escaping each item', () => {
    const items = ['a', '<b>', html`<i>c</i>`];
    expect(String(html`<p>${items}</p>`)).to.equal('<p>a&lt;b&gt;<i>c</i></p>');
  });

  it('renders nothing for null, undefined and false, but renders 0 and true', () => {
    expect(String(html`[${null}|${undefined}|${false}|${0}|${true}|${''}]`)).to.equal('[|||0|true|]');
  });

  it('returns Html, whose value is the markup', () => {
    const fragment = html`<p>${1}</p>`;
    expect(fragment).to.be.instanceOf(Html);
    expect(fragment.value).to.equal('<p>1</p>');
    expect(`${fragment}`).to.equal('<p>1</p>');
  });

  it('escapeHtml escapes the six dangerous characters', () => {
    expect(escapeHtml(`&<>"'\``)).to.equal('&amp;&lt;&gt;&quot;&#39;&#96;');
  });

  describe('an entity instance', () => {
    it('renders as the element that carries its namespaced signals', async () => {
      const t = await createTestKernel({ entities: [Counter] });
      try {
        await t.client().call(Counter, 'increment', 3);
        const counter = await t.kernel.load(Counter);
        const markup = String(html`<main>${counter}</main>`);
        expect(markup).to.match(/^<main><div id="Counter" data-signals="[^"]*"><\/div><\/main>$/);
        expect(signalsIn(markup)).to.deep.equal({
          Counter: { id: 'global', count: 3, label: '</div><script>alert("x")</script>', double: 6, errors: { count: '', label: '', amount: '' } },
        });
      } finally {
        await t.close();
      }
    });

    it('escapes field values so they cannot break out of the attribute', () => {
      const markup = String(html`${new Counter()}`);
      expect(markup).to.not.include('<script>');
      expect(markup.match(/"/g)).to.have.length(4);
    });
  });
});
