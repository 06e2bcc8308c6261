/**
 * Who may use the admin. With the auth plugin: only a signed-in user with the admin role (a
 * signed-out browser is sent to sign in, other clients get 401; a user without the role 403),
 * and what the admin does runs as that user, through the auth rules. Without an auth plugin: open
 * with a warning in development, not mounted at all in production.
 */
import { expect } from 'chai';
import { typeTopic, type Change } from '../../../kernel/index.js';
import { Gadget, Ledger } from './fixtures/entities.js';
import { createdId, DEV_ADMIN, fieldError, startAdminApp, textOf, type AdminApp } from './support.js';

const PASSWORD = 'a long enough passphrase';
const VALID = { name: 'Guarded lamp', price: '1', stock: '1', colour: 'red', active: 'true', launched: '', tags: '[]' };

describe('admin access with the auth plugin', function () {
  this.timeout(30_000);
  let app: AdminApp;

  before(async () => {
    app = await startAdminApp({ entities: [Gadget, Ledger], auth: {} });
  });
  after(async () => {
    await app?.close();
  });

  it('sends a signed-out browser to the sign-in page, and tells other clients 401 SM_SCOPE_NO_USER', async () => {
    const browser = app.client();
    const redirected = await browser.get('/admin/gadget?page=2');
    expect(redirected.status).to.equal(303);
    expect(redirected.headers.get('location')).to.equal(`/login?next=${encodeURIComponent('/admin/gadget?page=2')}`);
    const json = await browser.get('/admin', { Accept: 'application/json' });
    expect(json.status).to.equal(401);
    expect(((await json.json()) as { error: { code: string } }).error.code).to.equal('SM_SCOPE_NO_USER');
    const live = await browser.get('/admin/gadget/live', { 'Datastar-Request': 'true' });
    expect(live.status).to.equal(401);
  });

  it('answers 403 SM_AUTH_FORBIDDEN to a signed-in user without the admin role, and lets it change nothing', async () => {
    const user = app.client();
    const signup = await user.request('POST', '/auth/signup', { json: { email: `plain.${Date.now()}@example.com`, password: PASSWORD }, headers: { Accept: 'application/json' } });
    expect(signup.status).to.equal(200);
    const page = await user.get('/admin');
    expect(page.status).to.equal(403);
    const text = textOf(await page.text());
    expect(text).to.contain('SM_AUTH_FORBIDDEN').and.contain('needs the "admin" role');
    expect(text, 'a refused user does not see what the admin holds').to.not.contain('Gadget');
    const json = await user.get('/admin/gadget', { Accept: 'application/json' });
    expect(json.status).to.equal(403);
    expect(((await json.json()) as { error: { code: string } }).error.code).to.equal('SM_AUTH_FORBIDDEN');
    const post = await user.post('/admin/gadget/new', VALID);
    expect(post.status).to.equal(403);
    expect((await app.app.kernel.find(Gadget, { where: { name: 'Guarded lamp' } })).total).to.equal(0);
  });

  it('lets the admin in, and runs what it does as the admin user', async () => {
    const admin = app.client();
    await admin.signIn(DEV_ADMIN.email, DEV_ADMIN.password);
    const overview = await admin.page('/admin');
    expect(textOf(overview)).to.contain('Signed in as Admin').and.not.contain('No sign-in protects this admin');
    const changes: Change[] = [];
    const stop = app.app.kernel.bus.subscribe(typeTopic('Gadget'), (change) => changes.push(change));
    try {
      const id = createdId((await admin.post('/admin/gadget/new', VALID)).headers.get('location'));
      const me = (await (await admin.get('/auth/me', { Accept: 'application/json' })).json()) as { user: { id: string } };
      expect(changes.find((change) => change.id === id)?.command.actor.userId).to.equal(me.user.id);
    } finally {
      stop();
    }
  });

  it('shows the auth rules refusing the admin too (a rule of "nobody")', async () => {
    const admin = app.client();
    await admin.signIn(DEV_ADMIN.email, DEV_ADMIN.password);
    const response = await admin.post('/admin/ledger/new', { entry: 'opening balance' });
    expect(response.status).to.equal(403);
    expect(textOf(await response.text())).to.contain('SM_AUTH_FORBIDDEN');
    expect((await app.app.kernel.find(Ledger)).total).to.equal(0);
  });

  it('accepts another role when configured, and answers 401 without a redirect when loginPath is false', async () => {
    const other = await startAdminApp({ entities: [Gadget], auth: {}, admin: { role: 'staff', loginPath: false } });
    try {
      const auth = other.app.kernel.service('auth' as never) as unknown as { createUser(input: { email: string; password: string; roles: string[] }): Promise<unknown> };
      await auth.createUser({ email: 'staff@example.com', password: PASSWORD, roles: ['staff'] });
      const staff = other.client();
      await staff.signIn('staff@example.com', PASSWORD);
      expect((await staff.get('/admin')).status).to.equal(200);
      const admin = other.client();
      await admin.signIn(DEV_ADMIN.email, DEV_ADMIN.password);
      expect((await admin.get('/admin')).status, "the auth plugin's admin role opens every role rule").to.equal(200);
      const anonymous = await other.client().get('/admin');
      expect(anonymous.status).to.equal(401);
      expect(textOf(await anonymous.text())).to.contain('SM_SCOPE_NO_USER');
    } finally {
      await other.close();
    }
  });
});

