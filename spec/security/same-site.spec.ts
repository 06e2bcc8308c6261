/**
 * Same-site requests: a page on a sibling subdomain (same site, another origin) must not run
 * events with the user's cookie. `Sec-Fetch-Site: same-site`, and an `Origin` of another origin
 * of this site, are refused with 403 SM_WEB_SAME_SITE unless the origin is listed in the web
 * plugin's `allowedOrigins`; same-origin, `none` and clients without the headers keep working.
 * Over real HTTP (the app named `app.example.com` through the Host header), and in Chromium with
 * two host names mapped to 127.0.0.1: an `<img src=…/sessioncounter/increment>` on a sibling's page.
 */
import { expect } from 'chai';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { Entity, event } from '../../kernel/index.js';
import { AUTH_PLUGIN } from '../plugins/auth/support.js';
import { launchBrowser } from '../support/browser.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

/** Every browser session has one (the issue's `/sessioncounter/increment`, a GET event). */
class SessionCounter extends Entity {
  count = 0;
  @event() increment(amount = 1) {
    this.count += amount;
  }
  @event({ method: 'post' }) reset() {
    this.count = 0;
  }
}

interface Answer { status: number; headers: IncomingHttpHeaders; body: string }

/** One HTTP request with exactly these headers (Host included, which fetch would not let us set). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;

describe('security: events refuse same-site requests (another origin of this site)', function () {
  describe('over HTTP', function () {
    let web: WebApp;
    let cookie = '';
    const APP = 'http://app.example.com';
    const base = { host: 'app.example.com', accept: 'application/json' };

    before(async () => {
      web = await startWebApp([SessionCounter], { allowedOrigins: ['http://admin.example.com'] });
      const first = await send(web.url, 'GET', '/sessioncounter/increment?amount=0', base);
      cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      expect(cookie).to.match(/^sm\.sid=/);
    });
    after(() => web.close());

    const count = async () => (JSON.parse((await send(web.url, 'GET', '/sessioncounter/increment?amount=0', { ...base, cookie })).body) as { entity: { signals: { count: number } } }).entity.signals.count;

    it('refuses a GET event with Sec-Fetch-Site: same-site (an <img> on a sibling page sends no Origin): 403 SM_WEB_SAME_SITE, the counter does not move', async () => {
      const before = await count();
      const answer = await send(web.url, 'GET', '/sessioncounter/increment', { ...base, cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'image' });
      expect([answer.status, codeOf(answer)]).to.deep.equal([403, 'SM_WEB_SAME_SITE']);
      expect(JSON.parse(answer.body).error.message).to.contain('allowedOrigins');
      expect(await count()).to.equal(before);
    });

    it('refuses a foreign Origin of the same site, with or without Sec-Fetch-Site, and in Datastar mode', async () => {
      const before = await count();
      const variants: Record<string, string>[] = [
        { origin: 'http://evil.example.com' },
        { origin: 'http://evil.example.com', 'sec-fetch-site': 'same-site' },
        { origin: 'http://app.example.com:8443' },
      ];
      for (const headers of variants) {
        const answer = await send(web.url, 'POST', '/sessioncounter/reset', { ...base, cookie, 'content-type': 'application/json', ...headers }, '{}');
        expect([answer.status, codeOf(answer)], JSON.stringify(headers)).to.deep.equal([403, 'SM_WEB_SAME_SITE']);
      }
      const datastar = await send(web.url, 'GET', '/sessioncounter/increment', { host: 'app.example.com', cookie, 'datastar-request': 'true', 'sec-fetch-site': 'same-site' });
      expect(datastar.status).to.equal(403);
      expect(datastar.body).to.contain('SM_WEB_SAME_SITE');
      expect(await count()).to.equal(before);
    });

    it('still refuses another site with SM_WEB_CROSS_SITE', async () => {
      const before = await count();
      const byOrigin = await send(web.url, 'POST', '/sessioncounter/reset', { ...base, cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, '{}');
      const byHeader = await send(web.url, 'GET', '/sessioncounter/increment', { ...base, cookie, 'sec-fetch-site': 'cross-site' });
      expect([byOrigin.status, codeOf(byOrigin), byHeader.status, codeOf(byHeader)]).to.deep.equal([403, 'SM_WEB_CROSS_SITE', 403, 'SM_WEB_CROSS_SITE']);
      expect(await count()).to.equal(before);
    });

    it('accepts same-origin, Sec-Fetch-Site: none, clients without the headers, and an origin listed in allowedOrigins', async () => {
      const before = await count();
      const cases: Record<string, string>[] = [
        { origin: APP, 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'none' },
        {},
        { origin: 'http://admin.example.com', 'sec-fetch-site': 'same-site' },
      ];
      for (const headers of cases) {
        const answer = await send(web.url, 'GET', '/sessioncounter/increment', { ...base, cookie, ...headers });
        expect(answer.status, JSON.stringify(headers)).to.equal(200);
      }
      expect(await count()).to.equal(before + cases.length);
    });
  });

  describe('the auth routes use the same check', function () {
    let web: WebApp;
    before(async () => {
      web = await startWebApp([], {}, { plugins: { [AUTH_PLUGIN]: { userStore: 'memory', seedAdmin: false } } });
    });
    after(() => web.close());

    it('refuses a sign-in posted from a sibling origin (login CSRF) with 403 SM_WEB_SAME_SITE', async () => {
      const body = JSON.stringify({ email: 'nobody@example.com', password: 'not the password at all' });
      const headers = { host: 'app.example.com', accept: 'application/json', 'content-type': 'application/json' };
      const sibling = await send(web.url, 'POST', '/auth/login', { ...headers, origin: 'http://evil.example.com' }, body);
      expect([sibling.status, codeOf(sibling)]).to.deep.equal([403, 'SM_WEB_SAME_SITE']);
      const sameSite = await send(web.url, 'POST', '/auth/login', { ...headers, 'sec-fetch-site': 'same-site' }, body);
      expect([sameSite.status, codeOf(sameSite)]).to.deep.equal([403, 'SM_WEB_SAME_SITE']);
      const own = await send(web.url, 'POST', '/auth/login', { ...headers, origin: 'http://app.example.com', 'sec-fetch-site': 'same-origin' }, body);
      expect([own.status, codeOf(own)]).to.deep.equal([401, 'SM_AUTH_INVALID_CREDENTIALS']);
    });
  });

  describe('refuses allowedOrigins entries a browser would never send', function () {
    for (const bad of ['https://admin.example.com/', 'https://admin.example.com/path', 'admin.example.com', '*', 'ftp://files.example.com']) {
      it(JSON.stringify(bad), async () => {
        const refusal = await startWebApp([SessionCounter], { allowedOrigins: [bad] }).then((made) => made.close().then(() => undefined), (error: unknown) => error);
        expect(refusal).to.have.property('code', 'SM_CONFIG_INVALID');
        expect((refusal as Error).message).to.contain('allowedOrigins');
      });
    }
  });

  describe('in Chromium: <img src=…/sessioncounter/increment> on a sibling subdomain', function () {
    this.timeout(60_000);
    let browser: Browser | undefined;
    let web: WebApp;
    let evil: Server;
    const seen: { path: string; site: string; status: number; cookie: boolean }[] = [];

    before(async function () {
      web = await startWebApp([SessionCounter], {
        pages: { '/': () => '<!doctype html><title>app</title><p>app</p>' },
      });
      // Every request the app receives, with what the browser said about where it came from.
      web.web.use(async (ctx, next) => {
        try {
          await next();
        } finally {
          if (ctx.path.startsWith('/sessioncounter/')) seen.push({ path: ctx.path, site: ctx.get('sec-fetch-site'), status: ctx.status, cookie: ctx.get('cookie').includes('sm.sid=') });
        }
      });
      const appPort = new URL(web.url).port;
      evil = createServer((_req, res) => {
        const images = Array.from({ length: 5 }, (_, index) => `<img src="http://app.example.test:${appPort}/sessioncounter/increment?n=${index}">`).join('');
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!doctype html><title>sibling</title>${images}`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      const appOrigin = `http://app.example.test:${appPort}`;
      const evilOrigin = `http://evil.example.test:${(evil.address() as AddressInfo).port}`;
      browser = await launchBrowser(this, [
        '--host-resolver-rules=MAP app.example.test 127.0.0.1, MAP evil.example.test 127.0.0.1',
        // Browsers send Sec-Fetch-* only to secure origins (HTTPS, localhost): these stand in for
        // https://app.example.com and https://evil.example.com without certificates.
        `--unsafely-treat-insecure-origin-as-secure=${appOrigin},${evilOrigin}`,
      ]);
    });
    after(async () => {
      await browser?.close();
      await new Promise((resolve) => evil?.close(resolve));
      await web?.close();
    });

    it('the browser sends the images with the cookie and Sec-Fetch-Site: same-site; each is refused and the counter stays put', async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const appUrl = `http://app.example.test:${new URL(web.url).port}`;
        await page.goto(`${appUrl}/`);
        const read = async () => page.evaluate(async () => {
          const response = await fetch('/sessioncounter/increment?amount=0', { headers: { accept: 'application/json' } });
          return ((await response.json()) as { entity: { signals: { count: number } } }).entity.signals.count;
        });
        // The victim's own page moves the counter: same-origin requests work.
        await page.evaluate(async () => {
          await fetch('/sessioncounter/increment?amount=2', { headers: { accept: 'application/json' } });
        });
        expect(await read()).to.equal(2);
        seen.length = 0;
        const sibling = await context.newPage();
        await sibling.goto(`http://evil.example.test:${(evil.address() as AddressInfo).port}/`);
        await sibling.waitForLoadState('load');
        const images = seen.filter((request) => request.path === '/sessioncounter/increment' && request.site !== 'same-origin');
        expect(images, 'the sibling page made its requests').to.have.length(5);
        expect(images.every((request) => request.site === 'same-site' && request.cookie && request.status === 403), JSON.stringify(images)).to.equal(true);
        expect(await read()).to.equal(2);
      } finally {
        await context.close();
      }
    });
  });
});
