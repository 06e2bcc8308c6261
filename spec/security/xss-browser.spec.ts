/**
 * XSS in a real browser: payloads are typed into the chat form (first browser) and sent over HTTP,
 * then a second browser loads the pages. Nothing may run: no dialog, no injected element, no
 * request to /counter/reset, the text shows literally, and the page stays live (the Datastar
 * beta.11 client compiles `data-signals` as code, so a stored string must not break it).
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';
import { AUTHOR_PAYLOADS, TEXT_PAYLOADS } from './xss-payloads.js';

/** What a page did that it must not do. */
interface Watch {
  readonly dialogs: string[];
  readonly errors: string[];
  readonly requests: Request[];
}

describe('security: XSS in the browser (sandbox process, Chromium)', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const COUNT = 7;

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer();
    // A known count that a forged @post('/counter/reset') would wipe out.
    await fetch(`${server.url}/counter/reset`, { method: 'POST', headers: { Accept: 'application/json' } });
    await fetch(`${server.url}/counter/increment?amount=${COUNT}`, { headers: { Accept: 'application/json' } });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  /** A page in a fresh browser context (its own session) that records dialogs, errors and requests. */
  async function openPage(path: string): Promise<{ page: Page; watch: Watch }> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const watch: Watch = { dialogs: [], errors: [], requests: [] };
    page.on('dialog', (dialog) => {
      watch.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => watch.errors.push(error.message.split('\n')[0] ?? error.message));
    page.on('request', (request) => watch.requests.push(request));
    await page.goto(server!.url + path);
    return { page, watch };
  }

  const countNow = async () => {
    const response = await fetch(`${server!.url}/counter/increment?amount=0`, { headers: { Accept: 'application/json' } });
    return ((await response.json()) as { entity: { signals: { count: number } } }).entity.signals.count;
  };

  const liveStreamOpened = (watch: Watch, route: string) => watch.requests.some((request) => new URL(request.url()).pathname === `/${route}/live`);

  it('accepts the payloads typed into the chat form, showing each one literally in the sender\'s own page', async () => {
    const { page, watch } = await openPage('/chat');
    await page.waitForFunction(() => document.querySelector('#sm-boot') !== null);
    for (const [index, text] of TEXT_PAYLOADS.slice(0, 8).entries()) {
      const author = AUTHOR_PAYLOADS[index % AUTHOR_PAYLOADS.length]!;
      await page.fill('input[name="author"]', author);
      await page.fill('input[name="text"]', text);
      await page.click('button[type="submit"]');
      await page.waitForFunction((expected) => [...document.querySelectorAll('#messages li span')].some((span) => span.textContent === expected), text, { timeout: 5000 });
    }
    expect(watch.dialogs, 'dialogs').to.deep.equal([]);
    expect(await page.locator('img[src="x"], svg[onload], [onerror], [onload]').count()).to.equal(0);
  });

  it('accepts the remaining payloads over HTTP (JSON and form bodies)', async () => {
    for (const [index, text] of TEXT_PAYLOADS.slice(8).entries()) {
      const author = AUTHOR_PAYLOADS[index % AUTHOR_PAYLOADS.length]!;
      const json = index % 2 === 0;
      const response = await fetch(`${server!.url}/chatroom/send`, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: json ? JSON.stringify({ author, text }) : new URLSearchParams({ author, text }).toString(),
      });
      expect(response.status, text).to.equal(200);
    }
  });

  it('runs none of them in a second browser: no dialog, no injected element, literal text, no request to /counter/reset', async () => {
    const { page, watch } = await openPage('/chat');
    await page.waitForTimeout(800);
    const counter = await openPage('/counter');
    await counter.page.waitForTimeout(500);
    expect([...watch.dialogs, ...counter.watch.dialogs], 'dialogs').to.deep.equal([]);
    expect(await page.locator('img[src="x"], svg[onload], [onerror], [onload], a[href^="javascript:"], #messages [data-on-load]').count(), 'injected elements').to.equal(0);
    const shown = await page.locator('#messages li span').allTextContents();
    for (const text of TEXT_PAYLOADS) expect(shown, 'text shown literally').to.include(text);
    const authors = await page.locator('#messages li strong').allTextContents();
    for (const author of AUTHOR_PAYLOADS) expect(authors).to.include(author);
    const resets = [...watch.requests, ...counter.watch.requests].filter((request) => request.url().includes('/counter/reset'));
    expect(resets.map((request) => request.url()), 'requests to /counter/reset').to.deep.equal([]);
    expect(await countNow(), 'the global counter was not reset').to.equal(COUNT);
  });

  it('keeps the chat page working with those messages stored: no Datastar expression error, the live stream opens, a new message arrives', async () => {
    const { page, watch } = await openPage('/chat');
    await page.waitForTimeout(800);
    expect(watch.errors, 'page errors (Datastar GenerateExpression means a stored message broke the page)').to.deep.equal([]);
    expect(liveStreamOpened(watch, 'chatroom'), 'the page opened /chatroom/live').to.equal(true);
    const response = await fetch(`${server!.url}/chatroom/send`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify({ author: 'alice', text: 'still live?' }) });
    expect(response.status).to.equal(200);
    await page.waitForFunction(() => [...document.querySelectorAll('#messages li span')].some((span) => span.textContent === 'still live?'), undefined, { timeout: 5000 });
  });

  it('keeps the chat live after 50 messages of the maximum length (the page\'s requests carry its signals)', async () => {
    for (let index = 0; index < 50; index++) {
      const text = `${index} ${'x'.repeat(275)}`.slice(0, 280);
      await fetch(`${server!.url}/chatroom/send`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify({ author: 'a'.repeat(40), text }) });
    }
    const { page, watch } = await openPage('/chat');
    await page.waitForTimeout(800);
    const live = watch.requests.find((request) => new URL(request.url()).pathname === '/chatroom/live');
    expect(live, 'the page opened /chatroom/live').not.to.equal(undefined);
    const status = (await live!.response())?.status();
    expect(status, `GET /chatroom/live answered ${status} (the URL is ${live!.url().length} characters long)`).to.equal(200);
    await page.fill('input[name="author"]', 'bob');
    await page.fill('input[name="text"]', 'after fifty');
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#messages li span')].some((span) => span.textContent === 'after fifty'), undefined, { timeout: 5000 });
  });
});
