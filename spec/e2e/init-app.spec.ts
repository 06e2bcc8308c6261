/**
 * The page `starmodel init` writes, in headless Chromium with the real Datastar beta.11 client:
 * three todos added one after the other are three different todos, the input is cleared after
 * each, an empty title's message shows once beside the input, and a second context sees the list
 * live. The app is scaffolded into a folder inside this checkout (so its imports resolve to this
 * checkout's packages without an install; spec/cli/init.spec.ts covers the install) and started
 * with `starmodel start`. Any page error fails the spec.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/starmodel.js');

describe('the page `starmodel init` writes, in a browser (Datastar beta.11 client, Chromium)', function () {
  this.timeout(90_000);
  let browser: Browser | undefined;
  let folder: string | undefined;
  let child: ChildProcess | undefined;
  let url = '';
  let output = '';
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    folder = mkdtempSync(join(root, '.init-e2e-'));
    const scaffold = spawnSync(process.execPath, [bin, 'init', 'app'], { cwd: folder, encoding: 'utf8' });
    expect(scaffold.status, scaffold.stdout + scaffold.stderr).to.equal(0);
    child = spawn(process.execPath, [bin, 'start'], {
      cwd: join(folder, 'app'),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STARMODEL_SECRET: 'init-e2e-secret-0123456789abcdef', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the scaffolded app did not start:\n${output}`)), 60_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child!.stdout!.on('data', read);
      child!.stderr!.on('data', read);
      child!.once('exit', (code) => reject(new Error(`the scaffolded app exited with ${code}:\n${output}`)));
    });
  });
  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors, 'page errors').to.deep.equal([]);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function open(): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const live = page.waitForResponse((response) => new URL(response.url()).pathname === '/todo/live');
    await page.goto(`${url}/`);
    await live;
    return page;
  }

  const titles = (page: Page) => page.locator('#todo-list li').allInnerTexts();

  it('adds three different todos, clearing the input after each, and a second context sees them', async () => {
    const page = await open();
    const other = await open();
    const input = page.locator('input[aria-label="New todo"]');
    for (const [index, title] of ['first', 'second', 'third'].entries()) {
      await input.fill(title);
      await page.locator('form button[type=submit]').click();
      await page.waitForFunction((count) => document.querySelectorAll('#todo-list li').length === count, index + 1);
      expect(await input.inputValue(), `after adding "${title}"`).to.equal('');
    }
    expect((await titles(page)).map((text) => text.trim())).to.deep.equal(['first', 'second', 'third']);
    await other.waitForFunction(() => document.querySelectorAll('#todo-list li').length === 3);
    expect((await titles(other)).map((text) => text.trim())).to.deep.equal(['first', 'second', 'third']);
    // Nothing nags about the cleared input once the typing pause has passed.
    await page.waitForTimeout(600);
    expect(await page.getByText('Write something').count()).to.equal(0);
  });

  it("shows an empty title's message once, beside the input, and adds nothing", async () => {
    const page = await open();
    const before = await page.locator('#todo-list li').count();
    await page.locator('input[aria-label="New todo"]').fill('   ');
    await page.locator('form button[type=submit]').click();
    const message = page.locator('form [role=alert]', { hasText: 'Write something' });
    await message.waitFor();
    expect(await page.getByText('Write something').count(), 'shown once').to.equal(1);
    // Beside the input: in the same form, right after it.
    expect(await message.evaluate((element) => element.closest('form')?.querySelector('input[aria-label="New todo"]') !== null)).to.equal(true);
    await page.reload();
    expect(await page.locator('#todo-list li').count()).to.equal(before);
  });
});
