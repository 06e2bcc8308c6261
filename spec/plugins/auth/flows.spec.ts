/**
 * The auth plugin's main flows over real HTTP, once with users and sessions in memory and once in
 * SQLite through the SQL plugin: sign-up, sign-in, `user`-scoped events, admin-only events, one
 * user's data out of another's reach (events and live streams), the sign-in limit, and the
 * session cookie changing at sign-in.
 */
import { expect } from 'chai';
import { Entity, event } from '../../../kernel/index.js';
import { openLive, signalsOf as sseSignals } from '../../support/web-app.js';
import { PASSWORD, startAuthApp, uniqueEmail, type AuthApp, type UserStoreKind } from './support.js';

/** A note of one's own: keyed on the signed-in user. */
class Note extends Entity {
  static override scope = 'user' as const;
  text = '';
  @event({ method: 'post' }) write(text: string) { this.text = text; }
}

/** A shared board anyone may read, signed-in users may bump, and only admins may reset. */
class Board extends Entity {
  static override scope = 'global' as const;
  static override access = { read: 'anyone', write: 'user' };
  count = 0;
  @event({ method: 'post' }) bump() { this.count++; }
  @event({ method: 'post', auth: 'admin' }) reset() { this.count = 0; }
}

const ADMIN = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin' };

