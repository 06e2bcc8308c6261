/**
 * The sandbox in a real browser: the real Datastar beta.11 client in headless Chromium against
 * the sandbox process on a free port.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

describe('sandbox in a browser (Datastar beta.11 client, Chromium)', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  /** A page in its own browser context (its own cookies: its own session). */
  async function openPage(path: string): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    await page.goto(server!.url + path);
    return page;
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  it('updates the global count when +1 is clicked, and a second browser sees it live but not the first one\'s session counter', async () => {
    const first = await openPage('/counter');
    const second = await openPage('/counter');
    const before = Number(await text(first, '#global-counter .count'));
    await first.locator('#global-counter button', { hasText: '+1' }).click();
    await first.waitForFunction((value) => document.querySelector('#global-counter .count')?.textContent === String(value), before + 1);
    await second.waitForFunction((value) => document.querySelector('#global-counter .count')?.textContent === String(value), before + 1);

    await first.locator('#session-counter button', { hasText: '+1' }).click();
    await first.locator('#session-counter button', { hasText: '+1' }).click();
    await first.waitForFunction(() => document.querySelector('#session-counter .count')?.textContent === '2');
    // The second browser has its own session: its session counter must stay at 0.
    await second.waitForTimeout(300);
    expect(await text(second, '#session-counter .count')).to.equal('0');
    await second.reload();
    expect(await text(second, '#session-counter .count')).to.equal('0');
  });

  it('shows an invalid amount\'s error next to the input and leaves the count unchanged', async () => {
    const page = await openPage('/counter');
    const before = await text(page, '#global-counter .count');
    await page.locator('#global-counter input[name=amount]').fill('abc');
    await page.locator('#global-counter button', { hasText: 'Add amount' }).click();
    await page.waitForFunction(() => (document.querySelector('#global-counter .field-error')?.textContent ?? '').length > 0);
    expect(await text(page, '#global-counter .field-error')).to.match(/number/i);
    expect(await text(page, '#global-counter .count')).to.equal(before);
    await page.locator('#global-counter input[name=amount]').fill('5');
    await page.locator('#global-counter button', { hasText: 'Add amount' }).click();
    await page.waitForFunction((value) => document.querySelector('#global-counter .count')?.textContent === String(value), Number(before) + 5);
    expect(await text(page, '#global-counter .field-error')).to.equal('');
  });

  it('shows a chat message sent from one page in another', async () => {
    const sender = await openPage('/chat');
    const reader = await openPage('/chat');
    await sender.locator('input[name=author]').fill('Ada');
    await sender.locator('input[name=text]').fill('Hello from the first window');
    await sender.locator('form button[type=submit]').click();
    await reader.waitForFunction(() => [...document.querySelectorAll('#messages li')].some((item) => item.textContent?.includes('Hello from the first window')));
    await sender.waitForFunction(() => [...document.querySelectorAll('#messages li')].some((item) => item.textContent?.includes('Hello from the first window')));
    expect(await sender.locator('#messages li', { hasText: 'Hello from the first window' }).count()).to.equal(1);
    expect(await reader.locator('#messages li', { hasText: 'Ada' }).count()).to.be.greaterThan(0);
  });

  it('streams the dashboard\'s progress in order while the event runs', async () => {
    const page = await openPage('/dashboard');
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const target = document.querySelector('#progress')!;
      new MutationObserver(() => seen.push(target.textContent ?? '')).observe(target, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('button', { hasText: 'Run the report' }).click();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'done', undefined, { timeout: 15_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen.map(Number));
    expect(seen.length, `progress values seen: ${seen.join(', ')}`).to.be.greaterThan(3);
    expect([...seen].sort((a, b) => a - b)).to.deep.equal(seen);
    expect(seen.at(-1)).to.equal(100);
    expect(await page.locator('polyline').getAttribute('points')).to.match(/^0,\d+ 30,\d+/);
  });
});
