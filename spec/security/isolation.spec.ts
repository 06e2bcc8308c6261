/**
 * Isolation between users: several simulated browsers (separate cookie jars) against the sandbox
 * in-process. No session-scoped entity, user-scoped entity or live stream shows one user another's
 * state; session ids are random 128-bit values; a tampered or swapped cookie signature gets a new,
 * empty session.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { Entity, event } from '../../kernel/index.js';
import { ACCEPT_MODES, snapshotStore, startSandbox, type SandboxApp } from '../support/fuzz.js';
import { openLive, signalsOf, startWebApp, type SseEvent, type WebApp } from '../support/web-app.js';

/** One simulated browser: its own cookie jar holding the session cookie. */
class Browser {
  cookie = '';
  constructor(private readonly base: string, private readonly extraHeaders: Record<string, string> = {}) {}

  /** The session id in the cookie (the part before the signature). */
  get sessionId(): string {
    const value = this.cookie.slice(this.cookie.indexOf('=') + 1);
    return value.slice(0, value.lastIndexOf('.'));
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(this.base + path, {
      ...init, redirect: 'manual',
      headers: { ...ACCEPT_MODES.json, ...this.extraHeaders, ...(this.cookie ? { Cookie: this.cookie } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return response;
  }

  async json<T = { entity: { signals: Record<string, unknown> } }>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.request(path, init);
    expect(response.status, `${path}: ${response.status}`).to.equal(200);
    return (await response.json()) as T;
  }

  live(path: string) {
    return openLive(this.base + path, { ...this.extraHeaders, Cookie: this.cookie });
  }
}

const countOf = (body: { entity: { signals: Record<string, unknown> } }) => body.entity.signals.count;
const allSignals = (events: SseEvent[]) => events.filter((event) => event.event === 'datastar-merge-signals').map(signalsOf);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('security: isolation between sessions and users', function () {
  this.timeout(30_000);

  describe('sessions (sandbox)', () => {
    let sandbox: SandboxApp;
    before(async () => {
      sandbox = await startSandbox();
    });
    after(() => sandbox.close());

    it('keeps SessionCounter and Dashboard apart for three users in separate cookie jars', async () => {
      const [alice, bob, carol] = [new Browser(sandbox.url), new Browser(sandbox.url), new Browser(sandbox.url)];
      await alice.json('/sessioncounter/increment?amount=1');
      await bob.json('/sessioncounter/increment?amount=2');
      await bob.json('/sessioncounter/increment?amount=2');
      await carol.request('/');
      expect(countOf(await alice.json('/sessioncounter/increment?amount=0'))).to.equal(1);
      expect(countOf(await bob.json('/sessioncounter/increment?amount=0'))).to.equal(4);
      expect(countOf(await carol.json('/sessioncounter/increment?amount=0'))).to.equal(0);

      await alice.json('/dashboard/run?steps=1');
      const dashboards = (await snapshotStore(sandbox.app)).Dashboard!;
      expect(Object.keys(dashboards), 'only Alice ran a report').to.deep.equal([alice.sessionId]);
      expect((dashboards[alice.sessionId] as { state: { runs: number; status: string } }).state).to.include({ runs: 1, status: 'done' });
      const bobsBoard = await bob.live('/dashboard/live');
      try {
        const [first] = await bobsBoard.waitFor(1);
        expect((signalsOf(first!).Dashboard as { runs: number }).runs, 'Bob sees his own, untouched dashboard').to.equal(0);
      } finally {
        bobsBoard.stop();
      }
    });

    it('never delivers another session\'s changes on a /live stream (SessionCounter and Dashboard)', async () => {
      const [alice, bob] = [new Browser(sandbox.url), new Browser(sandbox.url)];
      await alice.request('/');
      await bob.request('/');
      const aliceCounter = await alice.live('/sessioncounter/live');
      const aliceBoard = await alice.live('/dashboard/live');
      try {
        await aliceCounter.waitFor(1);
        await aliceBoard.waitFor(1);
        for (let index = 0; index < 3; index++) await bob.json('/sessioncounter/increment?amount=1000');
        await bob.json('/dashboard/run?steps=2');
        await alice.json('/sessioncounter/increment?amount=1');
        const events = await aliceCounter.waitFor(2);
        await pause(150);
        const counts = allSignals(events).map((signals) => (signals.SessionCounter as { count?: number }).count);
        expect(counts, 'Alice\'s stream: her whole state, then her own +1, nothing of Bob\'s').to.deep.equal([0, 1]);
        expect(aliceBoard.events, 'Alice\'s dashboard stream carries only its first state').to.have.length(1);
      } finally {
        aliceCounter.stop();
        aliceBoard.stop();
      }
    });

    it('issues session ids of 128 random bits (base64url, 22 characters), all distinct over 1,000 sessions', async () => {
      const ids: string[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${sandbox.url}/`)));
        for (const answer of answers) {
          const set = answer.headers.get('set-cookie') ?? '';
          expect(set, 'cookie flags').to.match(/; path=\/; samesite=lax; httponly$/i);
          const value = set.split(';')[0]!.slice('sm.sid='.length);
          ids.push(value.slice(0, value.lastIndexOf('.')));
          await answer.arrayBuffer();
        }
      }
      expect(ids).to.have.length(1000);
      expect(new Set(ids).size, 'distinct ids').to.equal(1000);
      for (const id of ids) {
        expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
        expect(Buffer.from(id, 'base64url')).to.have.length(16);
      }
      // Every one of the 128 bits is set in about half of the ids (a fixed or counter-like bit is not).
      for (let bit = 0; bit < 128; bit++) {
        const ones = ids.filter((id) => (Buffer.from(id, 'base64url')[bit >> 3]! >> (7 - (bit & 7))) & 1).length;
        expect(ones, `bit ${bit} is set in ${ones} of 1000 ids`).to.be.within(380, 620);
      }
    });

    it('rejects a tampered, swapped or foreign cookie signature: a new session is issued and the old state stays hidden', async () => {
      const alice = new Browser(sandbox.url);
      const bob = new Browser(sandbox.url);
      await alice.json('/sessioncounter/increment?amount=5');
      await bob.json('/sessioncounter/increment?amount=9');
      const [aliceId, aliceSig] = [alice.sessionId, alice.cookie.slice(alice.cookie.lastIndexOf('.') + 1)];
      const bobSig = bob.cookie.slice(bob.cookie.lastIndexOf('.') + 1);
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const foreign = createHmac('sha256', 'another-secret-of-enough-length').update(aliceId).digest('base64url');
      const forged = {
        'a changed id': `${flip(aliceId, 3)}.${aliceSig}`,
        'a changed signature': `${aliceId}.${flip(aliceSig, 10)}`,
        'Bob\'s signature on Alice\'s id': `${aliceId}.${bobSig}`,
        'no signature': aliceId,
        'an empty signature': `${aliceId}.`,
        'a signature from another secret': `${aliceId}.${foreign}`,
        'a truncated signature': `${aliceId}.${aliceSig.slice(0, -1)}`,
        'an extra part': `${aliceId}.${aliceSig}.x`,
        'the raw id as the signature': `${aliceId}.${aliceId}`,
      };
      for (const [what, value] of Object.entries(forged)) {
        const mallory = new Browser(sandbox.url);
        mallory.cookie = `sm.sid=${value}`;
        const body = await mallory.json('/sessioncounter/increment?amount=0');
        expect(countOf(body), `${what}: Alice's count must stay hidden`).to.equal(0);
        expect(mallory.sessionId, `${what}: a new session id is issued`).to.have.length(22).and.not.equal(aliceId);
        expect(mallory.cookie, `${what}: a new cookie was set`).not.to.equal(`sm.sid=${value}`);
      }
      expect(countOf(await alice.json('/sessioncounter/increment?amount=0')), 'Alice still has her count').to.equal(5);
      expect(countOf(await bob.json('/sessioncounter/increment?amount=0')), 'Bob still has his count').to.equal(9);
    });
  });

  describe('user scope (an in-process app with a resolver that reads a test header)', () => {
    /** A wallet per signed-in user, whatever browser session they use. */
    class Wallet extends Entity {
      static override scope = 'user' as const;
      balance = 0;
      @event() deposit(amount = 1) {
        this.balance += amount;
      }
    }
    let web: WebApp;
    before(async () => {
      web = await startWebApp([Wallet]);
      // The minimal resolver an auth plugin would install: a user from a header, for this spec only.
      web.web.addResolver((ctx, state) => {
        const user = ctx.get('x-spec-user');
        if (user) state.user = { id: user };
      });
    });
    after(() => web.close());

    const balanceOf = (body: { entity: { signals: Record<string, unknown> } }) => body.entity.signals.balance;

    it('refuses a user-scoped event, and its live stream, with 401 SM_SCOPE_NO_USER when nobody is signed in, storing nothing', async () => {
      const anonymous = new Browser(web.url);
      const response = await anonymous.request('/wallet/deposit?amount=3');
      expect(response.status).to.equal(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_SCOPE_NO_USER');
      const live = await anonymous.request('/wallet/live');
      expect(live.status).to.equal(401);
      expect(((await live.json()) as { error: { code: string } }).error.code).to.equal('SM_SCOPE_NO_USER');
      const meta = web.app.kernel.registry.get(Wallet);
      expect((await web.app.kernel.storeFor(meta).find(meta, {})).total).to.equal(0);
    });

    it('keys a user-scoped entity on the user: the same user in two sessions shares it, another user never sees it', async () => {
      const aliceLaptop = new Browser(web.url, { 'x-spec-user': 'alice' });
      const alicePhone = new Browser(web.url, { 'x-spec-user': 'alice' });
      const bob = new Browser(web.url, { 'x-spec-user': 'bob' });
      await aliceLaptop.json('/wallet/deposit?amount=5');
      await bob.json('/wallet/deposit?amount=7');
      expect(balanceOf(await alicePhone.json('/wallet/deposit?amount=0')), 'Alice in another session').to.equal(5);
      expect(aliceLaptop.sessionId).not.to.equal(alicePhone.sessionId);
      expect(balanceOf(await bob.json('/wallet/deposit?amount=0'))).to.equal(7);
      // A user id that looks like a prototype key or a path is just an id.
      const odd = new Browser(web.url, { 'x-spec-user': '__proto__' });
      expect(balanceOf(await odd.json('/wallet/deposit?amount=2'))).to.equal(2);
      expect(balanceOf(await new Browser(web.url, { 'x-spec-user': 'constructor' }).json('/wallet/deposit?amount=0'))).to.equal(0);
    });

    it('never delivers another user\'s wallet changes on a user\'s live stream', async () => {
      const carol = new Browser(web.url, { 'x-spec-user': 'carol' });
      const dave = new Browser(web.url, { 'x-spec-user': 'dave' });
      await carol.request('/wallet/deposit?amount=0');
      const stream = await carol.live('/wallet/live');
      try {
        await stream.waitFor(1);
        await dave.json('/wallet/deposit?amount=1000');
        await carol.json('/wallet/deposit?amount=1');
        const events = await stream.waitFor(2);
        await pause(150);
        const balances = allSignals(events).map((signals) => (signals.Wallet as { balance?: number }).balance);
        expect(balances).to.deep.equal([0, 1]);
      } finally {
        stream.stop();
      }
    });
  });
});
