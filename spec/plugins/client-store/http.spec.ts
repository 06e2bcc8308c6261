/**
 * Client stores over HTTP, as a browser (or a script) talks to them: the first render, signed
 * round trips, forged and replayed states refused with nothing changed.
 */
import { expect } from 'chai';
import clientStorePlugin, { ClientEntity, StateSigner } from '../../../plugins/client-store/index.js';
import { event, html, z } from '../../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js';
import koaPlugin, { type PageContext } from '../../../plugins/koa/index.js';
import { parseSse, signalsOf } from '../../support/web-app.js';

class Settings extends ClientEntity {
  static override store = 'client-local';
  static override replayProtection = true;
  theme = 'light';
  count = 0;
  @event() bump() {
    this.count++;
  }
  @event({ method: 'post', args: { theme: z.enum(['light', 'dark']) } })
  setTheme(theme: string) {
    this.theme = theme;
  }
}

class Draft extends ClientEntity {
  static override store = 'client-session';
  text = '';
  @event({ method: 'post' }) write(text = '') {
    this.text = text;
  }
}

type State = Record<string, unknown>;

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('client-store over HTTP', function () {
  let app: TestKernel;
  const web = { url: '' };

  // Plugin factories rather than createApp's plugins by path: mocha loads specs through require,
  // and a plugin imported by path would get a second copy of the kernel (and of currentDispatch).
  before(async () => {
    const page = async (ctx: PageContext) => html`<!doctype html><body>${await ctx.load(Settings)}${await ctx.load(Draft)}</body>`;
    app = await createTestKernel({
      secret: 'spec-secret-client-store-http', entities: [Settings, Draft],
      plugins: { '@starmodel/koa': koaPlugin({ port: 0, host: '127.0.0.1', pages: { '/settings': page } }), '@starmodel/client-store': clientStorePlugin({}) },
    });
    web.url = app.kernel.service('web')?.url() ?? '';
  });
  after(() => app?.close());

  /** The element a page renders for a namespace: its declared signals and its persistence attribute. */
  async function rendered(namespace: string): Promise<{ state: State; persist: string; pattern: string }> {
    const page = await (await fetch(`${web.url}/settings`)).text();
    const match = new RegExp(`<div id="${namespace}" data-signals__ifmissing="([^"]*)" (data-persist[\\w-]*)="([^"]*)">`).exec(page);
    if (!match) throw new Error(`no persisted element for ${namespace} in:\n${page}`);
    const signals = JSON.parse(unescape(match[1]!)) as Record<string, State>;
    return { state: signals[namespace]!, persist: match[2]!, pattern: match[3]! };
  }

  /** Sends an event with the browser's signals; JSON answers. */
  async function send(path: string, namespace: string, state: State, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; body: Record<string, any> }> {
    const signals = JSON.stringify({ [namespace]: state });
    const url = method === 'GET' ? `${web.url}${path}${path.includes('?') ? '&' : '?'}datastar=${encodeURIComponent(signals)}` : `${web.url}${path}`;
    const response = await fetch(url, { method, headers: { accept: 'application/json', 'content-type': 'application/json' }, ...(method === 'POST' ? { body: signals } : {}) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  /** The signals a browser holds after applying an answer's whole signals. */
  const held = (answer: { body: Record<string, any> }): State => answer.body.entity.signals as State;

  it('renders the first state unsigned, under a fresh id, with the persistence attribute of its storage', async () => {
    const first = await rendered('Settings');
    const second = await rendered('Settings');
    expect(first.state).to.include({ theme: 'light', count: 0, sig: '' });
    expect(first.state.id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(second.state.id, 'each render starts a new browser state: nothing is kept per session').to.not.equal(first.state.id);
    expect(first.persist).to.equal('data-persist');
    expect(first.pattern.split(' ')).to.include('Settings.**');
    const draft = await rendered('Draft');
    expect(draft.persist).to.equal('data-persist__session');
    expect(draft.pattern.split(' ')).to.include('Draft.**').and.not.include('Settings.**');
  });

  it('answers a Datastar event with the changed field and a new signature, and keeps nothing on the server', async () => {
    const { state } = await rendered('Settings');
    const response = await fetch(`${web.url}/settings/bump?datastar=${encodeURIComponent(JSON.stringify({ Settings: state }))}`, { headers: { 'Datastar-Request': 'true' } });
    expect(response.status).to.equal(200);
    const patch = signalsOf(parseSse(await response.text())[0]!) as { Settings: State };
    expect(patch.Settings.count).to.equal(1);
    expect(patch.Settings.sig, '<version>.<signed at>.<mac>').to.match(/^1\.[1-9][0-9]*\.[A-Za-z0-9_-]{43}$/);
    // Another browser (another rendered state) starts from the defaults: the first one's count is nowhere on the server.
    const other = await rendered('Settings');
    const answer = await send('/settings/bump', 'Settings', other.state);
    expect(held(answer).count).to.equal(1);
  });

  it('accepts the state it signed, event after event, without any cookie', async () => {
    const { state } = await rendered('Settings');
    const one = await send('/settings/bump', 'Settings', state);
    const two = await send('/settings/bump', 'Settings', held(one));
    const three = await send('/settings/setTheme?theme=dark', 'Settings', held(two), 'POST');
    expect(three.status).to.equal(200);
    expect(held(three)).to.include({ count: 2, theme: 'dark', id: state.id });
    expect(three.body.entity.version).to.equal(3);
    expect(held(three).sig).to.match(/^3\./);
  });

  describe('refuses a state that was not signed as it is, with 400 and nothing changed', () => {
    let genuine: State;
    beforeEach(async () => {
      genuine = held(await send('/settings/bump', 'Settings', (await rendered('Settings')).state));
    });

    const refusals: [string, (state: State) => State, RegExp][] = [
      ['a field changed by hand', (state) => ({ ...state, count: 99 }), /does not match its signature/],
      ['the signature removed from a changed state', (state) => ({ ...state, sig: '' }), /changed values but no signature/],
      ['a malformed signature', (state) => ({ ...state, sig: 'forged' }), /malformed signature/],
      ['another id under the same signature', (state) => ({ ...state, id: 'AAAAAAAAAAAAAAAAAAAAAA' }), /does not match its signature/],
      ['a signature made with another secret', (state) => ({ ...state, sig: new StateSigner('not-the-app-secret').sign({ type: 'Settings', id: String(state.id), version: 1, fields: { theme: state.theme, count: state.count } }) }), /does not match its signature/],
      ['an id that is not a client state id', (state) => ({ ...state, id: '../../etc' }), /has no valid id/],
    ];
    for (const [what, forge, reason] of refusals) {
      it(`refuses ${what}`, async () => {
        const answer = await send('/settings/bump', 'Settings', forge(genuine));
        expect(answer.status).to.equal(400);
        expect(answer.body.error.code).to.equal('SM_CLIENT_STATE_FORGED');
        expect(answer.body.error.fields.sig).to.match(reason);
        // Nothing changed: the genuine state is still the newest one, accepted as version 1.
        const next = await send('/settings/bump', 'Settings', genuine);
        expect(next.status).to.equal(200);
        expect(held(next).count).to.equal(2);
        expect(next.body.entity.version).to.equal(2);
      });
    }

    it('refuses it in a Datastar response too: only the error signals, no field and no signature', async () => {
      const forged = { ...genuine, theme: 'dark' };
      const response = await fetch(`${web.url}/settings/bump?datastar=${encodeURIComponent(JSON.stringify({ Settings: forged }))}`, { headers: { 'Datastar-Request': 'true' } });
      expect(response.status).to.equal(400);
      const events = parseSse(await response.text());
      expect(events).to.have.length(1);
      const signals = signalsOf(events[0]!) as { sm: { error: { code: string } }; Settings: State };
      expect(signals.sm.error.code).to.equal('SM_CLIENT_STATE_FORGED');
      expect(Object.keys(signals.Settings)).to.deep.equal(['errors']);
      expect((signals.Settings.errors as State).sig).to.match(/does not match its signature/);
    });
  });

  it('with replayProtection refuses an older signed state once a newer one was signed', async () => {
    const first = held(await send('/settings/bump', 'Settings', (await rendered('Settings')).state));
    const second = held(await send('/settings/bump', 'Settings', first));
    const replay = await send('/settings/bump', 'Settings', first);
    expect(replay.status).to.equal(409);
    expect(replay.body.error.code).to.equal('SM_CLIENT_STATE_STALE');
    expect(replay.body.error.fields.sig).to.match(/version 1, older than version 2/);
    const current = await send('/settings/bump', 'Settings', second);
    expect(held(current).count).to.equal(3);
  });

  it('without replayProtection accepts an older signed state again (documented limit)', async () => {
    const { state } = await rendered('Draft');
    const first = held(await send('/draft/write', 'Draft', { ...state, text: '' }, 'POST'));
    await send('/draft/write?text=newer', 'Draft', first, 'POST');
    const again = await send('/draft/write?text=forked', 'Draft', first, 'POST');
    expect(again.status).to.equal(200);
    expect(held(again).text).to.equal('forked');
  });

  it('serves no live stream for a client entity: the server has no state to stream', async () => {
    const response = await fetch(`${web.url}/settings/live`, { headers: { accept: 'application/json' } });
    expect(response.status).to.equal(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_WEB_NOT_FOUND');
  });
});
