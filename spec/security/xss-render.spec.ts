/**
 * XSS in the rendered HTML (no browser): every payload a user stores through the chat is escaped
 * in the page's markup and round-trips unchanged through its `data-signals` attribute; error pages
 * that echo the URL escape it too.
 */
import { expect } from 'chai';
import { ACCEPT_MODES, startSandbox, type SandboxApp } from '../support/fuzz.js';
import { AUTHOR_PAYLOADS, INJECTED_MARKUP, TEXT_PAYLOADS } from './xss-payloads.js';

/** Undoes the escaping of an HTML attribute value. */
function unescapeAttribute(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Every string anywhere inside a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('security: XSS in rendered pages', function () {
  this.timeout(20_000);
  let sandbox: SandboxApp;
  let page = '';

  before(async () => {
    sandbox = await startSandbox();
    for (const [index, text] of TEXT_PAYLOADS.entries()) {
      const author = AUTHOR_PAYLOADS[index % AUTHOR_PAYLOADS.length]!;
      const asJson = index % 2 === 0;
      const response = await fetch(`${sandbox.url}/chatroom/send`, {
        method: 'POST',
        headers: { ...ACCEPT_MODES.json, 'Content-Type': asJson ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: asJson ? JSON.stringify({ author, text }) : new URLSearchParams({ author, text }).toString(),
      });
      expect(response.status, `${author} / ${text}: ${await response.text()}`).to.equal(200);
    }
    page = await (await fetch(`${sandbox.url}/chat`)).text();
  });
  after(() => sandbox.close());

  it('escapes every stored payload in the chat page\'s markup', () => {
    for (const markup of INJECTED_MARKUP) expect(page, `unescaped "${markup}" in the page`).not.to.include(markup);
    expect(page).to.include('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).to.include('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    // Only the page's own scripts: the Datastar client module, nothing a user wrote.
    expect(page.match(/<script\b/gi) ?? []).to.have.length(1);
  });

  it('keeps every payload intact inside data-signals attributes: well-formed JSON, the exact text, no attribute break-out', () => {
    const attributes = [...page.matchAll(/data-signals="([^"]*)"/g)].map((match) => match[1]!);
    expect(attributes.length).to.be.greaterThan(0);
    const parsed = attributes.map((attribute) => JSON.parse(unescapeAttribute(attribute)) as Record<string, unknown>);
    // Where the chat's messages travel as signals, each one must be exactly what was sent.
    const room = parsed.map((signals) => signals.ChatRoom as { messages?: { author: string; text: string }[] } | undefined).find((value) => value?.messages);
    for (const [index, message] of (room?.messages ?? []).entries()) {
      expect(message.text).to.equal(TEXT_PAYLOADS[index]);
      expect(message.author).to.equal(AUTHOR_PAYLOADS[index % AUTHOR_PAYLOADS.length]);
    }
    expect(parsed.flatMap(stringsIn).length).to.be.greaterThan(0);
    // No attribute value contains a raw quote or angle bracket that could end it or open a tag.
    for (const attribute of attributes) expect(attribute).not.to.match(/["<>]/);
  });

  it('escapes the URL echoed by error pages (HTML) and keeps it inert in JSON and Datastar answers', async () => {
    const path = `/%3Csvg%20onload=alert(1)%3E/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E`;
    const htmlAnswer = await (await fetch(`${sandbox.url}${path}`, { headers: ACCEPT_MODES.html })).text();
    for (const markup of INJECTED_MARKUP) expect(htmlAnswer).not.to.include(markup);
    const unknownEvent = await (await fetch(`${sandbox.url}/counter/%3Cimg%20src=x%20onerror=alert(1)%3E`, { headers: ACCEPT_MODES.html })).text();
    expect(unknownEvent).not.to.include('<img src=x');
    const datastar = await (await fetch(`${sandbox.url}/counter/%3Cimg%20src=x%20onerror=alert(1)%3E`, { headers: ACCEPT_MODES.datastar })).text();
    // In Datastar mode the message travels as a JSON signal (shown with data-text, never as markup).
    expect(datastar).to.match(/^event: datastar-merge-signals\n/);
    expect(datastar).not.to.include('datastar-merge-fragments');
  });
});
