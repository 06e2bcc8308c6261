/**
 * The audit-log example with the real auth plugin: after sign-up, sign-in, a password change and
 * events from anonymous and signed-in sessions, no audit row holds a scrypt hash or a session id
 * (the kernel hands the plugin redacted records), while the user store still holds the hash.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { consoleLogger, createApp, Entity, event, type App, type JsonObject } from '../../../kernel/index.js';
import { AuditEntry } from '../../../sandbox/plugins/audit-log/index.js';
import { AUTH_PLUGIN, Client, PASSWORD, uniqueEmail } from '../auth/support.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

class Visits extends Entity {
  count = 0;
  @event({ method: 'post' }) visit() { this.count++; }
}

describe('example plugin: starmodel-audit-log never holds a password hash or a session id', function () {
  let app: App;
  let url = '';
  before(async () => {
    app = await createApp({
      dir: root, ignoreConfigFile: true, entities: [Visits], logger: consoleLogger('error'),
      config: {
        secret: 'spec-secret-0123456789abcdef',
        plugins: {
          [AUTH_PLUGIN]: { userStore: 'memory', seedAdmin: false, scrypt: { logN: 10 } },
          './sandbox/plugins/audit-log': {},
          '@starmodel/koa': { port: 0, host: '127.0.0.1' },
          '@starmodel/ops': false,
        },
      },
    });
    await app.start();
    url = app.kernel.service('web')?.url() ?? '';
  });
  after(() => app?.close());

  /** The session id inside a client's cookie (`sm.sid=<id>.<signature>`). */
  const sessionIdOf = (client: Client) => client.session.slice(0, client.session.lastIndexOf('.'));

  it('after sign-up, sign-in, a password change and session events', async () => {
    const sessionIds = new Set<string>();
    const note = (client: Client) => {
      if (client.cookie) sessionIds.add(sessionIdOf(client));
    };
    const email = uniqueEmail('audited');
    const first = new Client(url);
    await first.get('/auth/me');
    note(first);
    await first.post('/visits/visit');
    note(first);
    const { user } = await first.signup(email, PASSWORD, 'Audited');
    note(first);
    await first.post('/visits/visit');
    const second = new Client(url);
    await second.post('/visits/visit');
    note(second);
    expect((await second.login(email, PASSWORD)).status).to.equal(200);
    note(second);
    await second.post('/visits/visit');
    const changed = await second.post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).to.equal(200);
    note(second);
    await second.post('/visits/visit');
    expect(sessionIds.size, 'sessions before and after each sign-in').to.be.at.least(4);

    const userMeta = app.kernel.registry.get('User');
    const stored = await app.kernel.storeFor(userMeta).get(userMeta, user.id);
    const hash = (stored!.state as JsonObject).passwordHash as string;
    expect(hash, 'the user store keeps the real hash').to.match(/^scrypt\$/);

    const { items } = await AuditEntry.find({ limit: 1000 });
    const rows = items.map((item) => JSON.stringify({ ...item }));
    const events = items.map((item) => `${item.entity}.${item.event}`);
    expect(events).to.include.members(['User.create', 'User.setPasswordHash', 'Visits.visit']);
    for (const row of rows) {
      expect(row, 'no scrypt hash').to.not.match(/scrypt\$/);
      for (const sessionId of sessionIds) expect(row, 'no session id').to.not.include(sessionId);
    }
    const creation = items.find((item) => item.event === 'create')!;
    expect(JSON.parse(creation.args)).to.deep.include({ email, passwordHash: '[redacted]' });
    const rehash = items.find((item) => item.event === 'setPasswordHash')!;
    expect(JSON.parse(rehash.args)).to.deep.equal({ passwordHash: '[redacted]' });
    const signedIn = items.filter((item) => item.event === 'visit').map((item) => item.actor);
    expect(signedIn).to.include(user.id).and.include('anonymous');
  });
});
