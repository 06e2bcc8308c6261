/**
 * Forms, validate-only requests, feedback from events and live lists, over HTTP against the web
 * plugin: what a page's form sends (`SM-Form`, `$sm.forms.<key>`) and what it gets back.
 */
import { expect } from 'chai';
import { Entity, domId, event, field, html, z } from '../../../kernel/index.js';
import { openLive, parseSse, signalsOf, startWebApp, type SseEvent, type WebApp } from '../../support/web-app.js';

class Note extends Entity {
  static override scope = 'record' as const;
  @field(z.string().trim().min(1, 'Write a title').max(40, 'At most 40 characters')) title = '';
  @field(z.number().int().min(0, 'Not below zero')) rank = 0;
  likes = 0;
  @event({ method: 'post', args: { by: z.number().int('A whole number').min(1, 'At least 1') } })
  like(by: number) {
    if (this.likes + by > 10) throw Object.assign(new Error('x'), {});
    this.likes += by;
  }
  render() { return html`<li id="${domId(this)}">${this.title} (${this.rank})</li>`; }
}

class Shop extends Entity {
  static override scope = 'global' as const;
  orders = 0;
  @event({ method: 'post' }) checkout(to = '/orders') {
    this.orders++;
    this.toast.success(`Order ${this.orders} placed </script><b>`);
    this.redirect(to);
  }
  @event({ method: 'post' }) greet() {
    this.runScript('document.title = "hello\\nworld"');
    this.toast.info('line one\nline two');
  }
  @event({ method: 'post' }) escape(to = '') { this.redirect(to); }
  @event({ method: 'post' }) shout(text = '') { this.toast.error(text); }
  @event({ method: 'post' }) later(text = '') {
    this.toast.info('never sent');
    if (text === 'fail') throw new Error('failed after a toast');
  }
}

const DATASTAR = { 'Datastar-Request': 'true', 'Content-Type': 'application/json' };
const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };

/** Every signals patch of an SSE answer, merged in order (shallow per top-level key is enough here). */
function patches(events: SseEvent[]): Record<string, unknown>[] {
  return events.filter((item) => item.event === 'datastar-merge-signals').map(signalsOf);
}