describe('admin access without an auth plugin', function () {
  this.timeout(20_000);

  it('is open in development, with a warning in the log and a banner on every page', async () => {
    const app = await startAdminApp({ entities: [Gadget], nodeEnv: 'development' });
    try {
      const page = await app.client().page('/admin/gadget');
      expect(page).to.contain('<div class="banner" role="note"><strong>No sign-in protects this admin.</strong>');
      expect(app.logs.join('\n')).to.match(/warn \[@starmodel\/admin\] the admin at \/admin is open to anyone/);
    } finally {
      await app.close();
    }
  });

  it('refuses to mount in production, logging an error that says to install @starmodel/auth', async () => {
    const app = await startAdminApp({ entities: [Gadget], nodeEnv: 'production' });
    try {
      for (const path of ['/admin', '/admin/gadget', '/admin/gadget/new', '/admin/_assets/admin.css']) {
        const response = await app.client().get(path, { Accept: 'application/json' });
        expect(response.status, path).to.equal(404);
        // The web plugin's own 404 for paths nobody serves.
        expect(['SM_WEB_NOT_FOUND', 'SM_ENTITY_UNKNOWN']).to.include(((await response.json()) as { error: { code: string } }).error.code);
      }
      const post = await fetch(`${app.url}/admin/gadget/new`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(VALID).toString() });
      expect(post.status).to.equal(404);
      expect((await app.app.kernel.find(Gadget)).total).to.equal(0);
      expect(app.logs.join('\n')).to.match(/error \[@starmodel\/admin\] the admin is not mounted at \/admin: no auth plugin is loaded and NODE_ENV is production.*Install @starmodel\/auth/);
      expect(app.app.kernel.service('admin')?.mounted).to.equal(false);
    } finally {
      await app.close();
    }
  });
});

describe('admin options', () => {
  it('refuses a malformed option at start, naming it', async () => {
    for (const [admin, key] of [[{ path: 'admin' }, 'path'], [{ role: 'Admins!' }, 'role'], [{ pageSize: 0 }, 'pageSize'], [{ loginPath: '//evil.example' }, 'loginPath']] as const) {
      let error: unknown;
      try {
        const app = await startAdminApp({ entities: [Gadget], admin });
        await app.close();
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string }).code, key).to.equal('SM_CONFIG_INVALID');
      expect((error as Error).message).to.contain(`plugins["@starmodel/admin"].${key}`);
    }
  });

  it('mounts where `path` says', async () => {
    const app = await startAdminApp({ entities: [Gadget], admin: { path: '/back-office' } });
    try {
      const page = await app.client().page('/back-office/gadget/new');
      expect(page).to.contain('action="/back-office/gadget/new"').and.contain('href="/back-office/_assets/admin.css"');
      expect(fieldError(page, 'f-name')).to.equal(undefined);
      expect((await app.client().get('/admin')).status).to.equal(404);
    } finally {
      await app.close();
    }
  });
});