for (const store of ['memory', 'sql'] as UserStoreKind[]) {
  describe(`auth flows (users and sessions in ${store === 'sql' ? 'SQLite via the SQL plugin' : 'memory'})`, function () {
    let app: AuthApp;
    before(async () => {
      app = await startAuthApp([Note, Board], store);
    });
    after(() => app.close());

    const boardCount = async () => (await app.app.kernel.load(Board)).count;

    it('signs up, signs in with a new session cookie, and runs a user-scoped event as that user', async () => {
      const email = uniqueEmail('ann');
      const browser = app.client();
      const { user } = await browser.signup(email, PASSWORD, 'Ann');
      expect(user).to.include({ email, name: 'Ann' });
      expect(user.roles).to.deep.equal([]);

      await browser.post('/auth/logout');
      expect(await browser.me()).to.equal(null);
      const before = browser.session;
      const login = await browser.login(email, PASSWORD);
      expect(login.status).to.equal(200);
      expect(browser.session, 'the session cookie changes at sign-in').to.not.equal(before);
      expect((await browser.me())?.email).to.equal(email);

      const response = await browser.post('/note/write', { text: 'only mine' });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { entity: { id: string; signals: { text: string } }; command: { actor: { userId: string } } };
      expect(body.entity.id, 'the note is keyed on the user').to.equal(user.id);
      expect(body.entity.signals.text).to.equal('only mine');
      expect(body.command.actor.userId).to.equal(user.id);
    });

    it('refuses the user-scoped event without a session with 401 SM_SCOPE_NO_USER, changing nothing', async () => {
      const stranger = app.client();
      const response = await stranger.post('/note/write', { text: 'who am I?' });
      expect(response.status).to.equal(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('SM_SCOPE_NO_USER');
      const live = await stranger.get('/note/live');
      expect(live.status).to.equal(401);
    });

    it('refuses a non-admin calling an admin-only event with 403, and nothing changes; the admin may', async () => {
      const member = app.client();
      await member.signup(uniqueEmail('member'), PASSWORD);
      expect((await member.post('/board/bump')).status).to.equal(200);
      expect((await member.post('/board/bump')).status).to.equal(200);
      const counted = (await member.post('/board/bump').then((response) => response.json()) as { entity: { signals: { count: number } } }).entity.signals.count;

      const refused = await member.post('/board/reset');
      expect(refused.status).to.equal(403);
      const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).to.equal('SM_AUTH_FORBIDDEN');
      expect(error.message).to.contain('"admin" role');
      const anonymous = await app.client().post('/board/reset');
      expect(anonymous.status, 'nobody signed in: 401').to.equal(401);
      // The board belongs to nobody: say what is needed (sign in, as an admin), not whose it is.
      const signIn = ((await anonymous.json()) as { error: { code: string; message: string } }).error;
      expect(signIn.code).to.equal('SM_AUTH_REQUIRED');
      expect(signIn.message).to.equal('Sign in to run Board.reset: it needs an account with the "admin" role.');
      expect(await boardCount(), 'the count is untouched').to.equal(counted);

      const admin = app.client();
      expect((await admin.login(ADMIN.email, ADMIN.password)).status, 'the seeded development admin signs in').to.equal(200);
      expect((await admin.post('/board/reset')).status).to.equal(200);
      expect(await boardCount()).to.equal(0);
    });

    it('never lets user A read or change user B\'s user-scoped entity, over events or live streams', async () => {
      const alice = app.client();
      const bob = app.client();
      const { user: aliceUser } = await alice.signup(uniqueEmail('alice'), PASSWORD);
      const { user: bobUser } = await bob.signup(uniqueEmail('bob'), PASSWORD);
      await alice.post('/note/write', { text: "Alice's secret" });

      // Bob's events address Bob's note, whatever id he sends along.
      const attempt = await bob.post(`/note/write?id=${aliceUser.id}`, { text: 'overwritten by Bob', id: aliceUser.id, Note: { id: aliceUser.id, text: 'overwritten by Bob' } });
      const attempted = (await attempt.json()) as { entity: { id: string } };
      expect(attempted.entity.id).to.equal(bobUser.id);
      expect((await bob.get(`/note/${aliceUser.id}/live`)).status, 'no route names another user\'s note').to.equal(404);

      const bobLive = await openLive(`${app.url}/note/live`, { cookie: bob.cookie });
      const aliceLive = await openLive(`${app.url}/note/live`, { cookie: alice.cookie });
      try {
        expect(bobLive.status).to.equal(200);
        const [bobFirst] = await bobLive.waitFor(1);
        expect(sseSignals(bobFirst!)).to.deep.equal({ Note: { id: bobUser.id, text: 'overwritten by Bob' } });
        const [aliceFirst] = await aliceLive.waitFor(1);
        expect(sseSignals(aliceFirst!)).to.deep.equal({ Note: { id: aliceUser.id, text: "Alice's secret" } });

        await alice.post('/note/write', { text: 'Alice, later' });
        await aliceLive.waitFor(2);
        await bob.post('/note/write', { text: 'Bob, later' });
        await bobLive.waitFor(2);
        const bobSaw = bobLive.events.map((item) => JSON.stringify(sseSignals(item))).join('\n');
        expect(bobSaw).to.not.contain('Alice');
        expect(aliceLive.events.map((item) => JSON.stringify(sseSignals(item))).join('\n')).to.not.contain('Bob');
      } finally {
        bobLive.stop();
        aliceLive.stop();
      }
    });

    it('answers the 6th wrong password inside the window with 429 and Retry-After, even for the right password', async () => {
      const email = uniqueEmail('target');
      await app.client().signup(email, PASSWORD);
      const attacker = app.client();
      for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await attacker.login(email, `wrong password ${attempt}`);
        expect(response.status, `attempt ${attempt}`).to.equal(401);
      }
      const sixth = await attacker.login(email, 'wrong password 6');
      expect(sixth.status).to.equal(429);
      const retryAfter = Number(sixth.headers.get('retry-after'));
      expect(retryAfter).to.be.greaterThan(0).and.at.most(900);
      expect(((await sixth.json()) as { error: { code: string } }).error.code).to.equal('SM_AUTH_RATE_LIMITED');
      expect((await app.client().login(email, PASSWORD)).status, 'the account stays locked for the window').to.equal(429);

      const other = uniqueEmail('bystander');
      await app.client().signup(other, PASSWORD);
      expect((await app.client().login(other, PASSWORD)).status, 'other accounts are not affected').to.equal(200);
    });
  });
}
