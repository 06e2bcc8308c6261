/**
 * `/todos` in a real browser: the Datastar beta.11 client in headless Chromium against the
 * sandbox process (todos in a SQLite file of its own). What one page does, a second page sees live.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

describe('todos in a browser (SQL store, Datastar beta.11 client, Chromium)', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'starmodel-todos-'));

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('sandbox/server.ts', { STARMODEL_SQLITE_FILE: join(folder, 'todos.sqlite'), DATABASE_URL: '' });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    rmSync(folder, { recursive: true, force: true });
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  async function openTodos(): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    // The page follows other pages' changes once its list's live stream has answered.
    const live = page.waitForResponse((response) => new URL(response.url()).pathname === '/todo/live');
    await page.goto(`${server!.url}/todos`);
    await live;
    return page;
  }

  const item = (page: Page, title: string) => page.locator('#todo-list li', { has: page.locator(`input[aria-label="Title"][value="${title}"]`) });

  it('adds, toggles, renames and deletes a todo, and a second page sees each change live', async () => {
    const first = await openTodos();
    const second = await openTodos();

    await first.locator('input[aria-label="New todo"]').fill('  Buy oat milk ');
    await first.locator('form button[type=submit]').click();
    await item(first, 'Buy oat milk').waitFor();
    await item(second, 'Buy oat milk').waitFor();
    expect(await first.locator('input[aria-label="New todo"]').inputValue()).to.equal('');
    expect(await item(first, 'Buy oat milk').count()).to.equal(1);

    await item(first, 'Buy oat milk').locator('input[type=checkbox]').check();
    await second.waitForFunction(() => document.querySelector<HTMLInputElement>('#todo-list li.done input[type=checkbox]')?.checked === true);

    const title = item(first, 'Buy oat milk').locator('input[aria-label="Title"]');
    await title.fill('Buy oat milk and bread');
    await title.press('Enter');
    await item(second, 'Buy oat milk and bread').waitFor();

    await item(first, 'Buy oat milk and bread').locator('button', { hasText: 'Delete' }).click();
    await second.waitForFunction(() => document.querySelectorAll('#todo-list li').length === 0);
    await first.waitForFunction(() => document.querySelectorAll('#todo-list li').length === 0);
    await second.reload();
    expect(await second.locator('#todo-list li').count()).to.equal(0);
  });

  it('shows why an empty todo is refused, and adds nothing', async () => {
    const page = await openTodos();
    const before = await page.locator('#todo-list li').count();
    await page.locator('input[aria-label="New todo"]').fill('   ');
    await page.locator('form button[type=submit]').click();
    await page.waitForFunction(() => (document.querySelector('.field-error')?.textContent ?? '').length > 0);
    expect(await page.locator('.field-error').innerText()).to.equal('Write what needs doing');
    await page.reload();
    expect(await page.locator('#todo-list li').count()).to.equal(before);
  });
});
