/**
 * Live-stream event injection, tried as the attacker of issue 18 did: text that ends its SSE line
 * with `\r`, `\r\n` or `\n` and then spells events of its own (`datastar-execute-script`,
 * `datastar-merge-fragments`, `datastar-merge-signals`) is posted over HTTP through every text
 * input the sandbox has (a browser's text input drops line breaks, so an attacker posts directly)
 * while the matching page is open in a second browser and in a signed-in admin's browser.
 *
 * Watching pages must run nothing: no dialog, no request they did not make themselves (they only
 * watch, so no POST and nothing under /forged), no forged element, no page error, the attacker's
 * roles unchanged, and the text shown as sent (line breaks read as white space).
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';

const DEV_ADMIN = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin' };
const LINE_ENDS = { cr: '\r', crlf: '\r\n', lf: '\n' } as const;

/** What a page shows: its text and the values of its inputs (a todo's title sits in one). */
function pageText(): string {
  return [document.body.innerText, ...[...document.querySelectorAll('input, textarea')].map((input) => (input as HTMLInputElement).value)].join('\n');
}

/** A watching page and what it did. */
interface Watcher {
  readonly name: string;
  readonly page: Page;
  readonly dialogs: string[];
  readonly errors: string[];
  readonly requests: Request[];
}

/**
 * The attack for one line end, cut to fit `max` characters: the longest form forges a script, an
 * element and a signal; the shorter ones forge what fits. `tail` marks the end of the text.
 */
function payload(tag: string, end: string, max: number): { text: string; tail: string } {
  const head = `h${tag}`;
  const tail = `t${tag}`;
  const forms = [
    `${head}${end}${end}event: datastar-execute-script${end}data: script fetch('/forged/${tag}');alert(1)${end}${end}event: datastar-merge-fragments${end}data: fragments <img id="forged-${tag}" src="/forged/img-${tag}">${end}${end}event: datastar-merge-signals${end}data: signals {forged: 1}${end}${end}${tail}`,
    `${head}${end}${end}event:datastar-execute-script${end}data:script alert(1)${end}${end}${tail}`,
    `${head}${end}event:datastar-execute-script${end}data:script alert(1)${end}${end}${tail}`,
    `${head}${end}${end}event:x${end}data:script alert(1)${end}${tail}`,
    `${head}${end}data:script alert(1)${end}${tail}`,
  ];
  return { text: forms.find((form) => form.length <= max) ?? `${head}${end}${tail}`, tail };
}

/** One text input: the page that shows it, the admin table that lists it, how it is posted. */
interface Target {
  readonly input: string;
  readonly page: string;
  readonly adminPath?: string;
  readonly max: number;
  send(text: string, tag: string): Promise<Response>;
}

