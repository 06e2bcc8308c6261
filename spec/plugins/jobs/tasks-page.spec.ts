/**
 * The sandbox's `/tasks` page (sandbox/pages/jobs.ts) in headless Chromium with the real
 * Datastar beta.11 client, served by its own process (fixtures/tasks-server.ts) on the in-process
 * queue: a report's progress bar goes from 0 to 100% in every open window, and a failing report is
 * retried by the queue, marked failed, then retried by hand.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../support/browser.js';
import { startServer, type ServerProcess } from '../../support/sandbox-process.js';

describe('/tasks in a browser (sandbox jobs demo, Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let server: ServerProcess | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('spec/plugins/jobs/fixtures/tasks-server.ts');
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `server exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  async function openTasks(): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    // Wait for the list's live stream to be open, so no change is missed.
    const live = page.waitForResponse((response) => new URL(response.url()).pathname === '/report/live');
    await page.goto(`${server!.url}/tasks`);
    await live;
    return page;
  }

  /** Records every value the named report's progress bar and status show, from now on. */
  async function watchReport(page: Page, title: string): Promise<() => Promise<{ progress: number[]; statuses: string[] }>> {
    // A string, not a function: tsx's name-keeping helpers do not exist in the page.
    await page.evaluate(`(() => {
      const name = ${JSON.stringify(title)};
      const seen = window.seen = { progress: [], statuses: [] };
      const note = (list, value) => { if (value != null && list[list.length - 1] !== value) list.push(value); };
      new MutationObserver(() => {
        const item = [...document.querySelectorAll('#reports li')].find((li) => li.querySelector('strong')?.textContent === name);
        const value = item?.querySelector('progress')?.getAttribute('value');
        note(seen.progress, value == null ? null : Number(value));
        note(seen.statuses, item?.querySelector('.report-status')?.getAttribute('data-status'));
      }).observe(document.querySelector('#reports'), { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    return () => page.evaluate('window.seen') as Promise<{ progress: number[]; statuses: string[] }>;
  }

  const statusOf = async (page: Page, title: string) => (await page.locator('#reports li', { hasText: title }).locator('.report-status').textContent())?.trim();

  it('shows the progress bar going from 0 to 100% in the window that started it and in another one', async () => {
    const starter = await openTasks();
    const watcher = await openTasks();
    const title = `Sales ${Date.now()}`;
    const startedSeen = await watchReport(starter, title);
    const watcherSeen = await watchReport(watcher, title);
    await starter.locator('input[name=title]').fill(title);
    await starter.locator('#start-report').click();
    for (const page of [starter, watcher]) {
      await page.waitForFunction((name) => [...document.querySelectorAll('#reports li')].some((li) => li.querySelector('strong')?.textContent === name && li.querySelector('progress')?.getAttribute('value') === '100'), title, { timeout: 20_000 });
      expect(await statusOf(page, title)).to.equal('done');
    }
    for (const { progress: seen, statuses } of [await startedSeen(), await watcherSeen()]) {
      // 'queued' lasts only until a worker is free, often less than one observer callback.
      expect(statuses.filter((status) => status !== 'queued')).to.deep.equal(['running', 'done']);
      expect(seen[0], 'starts at 0%').to.equal(0);
      expect(seen[seen.length - 1], 'ends at 100%').to.equal(100);
      expect(seen.some((value) => value > 0 && value < 100), `shows progress in between: ${seen.join(', ')}`).to.equal(true);
      expect([...seen].sort((a, b) => a - b), 'never goes backwards').to.deep.equal(seen);
    }
  });

  it('retries a jammed report, marks it failed after the last attempt, and builds it when retried by hand', async () => {
    const page = await openTasks();
    const title = `Jammed ${Date.now()}`;
    const seen = await watchReport(page, title);
    await page.locator('input[name=title]').fill(title);
    await page.locator('input[name=broken]').check();
    await page.locator('#start-report').click();
    const item = page.locator('#reports li', { hasText: title });
    await item.locator('button', { hasText: 'Retry' }).waitFor({ timeout: 30_000 });
    expect(await statusOf(page, title)).to.equal('failed');
    expect((await seen()).statuses.filter((status) => status !== 'queued')).to.deep.equal(['running', 'retrying', 'running', 'retrying', 'running', 'failed']);
    expect(await item.locator('.report-note').innerText()).to.match(/attempt 3 of 3/);
    await item.locator('button', { hasText: 'Retry' }).click();
    await item.locator('.report-status[data-status=done]').waitFor({ timeout: 20_000 });
    expect(await item.locator('progress').getAttribute('value')).to.equal('100');
    expect((await seen()).statuses.slice(-2)).to.deep.equal(['running', 'done']);
  });

  it('starts several reports from one window, each with the title and fault it was given', async () => {
    const page = await openTasks();
    const stamp = Date.now();
    for (const [title, jam] of [[`North ${stamp}`, false], [`South ${stamp}`, true], [`East ${stamp}`, false]] as const) {
      await page.locator('input[name=title]').fill(title);
      await page.locator('input[name=broken]').setChecked(jam);
      await page.locator('#start-report').click();
      await page.locator('#reports li', { hasText: title }).waitFor();
    }
    for (const title of [`North ${stamp}`, `East ${stamp}`]) await page.locator('#reports li', { hasText: title }).locator('.report-status[data-status=done]').waitFor({ timeout: 20_000 });
    await page.locator('#reports li', { hasText: `South ${stamp}` }).locator('.report-status[data-status=failed]').waitFor({ timeout: 30_000 });
  });

  it('refuses a report without a title, next to the input, and starts nothing', async () => {
    const page = await openTasks();
    const before = await page.locator('#reports li').count();
    await page.locator('input[name=title]').fill('   ');
    await page.locator('#start-report').click();
    await page.waitForFunction(() => (document.querySelector('.field-error')?.textContent ?? '').length > 0);
    expect(await page.locator('.field-error').innerText()).to.equal('Give the report a title');
    expect(await page.locator('#reports li').count()).to.equal(before);
  });
});
