/**
 * Every sandbox page, as a new user meets it: opened in two browser contexts (two sessions) in
 * headless Chromium with the real Datastar beta.11 client, gated on any page error, any
 * unexpected console error and any 404 on first load; at 390 px wide no page scrolls sideways; a
 * screenshot of each at 1280 and 390 px is saved under the spec's output folder (printed). The
 * main action of the live pages is done in one context and seen in the other. A page that
 * references a signal it never declared fails the gate (proven on a planted one).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Entity, html } from '../../kernel/index.js';
import type { PageContext } from '../../plugins/koa/index.js';
import { gatePage, launchBrowser, type PageGate } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';
import { startWebApp } from '../support/web-app.js';

/** Every page of the sandbox; the account-only ones send a signed-out browser to sign in. */
const PAGES = ['/', '/counter', '/chat', '/dashboard', '/todos', '/products', '/reviews', '/preferences', '/tasks', '/signup', '/login', '/profile', '/admin'];
const OUTPUT = join(tmpdir(), `starmodel-smoke-${process.pid}`);

describe('smoke: every sandbox page in two browsers (sandbox process, Chromium)', function () {
  this.timeout(180_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('sandbox/server.ts', { DATABASE_URL: '', REDIS_URL: '', MONGO_URL: '' });
    mkdirSync(OUTPUT, { recursive: true });
    console.log(`      screenshots: ${OUTPUT}`);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  async function open(path: string, width = 1280): Promise<{ page: Page; gate: PageGate }> {
    const context = await browser!.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const gate = gatePage(page);
    const response = await page.goto(server!.url + path);
    expect(response?.status(), `GET ${path}`).to.equal(200);
    // Live pages keep a stream open (never "network idle"): give the client a moment to start it.
    await page.waitForTimeout(400);
    return { page, gate };
  }

  for (const path of PAGES) {
    it(`${path}: loads clean in two contexts, fits 390 px, screenshots saved`, async () => {
      const first = await open(path);
      const second = await open(path, 390);
      first.gate.check(`${path} (first context)`);
      second.gate.check(`${path} (second context, 390 px)`);
      const sideways = await second.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(sideways, `${path} scrolls sideways at 390 px by`).to.be.at.most(0);
      const name = path === '/' ? 'home' : path.slice(1).replace(/\W+/g, '-');
      await first.page.screenshot({ path: join(OUTPUT, `${name}-1280.png`), fullPage: true });
      await second.page.screenshot({ path: join(OUTPUT, `${name}-390.png`), fullPage: true });
      await first.page.close();
      await second.page.close();
    });
  }

  it('/counter: +1 in one context shows in the other', async () => {
    const a = await open('/counter');
    const b = await open('/counter');
    const count = (page: Page) => page.locator('#global-counter output.count').textContent();
    const before = Number(await count(b.page));
    await a.page.locator('#global-counter button', { hasText: '+1' }).click();
    await b.page.waitForFunction((expected) => document.querySelector('#global-counter output.count')?.textContent === String(expected), before + 1, { timeout: 5000 });
    a.gate.check('/counter after +1');
    b.gate.check('/counter watching');
  });

  it('/chat: a message sent in one context arrives in the other', async () => {
    const a = await open('/chat');
    const b = await open('/chat');
    const text = `smoke ${Date.now()}`;
    await a.page.locator('#messages ~ form input').last().fill(text);
    await a.page.locator('#messages ~ form button[type=submit]').click();
    await b.page.waitForFunction((expected) => document.querySelector('#messages')?.textContent?.includes(expected) ?? false, text, { timeout: 5000 });
    a.gate.check('/chat after sending');
    b.gate.check('/chat watching');
  });

  it('/todos: a todo added in one context appears in the other', async () => {
    const a = await open('/todos');
    const b = await open('/todos');
    const title = `smoke todo ${Date.now()}`;
    await a.page.getByLabel('New todo').fill(title);
    await a.page.locator('form button[type=submit]', { hasText: 'Add' }).click();
    await b.page.waitForFunction((expected) => [...document.querySelectorAll('#todo-list input')].some((input) => (input as HTMLInputElement).value === expected) || (document.querySelector('#todo-list')?.textContent?.includes(expected) ?? false), title, { timeout: 5000 });
    a.gate.check('/todos after adding');
    b.gate.check('/todos watching');
  });
});

describe('smoke: the gate fails a page that references an undeclared signal', function () {
  this.timeout(60_000);

  it('reports the Datastar error of a planted `$Nope.count`', async function () {
    const browser = await launchBrowser(this);
    class Plain extends Entity {
      count = 0;
    }
    const planted = async (page: PageContext) => html`<!doctype html><html><head>${page.head()}</head><body>${page.boot()}<span data-text="$Nope.count"></span></body></html>`;
    const app = await startWebApp([Plain], { pages: { '/planted': planted } });
    try {
      const page = await browser!.newPage();
      const gate = gatePage(page);
      await page.goto(`${app.url}/planted`);
      await page.waitForTimeout(500);
      expect(() => gate.check('/planted')).to.throw(/page error|console error/);
    } finally {
      await browser?.close();
      await app.close();
    }
  });
});