describe('forms, validate-only and feedback over HTTP', function () {
  let web: WebApp;
  before(async () => {
    web = await startWebApp([Note, Shop]);
  });
  after(() => web.close());

  const send = (path: string, signals: unknown, headers: Record<string, string> = {}) => fetch(`${web.url}${path}`, { method: 'POST', headers: { ...DATASTAR, ...headers }, body: JSON.stringify(signals) });
  const total = async () => ((await (await fetch(`${web.url}/note`, { headers: JSON_HEADERS })).json()) as { total: number }).total;

  describe('a form request (SM-Form)', () => {
    it('reads the arguments from the form only, resets its inputs and clears its messages after a success', async () => {
      // The entity's own namespace holds an older record's title: the form's values must win.
      const signals = { Note: { title: 'stale' }, sm: { forms: { note_create: { values: { title: 'From the form', rank: '2' }, initial: { title: '', rank: '0' }, errors: { title: 'old message' } } } } };
      const response = await send('/note/create', signals, { 'SM-Form': 'note_create' });
      expect(response.status).to.equal(200);
      const all = patches(parseSse(await response.text()));
      const reset = all.find((patch) => (patch.sm as { forms?: unknown } | undefined)?.forms);
      expect(reset, JSON.stringify(all)).to.deep.equal({ sm: { error: { code: '', message: '' }, forms: { note_create: { values: { title: '', rank: '0' }, errors: { title: '', rank: '', likes: '' } } } } });
      const list = (await (await fetch(`${web.url}/note?title=From%20the%20form`, { headers: JSON_HEADERS })).json()) as { items: { rank: number }[] };
      expect(list.items.map((item) => item.rank)).to.deep.equal([2]);
    });

    it('puts each message in the form beside its input, with no page-level message, and stores nothing', async () => {
      const before = await total();
      const response = await send('/note/create', { sm: { forms: { note_create: { values: { title: ' ', rank: '-1' } } } } }, { 'SM-Form': 'note_create' });
      expect(response.status).to.equal(400);
      const [patch] = patches(parseSse(await response.text()));
      expect(patch).to.deep.equal({ sm: { error: { code: 'SM_VALIDATION_FAILED', message: '' }, forms: { note_create: { errors: { title: 'Write a title', rank: 'Not below zero', likes: '' } } } } });
      expect(await total()).to.equal(before);
    });

    it('keeps a page-level message for an error no input shows, and never names an internal entity there', async () => {
      const note = (await (await fetch(`${web.url}/note/create`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ title: 'Liked' }) })).json()) as { entity: { id: string } };
      const response = await send(`/note/${note.entity.id}/like`, { sm: { forms: { liker: { values: { by: 20 } } } } }, { 'SM-Form': 'liker' });
      expect(response.status).to.equal(500);
      const [patch] = patches(parseSse(await response.text()));
      const sm = patch!.sm as { error: { code: string; message: string }; forms: Record<string, { errors: Record<string, string> }> };
      expect(sm.error.code).to.equal('SM_EVENT_FAILED');
      expect(sm.error.message).to.equal('Something went wrong on the server. It has been logged.');
      expect(sm.forms.liker!.errors).to.deep.equal({ by: '' });
    });

    it('ignores a malformed form key and answers as for any Datastar request', async () => {
      const response = await send('/note/create', { title: '' }, { 'SM-Form': '__proto__' });
      expect(response.status).to.equal(400);
      const [patch] = patches(parseSse(await response.text()));
      expect(patch).to.have.property('Note');
      expect((patch!.sm as { error: { message: string } }).error.message).to.match(/Some values are not valid/);
    });
  });

  describe('validate-only (SM-Validate)', () => {
    it('patches the messages of the named inputs in the form, without running or saving anything', async () => {
      const before = await total();
      const response = await send('/note/create', { sm: { forms: { note_create: { values: { title: '', rank: '3' } } } } }, { 'SM-Form': 'note_create', 'SM-Validate': 'title' });
      expect(response.status).to.equal(200);
      const events = parseSse(await response.text());
      expect(events).to.have.length(1);
      expect(signalsOf(events[0]!)).to.deep.equal({ sm: { forms: { note_create: { errors: { title: 'Write a title' } } } } });
      const fine = await send('/note/create', { sm: { forms: { note_create: { values: { title: 'Fine' } } } } }, { 'SM-Form': 'note_create', 'SM-Validate': 'title' });
      expect(signalsOf(parseSse(await fine.text())[0]!)).to.deep.equal({ sm: { forms: { note_create: { errors: { title: '' } } } } });
      expect(await total()).to.equal(before);
    });

    it('checks what a create would save: a field left out is checked with its default', async () => {
      const response = await fetch(`${web.url}/note/create`, { method: 'POST', headers: { ...JSON_HEADERS, 'SM-Validate': 'true' }, body: JSON.stringify({ rank: 'x' }) });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ valid: false, errors: { title: 'Write a title', rank: 'Expected a number' } });
      const valid = await fetch(`${web.url}/note/create`, { method: 'POST', headers: { ...JSON_HEADERS, 'SM-Validate': 'true' }, body: JSON.stringify({ title: 'ok' }) });
      expect(await valid.json()).to.deep.equal({ valid: true, errors: {} });
    });

    it("checks an event's arguments on a record without loading it, and patches the entity's errors without a form", async () => {
      const response = await send('/note/no-such-id/like', { by: 0 }, { 'SM-Validate': 'true' });
      expect(response.status).to.equal(200);
      expect(signalsOf(parseSse(await response.text())[0]!)).to.deep.equal({ Note: { errors: { by: 'At least 1' } } });
    });

    it('runs nothing on a global entity either', async () => {
      const before = (await web.app.kernel.load(Shop)).orders;
      const answer = (await (await fetch(`${web.url}/shop/checkout`, { method: 'POST', headers: { ...JSON_HEADERS, 'SM-Validate': 'true' }, body: '{}' })).json()) as { valid: boolean };
      expect(answer).to.deep.equal({ valid: true, errors: {} });
      expect((await web.app.kernel.load(Shop)).orders).to.equal(before);
    });
  });

  describe('feedback from events', () => {
    it('sends a toast (as a signal) and a redirect (as a script) in Datastar mode, escaped', async () => {
      const response = await send('/shop/checkout', {});
      expect(response.status).to.equal(200);
      const text = await response.text();
      const events = parseSse(text);
      const toast = patches(events).find((patch) => (patch.sm as { toast?: unknown } | undefined)?.toast);
      expect((toast!.sm as { toast: { kind: string; text: string } }).toast).to.include({ kind: 'success', text: 'Order 1 placed </script><b>' });
      const script = events.find((item) => item.event === 'datastar-execute-script');
      expect(script!.data).to.deep.equal(['script window.location.assign("/orders")']);
      // The redirect comes after everything else the answer carries.
      expect(events.at(-1)).to.equal(script);
      // The toast's text travels as JSON in a signal and is shown with data-text: never parsed as markup.
      expect(script!.data.join('\n')).to.not.include('<b>');
      expect(text.split('\n').filter((line) => line.startsWith('data: ')).every((line) => !line.slice(6).includes('\r'))).to.equal(true);
    });

    it('gives JSON clients the same feedback as fields', async () => {
      const response = await fetch(`${web.url}/shop/checkout?to=/orders/7`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
      const body = (await response.json()) as { feedback: unknown };
      expect(body.feedback).to.deep.equal({ redirect: '/orders/7', toasts: [{ kind: 'success', text: 'Order 2 placed </script><b>' }] });
    });

    it('follows the redirect for a plain form post (303)', async () => {
      const response = await fetch(`${web.url}/shop/checkout?to=/thanks`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
      expect(response.status).to.equal(303);
      expect(response.headers.get('location')).to.equal('/thanks');
    });

    it('keeps every line of a script and a toast on its own SSE data line', async () => {
      const events = parseSse(await (await send('/shop/greet', {})).text());
      const script = events.find((item) => item.event === 'datastar-execute-script')!;
      expect(script.data).to.deep.equal(['script document.title = "hello\\nworld"']);
      const toast = patches(events).find((patch) => (patch.sm as { toast?: unknown } | undefined)?.toast)!;
      expect((toast.sm as { toast: { text: string } }).toast.text).to.equal('line one\nline two');
    });

    it('refuses a redirect to another site or a blank toast with SM_FEEDBACK_INVALID, changing nothing', async () => {
      for (const to of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', ' /x']) {
        const response = await fetch(`${web.url}/shop/escape?to=${encodeURIComponent(to)}`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
        expect(response.status, to).to.equal(500);
        expect(((await response.json()) as { error: { code: string } }).error.code, to).to.equal('SM_FEEDBACK_INVALID');
      }
      const blank = await fetch(`${web.url}/shop/shout?text=%20`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
      expect(((await blank.json()) as { error: { code: string } }).error.code).to.equal('SM_FEEDBACK_INVALID');
    });

    it('sends no feedback when the event fails after asking for it', async () => {
      const response = await send('/shop/later?text=fail', {});
      expect(response.status).to.equal(500);
      expect(await response.text()).to.not.include('never sent');
    });
  });

  describe('a live list', () => {
    it('keeps its order and page size while records arrive and leave, and its count follows', async () => {
      const live = await openLive(`${web.url}/note/live?sm.list=top-notes&sm.tag=ol&orderBy=rank:desc&limit=2&where=1`.replace('&where=1', ''));
      try {
        const create = async (title: string, rank: number) => ((await (await fetch(`${web.url}/note/create`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ title, rank }) })).json()) as { entity: { id: string } }).entity.id;
        const lastList = () => [...live.events].reverse().find((item) => item.event === 'datastar-merge-fragments');
        const lastTotal = () => {
          const patch = [...live.events].reverse().find((item) => item.event === 'datastar-merge-signals');
          return patch ? ((signalsOf(patch).sm as { lists: Record<string, { total: number }> }).lists['top_notes']!.total) : undefined;
        };
        const before = (await (await fetch(`${web.url}/note`, { headers: JSON_HEADERS })).json()) as { total: number };
        await live.waitFor(2);
        const low = await create('Low', 1);
        const high = await create('High', 90);
        await create('Middle', 50);
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && lastTotal() !== before.total + 3) await new Promise((resolve) => setTimeout(resolve, 20));
        const fragments = lastList()!.data.join('\n');
        expect(fragments).to.match(/^fragments <ol id="top-notes">/);
        expect([...fragments.matchAll(/>([A-Za-z]+) \(\d+\)</g)].map((match) => match[1])).to.deep.equal(['High', 'Middle']);
        expect(lastTotal()).to.equal(before.total + 3);

        await fetch(`${web.url}/note/${high}/delete`, { method: 'DELETE', headers: JSON_HEADERS });
        const gone = Date.now() + 5000;
        while (Date.now() < gone && lastTotal() !== before.total + 2) await new Promise((resolve) => setTimeout(resolve, 20));
        expect([...lastList()!.data.join('\n').matchAll(/>([A-Za-z]+) \(\d+\)</g)].map((match) => match[1]).slice(0, 1)).to.deep.equal(['Middle']);
        expect(lastTotal()).to.equal(before.total + 2);
        expect(low).to.be.a('string');
      } finally {
        live.stop();
      }
    });

    it('refuses a list id that is not a plain id, and an unknown field to order by', async () => {
      expect((await fetch(`${web.url}/note/live?sm.list=${encodeURIComponent('x"><script>')}`, { headers: JSON_HEADERS })).status).to.equal(400);
      expect((await fetch(`${web.url}/note/live?sm.list=ok&orderBy=secret`, { headers: JSON_HEADERS })).status).to.equal(400);
    });
  });
});