describe('security: live-stream event injection through every text input (sandbox process, Chromium)', function () {
  this.timeout(180_000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let attackerCookie = '';
  let run = Date.now() % 1000;

  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer('sandbox/server.ts', { DATABASE_URL: '', REDIS_URL: '', MONGO_URL: '' });
    // The attacker is a freshly signed-up user whose roles a forged admin request would change.
    const response = await fetch(`${server.url}/auth/signup`, {
      method: 'POST', redirect: 'manual',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: `attacker-${Date.now()}@example.com`, password: 'attacker-password-1', name: 'Mallory' }).toString(),
    });
    expect(response.status, await response.clone().text()).to.be.oneOf([200, 201, 303]);
    attackerCookie = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
    expect(await attackerRoles()).to.be.an('array');
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    const code = await server?.stop();
    expect(code, `sandbox exit code; output:\n${server?.output() ?? ''}`).to.equal(0);
  });

  async function attackerRoles(): Promise<string[]> {
    const me = await fetch(`${server!.url}/auth/me`, { headers: { Accept: 'application/json', Cookie: attackerCookie } });
    const body = (await me.json()) as { user: { roles?: string[] } | null };
    if (!body.user) throw new Error('the attacker is not signed in');
    return body.user.roles ?? [];
  }

  async function watcher(name: string, context: BrowserContext, path: string): Promise<Watcher> {
    const page = await context.newPage();
    const watch: Watcher = { name, page, dialogs: [], errors: [], requests: [] };
    page.on('dialog', (dialog) => {
      watch.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => watch.errors.push(error.message.split('\n')[0] ?? error.message));
    const response = await page.goto(server!.url + path);
    expect(response?.status(), `${name}: GET ${path}`).to.equal(200);
    // Only requests made after the page loaded count: what a forged event would make it do.
    page.on('request', (request) => watch.requests.push(request));
    await page.waitForTimeout(300);
    return watch;
  }

  async function anonymousContext(): Promise<BrowserContext> {
    const context = await browser!.newContext();
    contexts.push(context);
    return context;
  }

  let adminContext: BrowserContext | undefined;
  async function signedInAdmin(): Promise<BrowserContext> {
    if (adminContext) return adminContext;
    adminContext = await anonymousContext();
    const page = await adminContext.newPage();
    await page.goto(`${server!.url}/login`);
    await page.locator('input[name=email]').fill(DEV_ADMIN.email);
    await page.locator('input[name=password]').fill(DEV_ADMIN.password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.close();
    return adminContext;
  }

  /** Posts as the attacker, the way a script or curl would (no browser, so no line-break filtering). */
  const post = (path: string, body: Record<string, unknown>) => fetch(server!.url + path, {
    method: 'POST', redirect: 'manual',
    headers: { Accept: 'application/json', Cookie: attackerCookie, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  const shown = async (page: Page) => flat(await page.evaluate(pageText));

  async function expectNothingRan(watchers: Watcher[]): Promise<void> {
    for (const watch of watchers) {
      expect(watch.dialogs, `${watch.name}: dialogs`).to.deep.equal([]);
      expect(watch.errors, `${watch.name}: page errors`).to.deep.equal([]);
      const made = watch.requests.filter((request) => request.method() !== 'GET' || new URL(request.url()).pathname.startsWith('/forged'));
      expect(made.map((request) => `${request.method()} ${request.url()}`), `${watch.name}: requests the page did not make`).to.deep.equal([]);
      expect(await watch.page.locator('[id^="forged-"]').count(), `${watch.name}: forged elements`).to.equal(0);
    }
    expect(await attackerRoles(), 'the attacker\'s roles').not.to.include('admin');
  }

  const targets: Target[] = [
    { input: 'chat message', page: '/chat', max: 280, send: (text) => post('/chatroom/send', { author: 'mallory', text }) },
    { input: 'chat author', page: '/chat', max: 40, send: (text) => post('/chatroom/send', { author: text, text: 'hello' }) },
    { input: 'todo title', page: '/todos', adminPath: '/admin/todo', max: 200, send: (text) => post(`/todo/create?${new URLSearchParams({ title: text })}`, {}) },
    { input: 'product name', page: '/products', adminPath: '/admin/product', max: 80, send: (text) => post(`/product/create?${new URLSearchParams({ name: text, price: '1', stock: '1', category: 'tools' })}`, {}) },
    { input: 'review text', page: '/reviews', max: 500, send: (text) => post('/review/create', { product: 'Lamp', stars: 4, text }) },
    { input: 'review product', page: '/reviews', max: 80, send: (text) => post('/review/create', { product: text, stars: 3, text: 'fine' }) },
    { input: 'report title', page: '/tasks', max: 60, send: (text) => post(`/report/start?${new URLSearchParams({ title: text })}`, {}) },
    // Signing up signs the new account in: sent without the attacker's cookie, so that session stays.
    {
      input: 'sign-up display name', page: '/admin/user', max: 80,
      send: (text, tag) => fetch(`${server!.url}/auth/signup`, {
        method: 'POST', redirect: 'manual',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: `n${tag}@example.com`, password: 'password-of-mallory', name: text }).toString(),
      }),
    },
  ];

  for (const [index, target] of targets.entries()) {
    it(`${target.input}: nothing runs in the watching pages, and the text shows as sent`, async () => {
      const onAdmin = target.page.startsWith('/admin');
      const watchers: Watcher[] = [];
      if (!onAdmin) watchers.push(await watcher('second browser', await anonymousContext(), target.page));
      watchers.push(await watcher('admin', await signedInAdmin(), target.page));
      if (target.adminPath) watchers.push(await watcher('admin table', await signedInAdmin(), target.adminPath));

      const sent: Array<{ text: string; tail: string }> = [];
      for (const [name, end] of Object.entries(LINE_ENDS)) {
        const tag = `${index}${name}${(run++).toString(36)}`;
        const attack = payload(tag, end, target.max);
        const response = await target.send(attack.text, tag);
        expect(response.status, `${target.input} (${name}): ${await response.clone().text()}`).to.be.oneOf([200, 201, 303]);
        sent.push(attack);
      }
      // Live: the pages receive the text over their streams. An admin table shows one sorted page,
      // where a new row may fall outside the page: it is only watched for what runs.
      for (const watch of watchers.filter((each) => each.name !== 'admin table' && !onAdmin)) {
        for (const { tail } of sent) {
          await watch.page.waitForFunction(({ text, read }) => (new Function(`return (${read})()`) as () => string)().includes(text), { text: tail, read: pageText.toString() }, { timeout: 10_000 })
            .catch(() => { throw new Error(`${watch.name} on ${target.page} never showed ${tail}`); });
        }
      }
      await watchers[0]!.page.waitForTimeout(500);
      await expectNothingRan(watchers);
      // Loaded afresh, the page shows the stored text literally, the forged lines included.
      const fresh = await watcher('reloaded', onAdmin ? await signedInAdmin() : await anonymousContext(), target.page);
      const text = await shown(fresh.page);
      // An input's value drops line breaks instead of showing them as white space; admin tables cut
      // long text short with an ellipsis.
      const forms = (sentText: string) => [flat(sentText), flat(sentText.replace(/[\r\n]/g, ''))].map((form) => (onAdmin ? form.slice(0, 40) : form));
      for (const attack of sent) expect(forms(attack.text).some((form) => text.includes(form)), `the text as sent: ${JSON.stringify(attack.text)}`).to.equal(true);
      await expectNothingRan([fresh]);
      // Each open page holds a live stream; Chromium allows six connections per host.
      for (const watch of [...watchers, fresh]) await watch.page.close();
    });
  }
});
