/**
 * The auth routes in detail: the three answer modes, input rules (normalized email, password
 * bounds, taken email), no user enumeration, sign-out here and everywhere, password changes,
 * read rules on record routes and live streams, and the guards (cross-site, open redirects).
 */
import { expect } from 'chai';
import { Entity, event } from '../../../kernel/index.js';
import { parseSse, signalsOf as sseSignals } from '../../support/web-app.js';
import { Client, PASSWORD, startAuthApp, uniqueEmail, type AuthApp } from './support.js';

class Diary extends Entity {
  static override scope = 'user' as const;
  entry = '';
  @event({ method: 'post' }) write(entry: string) { this.entry = entry; }
}

/** Only admins may read it. */
class Vault extends Entity {
  static override scope = 'global' as const;
  static override access = { read: 'admin', write: 'admin' };
  gold = 7;
  @event({ method: 'post', auth: 'nobody' }) melt() { this.gold = 0; }
}

const ADMIN = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin' };
type ErrorJson = { error: { code: string; status: number; message: string; fields?: Record<string, string> } };

describe('auth routes', function () {
  let app: AuthApp;
  before(async () => {
    app = await startAuthApp([Diary, Vault], 'memory');
  });
  after(() => app.close());

  describe('sign-up rules', () => {
    it('normalizes the email (trim, lower case), so the account signs in however it is typed', async () => {
      const email = uniqueEmail('Mixed.Case');
      const { user } = await app.client().signup(`  ${email.toUpperCase()}  `, PASSWORD);
      expect(user.email).to.equal(email.toLowerCase());
      expect((await app.client().login(` ${email.toLowerCase()}`, PASSWORD)).status).to.equal(200);
      expect((await app.client().login(email.toUpperCase(), PASSWORD)).status).to.equal(200);
    });

    it('refuses passwords shorter than 10 or longer than 200 characters with 400 naming the field, creating nobody', async () => {
      for (const password of ['short9char', 'x'.repeat(201)].map((value, index) => (index === 0 ? value.slice(0, 9) : value))) {
        const email = uniqueEmail('bounds');
        const response = await app.client().post('/auth/signup', { email, password });
        expect(response.status).to.equal(400);
        const body = (await response.json()) as ErrorJson;
        expect(body.error.code).to.equal('SM_VALIDATION_FAILED');
        expect(body.error.fields?.password).to.match(/at (least 10|most 200) characters/);
        const { total } = await app.app.kernel.find(app.app.kernel.service('auth')!.User, { where: { email } });
        expect(total, 'no account was made').to.equal(0);
      }
    });

    it('refuses an email that is not one, and a taken email with 409', async () => {
      const bad = await app.client().post('/auth/signup', { email: 'not-an-email', password: PASSWORD });
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as ErrorJson).error.fields?.email).to.be.a('string');
      const email = uniqueEmail('taken');
      await app.client().signup(email, PASSWORD);
      const again = await app.client().post('/auth/signup', { email: email.toUpperCase(), password: 'another password here' });
      expect(again.status).to.equal(409);
      expect(((await again.json()) as ErrorJson).error.fields?.email).to.contain('already exists');
    });

    it('lets two sign-ups for one email race and creates exactly one account', async () => {
      const email = uniqueEmail('race');
      const answers = await Promise.all([app.client().post('/auth/signup', { email, password: PASSWORD }), app.client().post('/auth/signup', { email, password: PASSWORD })]);
      expect(answers.map((answer) => answer.status).sort()).to.deep.equal([200, 409]);
    });
  });

  describe('no user enumeration', () => {
    it('answers an unknown email exactly like a wrong password', async () => {
      const email = uniqueEmail('known');
      await app.client().signup(email, PASSWORD);
      const wrong = await app.client().login(email, 'not the password at all');
      const unknown = await app.client().login(uniqueEmail('nobody'), 'not the password at all');
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(await unknown.text()).to.equal(await wrong.text());
    });
  });

  describe('answer modes', () => {
    it('Datastar: patches auth.errors and sm.error on failure, and moves to the next page on success', async () => {
      const email = uniqueEmail('datastar');
      await app.client().signup(email, PASSWORD);
      const browser = new Client(app.url, { 'Datastar-Request': 'true', Accept: 'text/event-stream' });
      const failed = await browser.post('/auth/login', { auth: { email, password: 'wrong password here' } });
      expect(failed.status).to.equal(401);
      expect(failed.headers.get('content-type')).to.equal('text/event-stream');
      const [patch] = parseSse(await failed.text());
      expect(sseSignals(patch!)).to.deep.equal({ sm: { error: { code: 'SM_AUTH_INVALID_CREDENTIALS', message: 'The email or the password is wrong. Check both and try again.' } }, auth: { errors: { email: '', password: '' } } });

      const invalid = await browser.post('/auth/signup', { auth: { email: 'nope', password: 'short' } });
      const invalidSignals = sseSignals(parseSse(await invalid.text())[0]!) as { auth: { errors: Record<string, string> } };
      expect(invalid.status).to.equal(400);
      expect(invalidSignals.auth.errors.email).to.be.a('string').and.not.equal('');
      expect(invalidSignals.auth.errors.password).to.contain('at least 10');
      expect(invalidSignals.auth.errors.name, 'other fields are cleared').to.equal('');

      const done = await browser.post('/auth/login', { auth: { email, password: PASSWORD, next: '/profile' } });
      expect(done.status).to.equal(200);
      const events = parseSse(await done.text());
      expect(sseSignals(events[0]!)).to.deep.equal({ sm: { error: { code: '', message: '' } }, auth: { errors: { email: '', password: '' } } });
      expect(events[1]?.event).to.equal('datastar-execute-script');
      expect(events[1]?.data.join('\n')).to.contain('window.location.assign("/profile")');
    });

    it('Datastar: a form (SM-Form) gets each message in its namespace, and a page-level message only for what no field shows', async () => {
      const email = uniqueEmail('form');
      await app.client().signup(email, PASSWORD);
      const browser = new Client(app.url, { 'Datastar-Request': 'true', Accept: 'text/event-stream', 'SM-Form': 'auth_signup' });
      const taken = await browser.post('/auth/signup', { email, password: PASSWORD });
      expect(taken.status).to.equal(409);
      // Once, beside the email input: no summary, and no internal entity named.
      expect(sseSignals(parseSse(await taken.text())[0]!)).to.deep.equal({ sm: { error: { code: 'SM_AUTH_EMAIL_TAKEN', message: '' }, forms: { auth_signup: { errors: { email: 'An account with this email already exists. Sign in instead.', password: '', name: '' } } } } });
      const login = new Client(app.url, { 'Datastar-Request': 'true', Accept: 'text/event-stream', 'SM-Form': 'auth_login' });
      const wrong = await login.post('/auth/login', { email, password: 'wrong password here' });
      // No field owns "wrong email or password": it is the page-level message.
      expect(sseSignals(parseSse(await wrong.text())[0]!)).to.deep.equal({ sm: { error: { code: 'SM_AUTH_INVALID_CREDENTIALS', message: 'The email or the password is wrong. Check both and try again.' }, forms: { auth_login: { errors: { email: '', password: '' } } } } });
      const done = await login.post('/auth/login', { email, password: PASSWORD });
      expect(sseSignals(parseSse(await done.text())[0]!)).to.deep.equal({ sm: { error: { code: '', message: '' }, forms: { auth_login: { errors: { email: '', password: '' } } } } });
    });

    it('Datastar form posts (multipart, as contentType "form" sends them) sign in too', async () => {
      const email = uniqueEmail('multipart');
      await app.client().signup(email, PASSWORD);
      const form = new FormData();
      form.set('email', email);
      form.set('password', PASSWORD);
      const response = await fetch(`${app.url}/auth/login`, { method: 'POST', body: form, headers: { 'Datastar-Request': 'true' } });
      expect(response.status).to.equal(200);
      expect(await response.text()).to.contain('window.location.assign("/")');
    });

    it('plain HTML forms: 303 to `next` on success, an error page with a way back on failure', async () => {
      const email = uniqueEmail('html');
      await app.client().signup(email, PASSWORD);
      const browser = new Client(app.url, { Accept: 'text/html' });
      const done = await browser.request('POST', '/auth/login', { form: { email, password: PASSWORD, next: '/diary' } });
      expect(done.status).to.equal(303);
      expect(done.headers.get('location')).to.equal('/diary');
      const failed = await browser.request('POST', '/auth/login', { form: { email, password: 'wrong password here' }, headers: { Referer: `${app.url}/login` } });
      expect(failed.status).to.equal(401);
      const page = await failed.text();
      expect(page).to.contain('The email or the password is wrong');
      expect(page).to.contain('<a href="/login">Go back</a>');
    });

    it('never redirects to another site through `next`', async () => {
      const email = uniqueEmail('redirect');
      await app.client().signup(email, PASSWORD);
      for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        const response = await new Client(app.url, { Accept: 'text/html' }).request('POST', '/auth/login', { form: { email, password: PASSWORD, next } });
        expect(response.headers.get('location'), next).to.equal('/');
      }
    });

    it('refuses sign-in posted from another site (login CSRF) with 403 SM_WEB_CROSS_SITE', async () => {
      const response = await app.client({ Origin: 'https://evil.example' }).login(ADMIN.email, ADMIN.password);
      expect(response.status).to.equal(403);
      expect(((await response.json()) as ErrorJson).error.code).to.equal('SM_WEB_CROSS_SITE');
    });
  });

  describe('sessions', () => {
    it('keeps only a digest of the session id on the server', async () => {
      const browser = app.client();
      await browser.signup(uniqueEmail('digest'), PASSWORD);
      const sessionId = browser.session.split('.')[0]!;
      const meta = app.app.kernel.registry.all().find((candidate) => candidate.name === 'AuthSession')!;
      const { items } = await app.app.kernel.storeFor(meta).find(meta, {});
      expect(items.length).to.be.greaterThan(0);
      expect(items.map((item) => item.id)).to.not.include(sessionId);
      expect(JSON.stringify(items)).to.not.contain(sessionId);
    });

    it('signs out with a fresh session id; the old cookie no longer signs anyone in', async () => {
      const browser = app.client();
      await browser.signup(uniqueEmail('leaver'), PASSWORD);
      const signedIn = browser.cookie;
      const response = await browser.post('/auth/logout');
      expect(response.status).to.equal(200);
      expect(browser.cookie).to.not.equal(signedIn);
      expect(await browser.me()).to.equal(null);
      const replay = new Client(app.url);
      replay.cookie = signedIn;
      expect(await replay.me(), 'a copied old cookie is signed out too').to.equal(null);
      expect((await replay.post('/diary/write', { entry: 'x' })).status).to.equal(401);
    });

    it('signs out everywhere: another device is signed out at its next request without a new cookie', async () => {
      const email = uniqueEmail('devices');
      const laptop = app.client();
      await laptop.signup(email, PASSWORD);
      const phone = app.client();
      expect((await phone.login(email, PASSWORD)).status).to.equal(200);
      const phoneCookie = phone.cookie;
      expect((await phone.me())?.email).to.equal(email);
      await laptop.post('/auth/logout', { everywhere: true });
      expect(await phone.me()).to.equal(null);
      expect(phone.cookie, 'the phone kept its cookie').to.equal(phoneCookie);
    });

    it('changes the password: the current one is checked, other sessions end, the old password stops working', async () => {
      const email = uniqueEmail('changer');
      const laptop = app.client();
      await laptop.signup(email, PASSWORD);
      const phone = app.client();
      await phone.login(email, PASSWORD);

      const wrong = await laptop.post('/auth/password', { currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
      expect(wrong.status).to.equal(401);
      const wrongBody = (await wrong.json()) as ErrorJson;
      // A form without an email must not speak of one.
      expect(wrongBody.error).to.deep.include({ code: 'SM_AUTH_WRONG_PASSWORD', message: 'The current password is wrong. Check it and try again.' });
      expect(wrongBody.error.fields?.currentPassword).to.equal('The current password is wrong');
      const tooShort = await laptop.post('/auth/password', { currentPassword: PASSWORD, newPassword: 'short' });
      expect(tooShort.status).to.equal(400);

      const before = laptop.cookie;
      const changed = await laptop.post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
      expect(changed.status).to.equal(200);
      expect(laptop.cookie, 'this device continues on a fresh session id').to.not.equal(before);
      expect((await laptop.me())?.email).to.equal(email);
      expect(await phone.me(), 'the other device is signed out').to.equal(null);
      expect((await app.client().login(email, PASSWORD)).status).to.equal(401);
      expect((await app.client().login(email, 'a brand new passphrase')).status).to.equal(200);
    });

    it('refuses a password change without a session with 401', async () => {
      const response = await app.client().post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
      expect(response.status).to.equal(401);
    });
  });

  describe('read and write rules over HTTP', () => {
    it('guards the User record routes: 401 signed out, 403 without the admin role, 200 for admins without hashes', async () => {
      expect((await app.client().get('/user')).status).to.equal(401);
      const member = app.client();
      const { user } = await member.signup(uniqueEmail('reader'), PASSWORD);
      expect((await member.get('/user')).status).to.equal(403);
      expect((await member.get(`/user/${user.id}`)).status, 'not even their own record').to.equal(403);
      const admin = app.client();
      await admin.login(ADMIN.email, ADMIN.password);
      const list = await admin.get(`/user?email=${encodeURIComponent(user.email)}`);
      expect(list.status).to.equal(200);
      const body = await list.text();
      expect(body).to.contain(user.email);
      expect(body).to.not.contain('passwordHash');
      expect(body).to.not.contain('scrypt$');
    });

    it('refuses creating users or changing hashes over HTTP, even for admins (rule "nobody")', async () => {
      const admin = app.client();
      await admin.login(ADMIN.email, ADMIN.password);
      const created = await admin.post('/user/create', { email: uniqueEmail('forged'), name: 'Forged', passwordHash: 'x', roles: ['admin'] });
      expect(created.status).to.equal(403);
      expect(((await created.json()) as ErrorJson).error.code).to.equal('SM_AUTH_FORBIDDEN');
      const me = await admin.me();
      expect((await admin.post(`/user/${me!.id}/setpasswordhash`, { passwordHash: 'x' })).status).to.equal(403);
      expect((await admin.post('/vault/melt')).status).to.equal(403);
      expect((await app.app.kernel.load(Vault)).gold).to.equal(7);
    });

    it('applies read rules to live streams: 401 signed out, 403 without the role, the stream for admins', async () => {
      expect((await app.client().get('/vault/live')).status).to.equal(401);
      const member = app.client();
      await member.signup(uniqueEmail('peeker'), PASSWORD);
      const refused = await member.get('/vault/live', { 'Datastar-Request': 'true' });
      expect(refused.status).to.equal(403);
      expect(sseSignals(parseSse(await refused.text())[0]!)).to.deep.include({ sm: { error: { code: 'SM_AUTH_FORBIDDEN', message: 'Your account may not read Vault: it needs the "admin" role.' } } });
      const admin = app.client();
      await admin.login(ADMIN.email, ADMIN.password);
      const controller = new AbortController();
      const stream = await fetch(`${app.url}/vault/live`, { headers: { cookie: admin.cookie, 'Datastar-Request': 'true' }, signal: controller.signal });
      expect(stream.status).to.equal(200);
      controller.abort();
    });

    it('lets an admin grant a role with User.setRoles, which takes effect at the next request', async () => {
      const member = app.client();
      const { user } = await member.signup(uniqueEmail('promoted'), PASSWORD);
      expect((await member.get('/user')).status).to.equal(403);
      expect((await member.post(`/user/${user.id}/setroles`, { roles: ['admin'] })).status, 'nobody promotes themselves').to.equal(403);
      const admin = app.client();
      await admin.login(ADMIN.email, ADMIN.password);
      expect((await admin.post(`/user/${user.id}/setroles`, { roles: ['admin'] })).status).to.equal(200);
      expect((await member.get('/user')).status).to.equal(200);
    });
  });
});
