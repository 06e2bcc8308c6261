/**
 * Sandbox pages built on forms bound to events and live lists, in headless Chromium with the real
 * Datastar beta.11 client, two browser contexts each: /reviews (a review is stored with its stars
 * and text, "Helpful" counts, errors show once, the other context follows) and /products (a sorted,
 * paged list keeps its order, size and count live; a refused stock change shows on its row).
 * Any page error fails the spec.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };

describe('forms and live lists in a browser (sandbox, Datastar beta.11 client, Chromium)', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('sandbox/server.ts', { DATABASE_URL: '', MONGO_URL: '' });
  });
  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors, 'page errors').to.deep.equal([]);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  /** A page in its own context (its own session), once its list's live stream answered. */
  async function open(path: string, livePath: string): Promise<Page> {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    const live = page.waitForResponse((response) => new URL(response.url()).pathname === livePath);
    await page.goto(server!.url + path);
    await live;
    return page;
  }

  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(server!.url + path, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    expect(response.status, path).to.equal(200);
    return ((await response.json()) as { entity: { id: string } }).entity.id;
  };

  describe('/reviews', () => {
    it('stores a review with its stars and text, shows it live in another context, and counts "Helpful"', async () => {
      const writer = await open('/reviews', '/review/live');
      const reader = await open('/reviews', '/review/live');
      await writer.locator('input[name=product]').fill('Kettle');
      await writer.locator('select[name=stars]').selectOption('3');
      await writer.locator('input[name=text]').fill('Boils fast');
      await writer.locator('form button[type=submit]').click();

      for (const page of [writer, reader]) {
        await page.locator('#review-list li', { hasText: 'Kettle' }).waitFor();
        expect(await page.locator('#review-list li', { hasText: 'Kettle' }).innerText()).to.contain('★★★☆☆').and.contain('Boils fast');
      }
      await reader.locator('#review-count', { hasText: '1' }).waitFor();
      // The inputs are cleared after the review was posted.
      expect(await writer.locator('input[name=product]').inputValue()).to.equal('');
      expect(await writer.locator('input[name=text]').inputValue()).to.equal('');
      expect(await writer.locator('select[name=stars]').inputValue()).to.equal('5');
      const stored = (await (await fetch(`${server!.url}/review`, { headers: JSON_HEADERS })).json()) as { items: { product: string; stars: number; text: string; helpful: number }[] };
      expect(stored.items.find((item) => item.product === 'Kettle')).to.include({ stars: 3, text: 'Boils fast', helpful: 0 });

      await reader.locator('#review-list li', { hasText: 'Kettle' }).locator('button', { hasText: 'Helpful' }).click();
      for (const page of [writer, reader]) await page.locator('#review-list li', { hasText: 'Kettle' }).locator('button', { hasText: 'Helpful (1)' }).waitFor();
      const after = (await (await fetch(`${server!.url}/review`, { headers: JSON_HEADERS })).json()) as { items: { product: string; helpful: number }[] };
      expect(after.items.find((item) => item.product === 'Kettle')?.helpful).to.equal(1);
    });

    it('disables the submit button with a busy indicator while the review is being sent, twice in a row', async () => {
      const page = await open('/reviews', '/review/live');
      // Hold each create for a moment, so "pending" lasts long enough to see.
      await page.route('**/review/create', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        await route.continue();
      });
      const button = page.locator('form button[type=submit]');
      for (const product of ['Teapot', 'Toaster']) {
        await page.locator('input[name=product]').fill(product);
        await button.click();
        await page.waitForFunction(() => document.querySelector('form button[type=submit]')?.hasAttribute('disabled') === true);
        expect(await button.getAttribute('aria-busy')).to.equal('true');
        expect(await button.locator('.sm-busy').isVisible()).to.equal(true);
        await page.locator('#review-list li', { hasText: product }).waitFor();
        await page.waitForFunction(() => document.querySelector('form button[type=submit]')?.hasAttribute('disabled') === false);
        expect(await button.locator('.sm-busy').isVisible()).to.equal(false);
      }
    });

    it('shows each error once, beside its input, and stores nothing', async () => {
      const page = await open('/reviews', '/review/live');
      const before = await page.locator('#review-list li').count();
      await page.locator('input[name=text]').fill('x'.repeat(501));
      await page.locator('form button[type=submit]').click();
      await page.locator('[data-error=product]', { hasText: 'Say which product' }).waitFor();
      expect(await page.locator('[data-error=text]').innerText()).to.equal('At most 500 characters');
      expect(await page.locator('p.error').innerText(), 'no page-level summary').to.equal('');
      expect(await page.getByText('Say which product').count(), 'shown once').to.equal(1);
      for (const message of await page.locator('.field-error').allInnerTexts()) expect(message).to.not.contain('"Review"');
      await page.reload();
      expect(await page.locator('#review-list li').count()).to.equal(before);
    });
  });

  describe('/todos', () => {
    it('refuses an empty rename on its row, and a good one reaches the other context', async () => {
      await post('/todo/create', { title: 'Water the plants' });
      const page = await open('/todos', '/todo/live');
      const other = await open('/todos', '/todo/live');
      const row = page.locator('#todo-list li', { has: page.locator('input[aria-label="Title"][value="Water the plants"]') });
      await row.locator('input[aria-label="Title"]').fill('');
      await row.locator('input[aria-label="Title"]').press('Enter');
      await row.locator('.field-error', { hasText: 'Write what needs doing' }).waitFor();
      expect(await page.locator('p.error').innerText()).to.equal('');
      await row.locator('input[aria-label="Title"]').fill('Water the roses');
      await row.locator('input[aria-label="Title"]').press('Enter');
      await other.locator('#todo-list input[aria-label="Title"][value="Water the roses"]').waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('#todo-list .field-error')].every((element) => element.textContent === ''));
    });
  });

  describe('/chat', () => {
    it('clears the message after it was sent and keeps the name', async () => {
      const page = await open('/chat', '/chatroom/live');
      await page.locator('input[name=author]').fill('Ada');
      await page.locator('input[name=text]').fill('Hello there');
      await page.locator('form button[type=submit]').click();
      await page.locator('#messages li', { hasText: 'Hello there' }).waitFor();
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name=text]')?.value === '');
      expect(await page.locator('input[name=author]').inputValue()).to.equal('Ada');
    });
  });

  describe('accounts and feedback', () => {
    it('says sign-in (as an admin) is needed for Reset when signed out, not that the counter belongs to someone', async () => {
      const page = await open('/counter', '/counter/live');
      await page.locator('#global-counter button', { hasText: 'Reset' }).click();
      const line = page.locator('p.error', { hasText: 'Sign in' });
      await line.waitFor();
      expect(await line.innerText()).to.contain('"admin" role').and.not.contain('belongs to');
    });

    it('signs up, saves the profile with a toast, and says a wrong current password is wrong, once', async () => {
      const context = await browser!.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`accounts: ${error.message}`));
      await page.goto(`${server!.url}/signup`);
      await page.locator('input[name=email]').fill(`pages.${Date.now().toString(36)}@example.com`);
      await page.locator('input[name=password]').fill('short');
      // The browser's own check stops a too-short password: remove it to see the server's message.
      await page.locator('input[name=password]').evaluate((input) => input.removeAttribute('minlength'));
      await page.locator('form button[type=submit]').click();
      await page.locator('[data-error=password]', { hasText: 'at least 10' }).waitFor();
      expect(await page.locator('p.error').innerText(), 'no page-level summary').to.equal('');
      await page.locator('input[name=password]').fill('a long enough passphrase');
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(`${server!.url}/profile`);

      await page.locator('textarea[name=bio]').fill('Hello');
      await page.locator('#save-profile').click();
      await page.locator('#sm-toast', { hasText: 'Profile saved.' }).waitFor();
      expect(await page.locator('#sm-toast').getAttribute('data-kind')).to.equal('success');
      expect(await page.locator('textarea[name=bio]').inputValue(), 'kept after saving').to.equal('Hello');

      await page.locator('input[name=currentPassword]').fill('not my password at all');
      await page.locator('input[name=newPassword]').fill('another long passphrase');
      await page.locator('button', { hasText: 'Change password' }).click();
      await page.locator('[data-error=currentPassword]', { hasText: 'The current password is wrong' }).waitFor();
      expect(await page.getByText('The current password is wrong').count(), 'shown once').to.equal(1);
      expect(await page.locator('body').innerText()).to.not.contain('email or the password');
    });
  });

  describe('/products', () => {
    const names = async (page: Page) => page.locator('#product-list li .name').allInnerTexts();

    it('keeps a sorted page sorted and of its size while products arrive and leave, and the count follows', async () => {
      const first = await open('/products?sort=price&dir=desc', '/product/live');
      const second = await open('/products?sort=price&dir=desc', '/product/live');
      expect(await first.locator('#product-count').innerText()).to.equal('0');

      // The form adds the first one; the second context's "0 products" follows.
      await first.locator('input[name=name]').fill('Anvil');
      await first.locator('input[name=price]').fill('50');
      await first.locator('input[name=stock]').fill('2');
      await first.locator('form button[type=submit]').click();
      await second.locator('#product-count', { hasText: '1' }).waitFor();
      expect(await first.locator('input[name=name]').inputValue(), 'the input is cleared').to.equal('');
      expect(await names(second)).to.deep.equal(['Anvil']);

      const ids: Record<string, string> = {};
      for (const [name, price] of [['Bell', 10], ['Chisel', 30], ['Drill', 70], ['Easel', 20], ['Funnel', 40]] as const) ids[name] = await post('/product/create', { name, price, stock: 1, category: 'tools' });
      const topFive = ['Drill', 'Anvil', 'Funnel', 'Chisel', 'Easel'];
      for (const page of [first, second]) {
        await page.locator('#product-count', { hasText: '6' }).waitFor();
        await page.waitForFunction((expected) => [...document.querySelectorAll('#product-list li .name')].map((item) => item.textContent).join() === expected, topFive.join());
      }
      expect(await second.locator('#page-count').innerText()).to.equal('2');

      // A cheap product belongs on page 2: page 1 does not change, the count does.
      await post('/product/create', { name: 'Gauge', price: 1, stock: 1, category: 'tools' });
      await second.locator('#product-count', { hasText: '7' }).waitFor();
      expect(await names(second)).to.deep.equal(topFive);
      // The most expensive one goes on top, and the page keeps five rows.
      await post('/product/create', { name: 'Hoist', price: 99, stock: 1, category: 'tools' });
      await second.waitForFunction(() => document.querySelector('#product-list li .name')?.textContent === 'Hoist');
      expect(await names(second)).to.deep.equal(['Hoist', 'Drill', 'Anvil', 'Funnel', 'Chisel']);
      // One leaves: the next one moves up.
      await fetch(`${server!.url}/product/${ids.Drill}/delete`, { method: 'DELETE', headers: JSON_HEADERS });
      await first.locator('#product-count', { hasText: '7' }).waitFor();
      await first.waitForFunction(() => [...document.querySelectorAll('#product-list li .name')].map((item) => item.textContent).join() === 'Hoist,Anvil,Funnel,Chisel,Easel');
    });

    it('shows a refused stock change on its row, not above the list', async () => {
      await post('/product/create', { name: 'Zither', price: 500, stock: 0, category: 'games' });
      const page = await open('/products?sort=price&dir=desc', '/product/live');
      const row = page.locator('#product-list li', { hasText: 'Zither' });
      await row.locator('button[aria-label="Remove 1"]').click();
      await row.locator('.field-error', { hasText: 'Cannot take away more than 0' }).waitFor();
      expect(await page.locator('p.error').innerText()).to.equal('');
      expect(await row.locator('.stock').innerText()).to.equal('0');
      await row.locator('button[aria-label="Add 10"]').click();
      await row.locator('.stock', { hasText: '10' }).waitFor();
    });
  });
});
