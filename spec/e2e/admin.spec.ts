/**
 * The admin in a real browser: headless Chromium with the Datastar beta.11 client against the
 * admin fixture server (the sandbox's plugins plus auth and admin, users and products in a SQLite
 * file of its own). The development admin signs in, opens /admin, creates a product with an
 * invalid price (sees the error), fixes it, sees it in the list, edits it, and sees changes made
 * on /products in another page appear in the admin table without a reload. A signed-in user
 * without the admin role gets 403. With ADMIN_SCREENSHOTS=1 it saves the README's screenshots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

const DEV_ADMIN = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin' };
const screenshots = process.env.ADMIN_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : undefined;
const rowId = (id: string) => `admin-row-${Buffer.from(id).toString('hex')}`;

describe('the admin in a browser (auth, SQL products, Datastar beta.11 client, Chromium)', function () {
  this.timeout(120_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'starmodel-admin-e2e-'));

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('spec/plugins/admin/fixtures/server.ts', { ADMIN_SQLITE_FILE: join(folder, 'admin.sqlite'), DATABASE_URL: '', REDIS_URL: '', MONGO_URL: '' });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    rmSync(folder, { recursive: true, force: true });
    expect(code, `server exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  const newPage = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const context = await browser!.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
    return page;
  };

  it('signs in as the admin, creates, fixes, edits, and sees changes from /products live', async () => {
    const url = server!.url;
    const admin = await newPage();

    // Signed out, /admin sends the browser to sign in and back.
    await admin.goto(`${url}/admin`);
    expect(new URL(admin.url()).pathname).to.equal('/login');
    await admin.locator('input[name=email]').fill(DEV_ADMIN.email);
    await admin.locator('input[name=password]').fill(DEV_ADMIN.password);
    await admin.locator('button[type=submit]').click();
    await admin.waitForURL(`${url}/admin`);
    expect(await admin.locator('h1').textContent()).to.equal('Overview');
    expect(await admin.locator('tr[data-entity="Product"] td').nth(1).textContent()).to.equal('sql');
    expect(await admin.locator('tr[data-plugin="@starmodel/admin"]').count()).to.equal(1);

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await admin.keyboard.press('Tab');
    expect(await admin.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to content');
    await admin.keyboard.press('Enter');
    expect(await admin.evaluate(() => document.activeElement?.id)).to.equal('main');

    // A product with an invalid price: the message shows beside the field and nothing is stored.
    await admin.locator('nav[aria-label="Admin sections"] a', { hasText: 'Product' }).click();
    await admin.locator('a.button', { hasText: 'New Product' }).click();
    const name = `E2E lamp ${Date.now().toString(36)}`;
    await admin.getByLabel('name', { exact: true }).fill(name);
    await admin.getByLabel('price', { exact: true }).fill('-5');
    await admin.getByLabel('stock', { exact: true }).fill('2');
    await admin.getByLabel('category', { exact: true }).selectOption('tools');
    await admin.locator('button[type=submit]', { hasText: 'Create Product' }).click();
    await admin.locator('#f-price-error', { hasText: 'A price cannot be negative' }).waitFor();
    expect(await admin.getByLabel('name', { exact: true }).inputValue()).to.equal(name);
    expect(await admin.getByLabel('price', { exact: true }).getAttribute('aria-invalid')).to.equal('true');

    // Fixed, it is created and listed.
    await admin.getByLabel('price', { exact: true }).fill('19.99');
    await admin.locator('button[type=submit]', { hasText: 'Create Product' }).click();
    await admin.waitForURL(/\/admin\/product\?created=/);
    const id = new URL(admin.url()).searchParams.get('created')!;
    const row = admin.locator(`#${rowId(id)}`);
    expect(await row.locator('td[data-field=name]').textContent()).to.equal(name);
    expect(await row.locator('td[data-field=price]').textContent()).to.equal('19.99');
    expect(await admin.locator('[role=status]').first().textContent()).to.contain(`Created Product ${id}.`);

    // Edit it.
    await row.locator('td.actions a', { hasText: 'Edit' }).click();
    await admin.getByLabel('name', { exact: true }).fill(`${name} (edited)`);
    await admin.locator('button[type=submit]', { hasText: 'Save changes' }).click();
    await admin.locator('.notice.ok', { hasText: 'Saved.' }).waitFor();
    await admin.locator('a', { hasText: 'All Product records' }).click();
    await admin.waitForURL(`${url}/admin/product`);
    expect(await row.locator('td[data-field=name]').textContent()).to.equal(`${name} (edited)`);
    // The live stream says when it is connected.
    await admin.locator('#admin-live[data-live="on"]').waitFor({ timeout: 10_000 });
    const before = await admin.evaluate(() => performance.getEntriesByType('navigation').length + ':' + location.href);

    // In another browser, /products changes the stock and adds a product: the admin table follows.
    const shop = await newPage();
    await shop.goto(`${url}/products`);
    await shop.locator(`#product-${id} button[aria-label="Add 1"]`).click();
    await admin.locator(`#${rowId(id)} td[data-field=stock]`, { hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    const other = `Shop lamp ${Date.now().toString(36)}`;
    await shop.locator('input[name=name]').fill(other);
    await shop.locator('input[name=price]').fill('5');
    await shop.locator('button[type=submit]', { hasText: 'Add product' }).click();
    await admin.locator('#admin-rows td[data-field=name]', { hasText: other }).waitFor({ timeout: 10_000 });
    expect(await admin.locator('#admin-total').textContent()).to.equal('2 records');
    expect(await admin.evaluate(() => performance.getEntriesByType('navigation').length + ':' + location.href), 'no reload').to.equal(before);

    if (screenshots) {
      // A few more products (through the entity's HTTP event) make a fuller picture; they arrive live too.
      for (const [index, product] of [['Graph paper', 'books', 4.5, 120], ['Board game', 'games', 39, 7], ['Hand drill', 'tools', 64.9, 3]].entries()) {
        await shop.request.post(`${url}/product/create`, { data: { name: product[0], category: product[1], price: product[2], stock: product[3] }, headers: { Accept: 'application/json' } });
        await admin.locator('#admin-total', { hasText: `${3 + index} records` }).waitFor();
      }
      await admin.screenshot({ path: join(screenshots, 'admin-records.png'), fullPage: true });
      await admin.goto(`${url}/admin`);
      await admin.screenshot({ path: join(screenshots, 'admin-overview.png'), fullPage: true });
    }
  });

  it('fits a phone screen: the page does not scroll sideways, the table scrolls in its own region', async () => {
    const phone = await newPage({ width: 375, height: 740 });
    await phone.goto(`${server!.url}/login?next=/admin/product`);
    await phone.locator('input[name=email]').fill(DEV_ADMIN.email);
    await phone.locator('input[name=password]').fill(DEV_ADMIN.password);
    await phone.locator('button[type=submit]').click();
    await phone.waitForURL(`${server!.url}/admin/product`);
    const widths = await phone.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    expect(widths.page).to.be.at.most(widths.screen);
    expect(await phone.locator('.table-wrap[role=region][tabindex="0"]').count()).to.equal(1);
  });

  it('answers 403 to a signed-in user without the admin role', async () => {
    const user = await newPage();
    const signup = await user.request.post(`${server!.url}/auth/signup`, { data: { email: `plain.${Date.now().toString(36)}@example.com`, password: 'a long enough passphrase' }, headers: { Accept: 'application/json' } });
    expect(signup.status()).to.equal(200);
    const response = await user.goto(`${server!.url}/admin`);
    expect(response?.status()).to.equal(403);
    expect(await user.locator('h1').textContent()).to.equal('Not allowed');
    expect(await user.locator('code').first().textContent()).to.equal('SM_AUTH_FORBIDDEN');
  });
});
