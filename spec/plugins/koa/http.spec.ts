/**
 * The web plugin over real HTTP: modes (Datastar SSE, JSON, HTML), errors, live streams, safety.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { Entity, event, field, html, z } from '../../../kernel/index.js';
import { openLive, parseSse, signalsOf, startWebApp, type WebApp } from '../../support/web-app.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
  @event({ method: 'post' }) reset() { this.count = 0; }
  @event({ path: '/count/up' }) up() { this.count++; }
  @event() fail() { throw new Error('database password is hunter2'); }
  @event() async *steps(n = 3) { for (let index = 0; index < n; index++) { this.count++; yield; } }
}

class Notes extends Entity {
  text = '';
  @event({ method: 'post' }) write(text: string) { this.text = text; }
}

class Task extends Entity {
  static override scope = 'record' as const;
  @field(z.string().min(1)) title = 'untitled';
  done = false;
  @event({ method: 'post' }) toggle() { this.done = !this.done; }
  @event({ method: 'post' }) static create(title: string) { const task = new Task(); task.title = title; return task; }
}

class Big extends Entity {
  static override scope = 'global' as const;
  blob = '';
  n = 0;
  @event() grow() { this.n++; this.blob = String(this.n).repeat(200_000); }
}

class Board extends Entity {
  static override scope = 'global' as const;
  items: string[] = [];
  @event({ method: 'post', selector: '#items', mode: 'append' }) add(item: string) { this.items = [...this.items, item]; return html`<li>${item}</li>`; }
}

describe('web plugin over HTTP', function () {
  let web: WebApp;
  before(async () => {
    web = await startWebApp([Counter, Notes, Task, Big, Board], { keepAliveMs: 100, maxBufferedBytes: 64 * 1024 });
  });
  after(() => web.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(web.url + path, { headers, redirect: 'manual' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(web.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual' });
  const readCount = async () => ((await (await get('/counter/increment?amount=0', { Accept: 'application/json' })).json()) as { entity: { signals: { count: number } } }).entity.signals.count;

  describe('Datastar mode', () => {
    it('answers an event with text/event-stream and a datastar-merge-signals event holding the new count under Counter', async () => {
      const before = await readCount();
      const response = await get('/counter/increment?amount=2', { 'Datastar-Request': 'true' });
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('text/event-stream');
      const events = parseSse(await response.text());
      expect(events[0]?.event).to.equal('datastar-merge-signals');
      expect(signalsOf(events[0]!)).to.deep.equal({ Counter: { count: before + 2 } });
    });

    it('reads arguments from the signals the client sends (query ?datastar= on GET, body otherwise)', async () => {
      const before = await readCount();
      await get(`/counter/increment?datastar=${encodeURIComponent(JSON.stringify({ Counter: { amount: 4 } }))}`, { 'Datastar-Request': 'true' });
      expect(await readCount()).to.equal(before + 4);
      const response = await post('/notes/write', { Notes: { text: 'from signals' } }, { 'Datastar-Request': 'true' });
      expect(signalsOf(parseSse(await response.text())[0]!)).to.deep.equal({ Notes: { text: 'from signals' } });
    });

    it('lets the URL argument win over the signals', async () => {
      const before = await readCount();
      await get(`/counter/increment?amount=1&datastar=${encodeURIComponent(JSON.stringify({ amount: 50, Counter: { amount: 40 } }))}`, { 'Datastar-Request': 'true' });
      expect(await readCount()).to.equal(before + 1);
    });

    it('patches the errors signal for an invalid argument, answers 400, and leaves the count unchanged', async () => {
      const before = await readCount();
      const response = await get('/counter/increment?amount=abc', { 'Datastar-Request': 'true' });
      expect(response.status).to.equal(400);
      const signals = signalsOf(parseSse(await response.text())[0]!) as { Counter: { errors: Record<string, string> }; sm: { error: { code: string } } };
      expect(signals.Counter.errors.amount).to.match(/number/i);
      expect(signals.sm.error.code).to.equal('SM_VALIDATION_FAILED');
      expect(await readCount()).to.equal(before);
    });

    it('streams one patch per yield of a generator event', async () => {
      const before = await readCount();
      const events = parseSse(await (await get('/counter/steps?n=3', { 'Datastar-Request': 'true' })).text());
      const counts = events.map((item) => (signalsOf(item) as { Counter: { count?: number } }).Counter.count).filter((count) => count !== undefined);
      expect(counts).to.deep.equal([before + 1, before + 2, before + 3]);
    });

    it('sends an HTML fragment returned by an event as a merge-fragments event with its selector and mode', async () => {
      const events = parseSse(await (await post('/board/add', { item: '<b>x</b>' }, { 'Datastar-Request': 'true' })).text());
      const fragment = events.find((item) => item.event === 'datastar-merge-fragments');
      expect(fragment?.data).to.deep.equal(['selector #items', 'mergeMode append', 'fragments <li>&lt;b&gt;x&lt;/b&gt;</li>']);
    });
  });

  describe('JSON mode', () => {
    it('answers JSON with the entity, the patch and the command', async () => {
      const response = await get('/counter/increment?amount=2', { Accept: 'application/json' });
      expect(response.headers.get('content-type')).to.match(/application\/json/);
      const body = (await response.json()) as { entity: { type: string; version: number }; patch: { count: number }; command: { event: string; args: { amount: number } } };
      expect(body.entity.type).to.equal('Counter');
      expect(body.patch.count).to.be.a('number');
      expect(body.command).to.include({ event: 'increment' });
      expect(body.command.args).to.deep.equal({ amount: 2 });
    });

    it('answers 400 naming amount for amount=abc, and changes nothing', async () => {
      const before = await readCount();
      const response = await get('/counter/increment?amount=abc', { Accept: 'application/json' });
      expect(response.status).to.equal(400);
      const body = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(body.error.code).to.equal('SM_VALIDATION_FAILED');
      expect(body.error.fields).to.have.property('amount');
      expect(await readCount()).to.equal(before);
    });

    it('answers 404 with a stable code for an unknown entity or event, and 405 for the wrong method', async () => {
      const unknownEntity = await get('/nothing/here', { Accept: 'application/json' });
      expect(unknownEntity.status).to.equal(404);
      expect(((await unknownEntity.json()) as { error: { code: string } }).error.code).to.equal('SM_ENTITY_UNKNOWN');
      const unknownEvent = await get('/counter/explode', { Accept: 'application/json' });
      expect(((await unknownEvent.json()) as { error: { code: string } }).error.code).to.equal('SM_EVENT_UNKNOWN');
      const wrongMethod = await get('/counter/reset', { Accept: 'application/json' });
      expect(wrongMethod.status).to.equal(405);
      expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).to.equal('SM_EVENT_METHOD_NOT_ALLOWED');
    });

    it('answers a thrown method error with 500 and no internals', async () => {
      const response = await get('/counter/fail', { Accept: 'application/json' });
      expect(response.status).to.equal(500);
      const text = await response.text();
      expect(text).to.not.include('hunter2');
      expect(text).to.not.match(/at .*\.ts:\d+/);
      expect((JSON.parse(text) as { error: { code: string } }).error.code).to.equal('SM_EVENT_FAILED');
    });

    it('uses a custom path for both the route and the action string', async () => {
      expect(Counter.act('up')).to.equal("@get('/count/up')");
      const before = await readCount();
      expect((await get('/count/up', { Accept: 'application/json' })).status).to.equal(200);
      expect(await readCount()).to.equal(before + 1);
    });

    it('creates records with a static event and runs instance events at /<entity>/<id>/<event>', async () => {
      const created = (await (await post('/task/create', { title: 'Write specs' }, { Accept: 'application/json' })).json()) as { entity: { id: string; signals: { title: string } } };
      expect(created.entity.signals.title).to.equal('Write specs');
      const toggled = (await (await post(`/task/${created.entity.id}/toggle`, {}, { Accept: 'application/json' })).json()) as { entity: { signals: { done: boolean } } };
      expect(toggled.entity.signals.done).to.equal(true);
      const missing = await post('/task/no-such-id/toggle', {}, { Accept: 'application/json' });
      expect(missing.status).to.equal(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal('SM_RECORD_NOT_FOUND');
    });
  });

  describe('HTML mode', () => {
    it('redirects a plain browser request back to the page it came from', async () => {
      const response = await get('/counter/increment', { Accept: 'text/html', Referer: `${web.url}/counter` });
      expect(response.status).to.equal(303);
      expect(response.headers.get('location')).to.equal(`${web.url}/counter`);
    });

    it('never redirects to another site', async () => {
      const response = await get('/counter/increment', { Accept: 'text/html', Referer: 'https://evil.example/x' });
      expect(response.headers.get('location')).to.equal('/');
    });
  });

  describe('safety', () => {
    it('refuses a cross-origin POST with 403 and changes nothing', async () => {
      await get('/counter/increment?amount=3', { Accept: 'application/json' });
      const before = await readCount();
      const response = await post('/counter/reset', {}, { Origin: 'https://evil.example', Accept: 'application/json' });
      expect(response.status).to.equal(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_WEB_CROSS_SITE');
      expect(await readCount()).to.equal(before);
    });

    it('refuses a GET event with Sec-Fetch-Site: cross-site and changes nothing', async () => {
      const before = await readCount();
      const response = await get('/counter/increment?amount=7', { 'Sec-Fetch-Site': 'cross-site' });
      expect(response.status).to.equal(403);
      expect(await readCount()).to.equal(before);
    });

    it('accepts a same-origin request and one from a client that sends no Origin', async () => {
      expect((await post('/counter/reset', {}, { Origin: web.url, Accept: 'application/json' })).status).to.equal(200);
      expect((await post('/counter/reset', {}, { Accept: 'application/json' })).status).to.equal(200);
    });

    it('answers 413 to a body over the limit and changes nothing', async () => {
      const response = await post('/notes/write', { text: 'x'.repeat(70 * 1024) }, { Accept: 'application/json' });
      expect(response.status).to.equal(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_WEB_BODY_TOO_LARGE');
    });

    it('answers 400 to malformed JSON', async () => {
      const response = await post('/notes/write', '{"text": ', { Accept: 'application/json' });
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_WEB_BAD_BODY');
    });

    it('makes the same checks on Datastar requests, which are served outside Koa\'s cycle', async () => {
      const datastar = { 'Datastar-Request': 'true' };
      const codeOf = async (response: Response) => (signalsOf(parseSse(await response.text())[0]!) as { sm: { error: { code: string } } }).sm.error.code;
      const before = await readCount();
      const crossOrigin = await post('/counter/reset', {}, { ...datastar, Origin: 'https://evil.example' });
      expect([crossOrigin.status, await codeOf(crossOrigin)]).to.deep.equal([403, 'SM_WEB_CROSS_SITE']);
      const crossSite = await get('/counter/increment?amount=7', { ...datastar, 'Sec-Fetch-Site': 'cross-site' });
      expect([crossSite.status, await codeOf(crossSite)]).to.deep.equal([403, 'SM_WEB_CROSS_SITE']);
      const tooLarge = await post('/notes/write', { text: 'x'.repeat(70 * 1024) }, datastar);
      expect([tooLarge.status, await codeOf(tooLarge)]).to.deep.equal([413, 'SM_WEB_BODY_TOO_LARGE']);
      const malformed = await post('/notes/write', '{"text": ', datastar);
      expect([malformed.status, await codeOf(malformed)]).to.deep.equal([400, 'SM_WEB_BAD_BODY']);
      const badSignals = await get('/counter/increment?datastar=%7B', datastar);
      expect([badSignals.status, await codeOf(badSignals)]).to.deep.equal([400, 'SM_WEB_BAD_BODY']);
      expect(await readCount()).to.equal(before);
      // Every answer carries nosniff, and a request without a session cookie gets one.
      const fresh = await get('/counter/increment?amount=0', datastar);
      expect(fresh.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(fresh.headers.get('set-cookie')).to.match(/^sm\.sid=[^;]+; path=\/; samesite=lax; httponly$/);
      await fresh.text();
      // A HEAD never runs the event (it goes through Koa, which refuses it).
      const head = await fetch(`${web.url}/counter/increment?amount=5`, { method: 'HEAD', headers: datastar });
      expect(head.status).to.equal(405);
      expect(await readCount()).to.equal(before);
    });
  });

  describe('sessions', () => {
    it('sets a signed, httpOnly, SameSite=Lax cookie with a 128-bit random id', async () => {
      const response = await post('/notes/write', { text: 'hello' }, { Accept: 'application/json' });
      const cookie = response.headers.get('set-cookie') ?? '';
      expect(cookie).to.match(/^sm\.sid=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/);
      expect(cookie.toLowerCase()).to.include('httponly').and.include('samesite=lax');
    });

    it('keeps session entities apart, and a tampered cookie gets a fresh session', async () => {
      const first = await post('/notes/write', { text: 'mine' }, { Accept: 'application/json' });
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
      const mine = (await (await post('/notes/write', { text: 'still mine' }, { Accept: 'application/json', Cookie: cookie })).json()) as { entity: { id: string } };
      const other = (await (await post('/notes/write', { text: 'yours' }, { Accept: 'application/json' })).json()) as { entity: { id: string } };
      expect(mine.entity.id).to.not.equal(other.entity.id);
      const [name, value] = cookie.split('=');
      const tampered = `${name}=${value!.slice(0, -2)}xx`;
      const forged = await post('/notes/write', { text: 'forged' }, { Accept: 'application/json', Cookie: tampered });
      const forgedBody = (await forged.json()) as { entity: { id: string } };
      expect(forgedBody.entity.id).to.not.equal(mine.entity.id);
      expect(forged.headers.get('set-cookie')).to.match(/^sm\.sid=/);
    });
  });

  describe('live streams', () => {
    it('sends the whole state first with the version as id, then the patch of an increment made by another client', async () => {
      const live = await openLive(`${web.url}/counter/live`);
      const [first] = await live.waitFor(1);
      expect(first!.event).to.equal('datastar-merge-signals');
      const state = signalsOf(first!) as { Counter: { count: number; id: string } };
      expect(state.Counter.id).to.equal('global');
      await get('/counter/increment?amount=5', { Accept: 'application/json' });
      const events = await live.waitFor(2);
      expect(signalsOf(events[1]!)).to.deep.equal({ Counter: { count: state.Counter.count + 5 } });
      expect(Number(events[1]!.id)).to.equal(Number(first!.id) + 1);
      live.stop();
    });

    it('sends appended fragments to live subscribers', async () => {
      const live = await openLive(`${web.url}/board/live`);
      await live.waitFor(1);
      await post('/board/add', { item: 'second' }, { Accept: 'application/json' });
      const events = await live.waitFor(3);
      expect(events.some((item) => item.event === 'datastar-merge-fragments' && item.data.includes('fragments <li>second</li>'))).to.equal(true);
      live.stop();
    });

    it('skips the whole state for a client that reconnects at the current version, and resends it for an older one', async () => {
      const probe = await openLive(`${web.url}/counter/live`);
      const [first] = await probe.waitFor(1);
      probe.stop();
      const current = await openLive(`${web.url}/counter/live`, { 'Last-Event-ID': first!.id! });
      await get('/counter/increment', { Accept: 'application/json' });
      const [patch] = await current.waitFor(1);
      expect(Number(patch!.id)).to.equal(Number(first!.id) + 1);
      expect(Object.keys((signalsOf(patch!) as { Counter: object }).Counter)).to.deep.equal(['count']);
      current.stop();
      const stale = await openLive(`${web.url}/counter/live`, { 'Last-Event-ID': String(Number(first!.id) - 1) });
      const [whole] = await stale.waitFor(1);
      expect(signalsOf(whole!)).to.have.nested.property('Counter.id', 'global');
      stale.stop();
    });

    it('sends keep-alive comments', async () => {
      const text = await new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(web.url).port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => { received += chunk.toString(); });
        socket.write('GET /counter/live HTTP/1.1\r\nHost: localhost\r\nDatastar-Request: true\r\n\r\n');
        setTimeout(() => { socket.destroy(); resolve(received); }, 400);
      });
      expect(text).to.include(': keep-alive');
    });

    it('drops a subscriber that stops reading instead of buffering without bound', async () => {
      const socket = connect(Number(new URL(web.url).port), '127.0.0.1');
      socket.pause();
      socket.write('GET /big/live HTTP/1.1\r\nHost: localhost\r\nDatastar-Request: true\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(web.web.live.size).to.be.greaterThan(0);
      for (let index = 0; index < 60 && web.web.live.size > 0; index++) await get('/big/grow', { Accept: 'application/json' });
      expect(web.web.live.size).to.equal(0);
      socket.destroy();
    });

    it('is closed cleanly when the app shuts down', async () => {
      const other = await startWebApp([Counter], {});
      const response = await fetch(`${other.url}/counter/live`, { headers: { 'Datastar-Request': 'true' } });
      const reading = response.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await other.close();
      const text = await reading;
      expect(parseSse(text)[0]?.event).to.equal('datastar-merge-signals');
    });
  });

  describe('the v1 dialect', () => {
    it('writes datastar-patch-signals when the config chooses v1', async () => {
      const v1 = await startWebApp([Counter], {}, { datastar: { dialect: 'v1' } });
      try {
        const events = parseSse(await (await fetch(`${v1.url}/counter/increment`, { headers: { 'Datastar-Request': 'true' } })).text());
        expect(events[0]?.event).to.equal('datastar-patch-signals');
      } finally {
        await v1.close();
      }
    });
  });
});
