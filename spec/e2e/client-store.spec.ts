/**
 * Client stores in a real browser: the preferences demo (localStorage) and its wizard
 * (sessionStorage) with the Datastar beta.11 client in headless Chromium, against the demo served
 * by its own process on a free port.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

interface Shown { theme: string; font: string; name: string; panelTheme: string | null; fontStyle: string }

describe('client stores in a browser (preferences demo, Datastar beta.11, Chromium)', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('spec/plugins/client-store/fixtures/server.ts');
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `server exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  async function newContext(): Promise<BrowserContext> {
    const context = await browser!.newContext();
    contexts.push(context);
    return context;
  }

  /** Opens the page and waits until Datastar has applied the restored state to it. */
  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    await page.goto(`${server!.url}/preferences`);
    await ready(page);
    return page;
  }

  const ready = (page: Page) => page.waitForSelector('#prefs-panel[data-theme]');

  // No named functions inside evaluate(): tsx wraps them in a helper the page does not have.
  const shown = (page: Page): Promise<Shown> => page.evaluate(() => {
    const [theme, font, name] = ['#prefs-theme', '#prefs-font', '#prefs-name'].map((selector) => document.querySelector(selector)?.textContent ?? '');
    const panel = document.querySelector<HTMLElement>('#prefs-panel');
    return { theme: theme!, font: font!, name: name!, panelTheme: panel?.getAttribute('data-theme') ?? null, fontStyle: panel?.style.fontSize ?? '' };
  });

  const waitText = (page: Page, selector: string, expected: string) =>
    page.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected] as const);

  const stored = (page: Page, storage: 'localStorage' | 'sessionStorage') =>
    page.evaluate((which) => JSON.parse(window[which].getItem('datastar') ?? '{}') as Record<string, Record<string, unknown>>, storage);

  it('keeps preferences across a reload, and a new browser context sees the defaults', async () => {
    const page = await open(await newContext());
    expect(await shown(page)).to.include({ theme: 'light', font: '16', name: 'stranger' });
    await page.locator('button[data-choice=dark]').click();
    await waitText(page, '#prefs-theme', 'dark');
    await page.locator('#prefs-larger').click();
    await waitText(page, '#prefs-font', '18');
    await page.locator('#prefs-larger').click();
    await waitText(page, '#prefs-font', '20');
    await page.locator('input[name=name]').fill('Ada');
    await page.locator('#prefs-rename').click();
    await waitText(page, '#prefs-name', 'Ada');
    expect((await stored(page, 'localStorage')).Prefs?.sig, 'four events, four signed versions').to.match(/^4\./);

    await page.reload();
    await ready(page);
    await waitText(page, '#prefs-name', 'Ada');
    expect(await shown(page)).to.deep.equal({ theme: 'dark', font: '20', name: 'Ada', panelTheme: 'dark', fontStyle: '20px' });
    // The restored state is accepted by the server: the next event continues from it.
    await page.locator('#prefs-smaller').click();
    await waitText(page, '#prefs-font', '18');

    const stranger = await open(await newContext());
    await stranger.waitForTimeout(200);
    expect(await shown(stranger)).to.include({ theme: 'light', font: '16', name: 'stranger', panelTheme: 'light' });
    expect((await stored(stranger, 'localStorage')).Prefs).to.include({ theme: 'light', fontSize: 16, displayName: '', sig: '' });
  });

  it('refuses a preference edited by hand in localStorage on the next event, changes nothing, and starts over after a reset', async () => {
    const page = await open(await newContext());
    await page.locator('button[data-choice=sepia]').click();
    await waitText(page, '#prefs-theme', 'sepia');
    const genuine = (await stored(page, 'localStorage')).Prefs!;

    await page.evaluate(() => {
      const data = JSON.parse(localStorage.getItem('datastar') ?? '{}') as { Prefs: { fontSize: number } };
      data.Prefs.fontSize = 24;
      localStorage.setItem('datastar', JSON.stringify(data));
    });
    await page.reload();
    await ready(page);
    await waitText(page, '#prefs-font', '24');

    await page.locator('#prefs-larger').click();
    await page.waitForFunction(() => (document.querySelector('#prefs-refused')?.textContent ?? '').length > 0);
    expect(await page.locator('#prefs-refused').innerText()).to.match(/does not match its signature/);
    expect(await page.locator('main > .error').innerText()).to.match(/stored in this browser .* was refused and nothing changed/);
    const after = (await stored(page, 'localStorage')).Prefs!;
    expect(after.sig, 'no new signature was issued').to.equal(genuine.sig);
    expect(after).to.include({ fontSize: 24, theme: 'sepia' });
    expect(await shown(page)).to.include({ font: '24', theme: 'sepia' });

    await page.locator('#prefs-reset').click();
    await page.waitForLoadState('load');
    await ready(page);
    await waitText(page, '#prefs-font', '16');
    expect(await shown(page)).to.include({ theme: 'light', font: '16', name: 'stranger' });
    await page.locator('#prefs-larger').click();
    await waitText(page, '#prefs-font', '18');
    expect(await page.locator('#prefs-refused').innerText()).to.equal('');
  });

  it('keeps the wizard step for this tab only: a reload keeps it, a new tab starts over while sharing the preferences', async () => {
    const context = await newContext();
    const page = await open(context);
    await page.locator('button[data-choice=dark]').click();
    await waitText(page, '#prefs-theme', 'dark');
    await page.locator('#wizard-next').click();
    await waitText(page, '#wizard-step', '2');
    await waitText(page, '#wizard-name', 'Profile');
    expect((await stored(page, 'sessionStorage')).Wizard?.sig).to.match(/^1\./);
    expect((await stored(page, 'localStorage')).Wizard, 'the wizard never reaches localStorage').to.equal(undefined);

    await page.reload();
    await ready(page);
    await waitText(page, '#wizard-step', '2');
    await page.locator('#wizard-next').click();
    await waitText(page, '#wizard-step', '3');

    const tab = await open(context);
    await tab.waitForTimeout(200);
    expect(await tab.locator('#wizard-step').innerText()).to.equal('1');
    expect(await shown(tab)).to.include({ theme: 'dark' });
  });
});
