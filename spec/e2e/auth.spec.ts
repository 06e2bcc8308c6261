/**
 * Accounts in a real browser: headless Chromium with the Datastar beta.11 client against the auth
 * fixture server (its own process; users, sessions and profiles in a SQLite file of its own).
 * Sign up, sign out, sign in (after one wrong password), edit the profile, sign out, and be
 * refused on the profile page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

describe('accounts in a browser (auth plugin, SQL store, Datastar beta.11 client, Chromium)', function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const folder = mkdtempSync(join(tmpdir(), 'starmodel-auth-e2e-'));

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('spec/plugins/auth/fixtures/server.ts', { AUTH_SQLITE_FILE: join(folder, 'auth.sqlite'), DATABASE_URL: '' });
  });
  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    rmSync(folder, { recursive: true, force: true });
    expect(code, `server exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  const sessionCookie = async () => (await context!.cookies()).find((cookie) => cookie.name === 'sm.sid')?.value;

  it('signs up, signs out, signs in, edits the profile, signs out, and is then refused on the profile page', async () => {
    context = await browser!.newContext();
    const page: Page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    const email = `e2e.${Date.now().toString(36)}@example.com`;
    const password = 'a long enough passphrase';

    // Sign up: Datastar posts the form and moves to the profile.
    await page.goto(`${server!.url}/signup`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=name]').fill('Ada Browser');
    await page.locator('input[name=password]').fill(password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${server!.url}/profile`);
    expect(await page.locator('#profile-name').textContent()).to.equal('Ada Browser');

    // Sign out (a plain form post) lands on the home page, signed out.
    await page.locator('#sign-out').click();
    await page.waitForURL(`${server!.url}/`);
    expect(await page.locator('#who').textContent()).to.contain('Not signed in');

    // A wrong password shows the message next to the form; the right one signs in with a new cookie.
    await page.goto(`${server!.url}/login`);
    const before = await sessionCookie();
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('not the right passphrase');
    await page.locator('button[type=submit]').click();
    await page.locator('p.error', { hasText: 'The email or the password is wrong' }).waitFor();
    expect(page.url()).to.equal(`${server!.url}/login`);
    await page.locator('input[name=password]').fill(password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${server!.url}/profile`);
    expect(await sessionCookie(), 'the session cookie changed at sign-in').to.not.equal(before);

    // Edit the profile: the saved values come back from the server and survive a reload.
    await page.locator('textarea[name=bio]').fill('Counts things for a living.');
    await page.locator('label.swatch', { hasText: 'Green' }).locator('input').check();
    await page.locator('#save-profile').click();
    await page.locator('#saved-bio', { hasText: 'Counts things for a living.' }).waitFor();
    await page.reload();
    if (process.env.AUTH_E2E_SCREENSHOT) await page.screenshot({ path: process.env.AUTH_E2E_SCREENSHOT, fullPage: true });
    expect(await page.locator('textarea[name=bio]').inputValue()).to.equal('Counts things for a living.');
    expect(await page.locator('#avatar').getAttribute('style')).to.contain('#30a46c');
    const home = await page.goto(`${server!.url}/`);
    expect(home?.status()).to.equal(200);
    expect(await page.locator('#who').textContent()).to.contain(`Signed in as Ada Browser (${email})`);

    // Sign out from the header; the profile page then sends the browser to sign in, and back after.
    await page.locator('#account button', { hasText: 'Sign out' }).click();
    await page.waitForURL(`${server!.url}/`);
    expect(await page.locator('#who').textContent()).to.contain('Not signed in');
    const refused = await page.goto(`${server!.url}/profile`);
    expect(refused?.status()).to.equal(200);
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(new URL(page.url()).searchParams.get('next')).to.equal('/profile');
    expect(await page.locator('input[name=next]').inputValue()).to.equal('/profile');
    expect(await page.locator('body').textContent()).to.not.contain('Counts things for a living.');
  });
});
