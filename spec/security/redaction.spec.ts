/**
 * Redaction: a hidden field, an argument marked `sensitive()`, and password-like names reach
 * plugins only as `[redacted]` in every record of a command (commit and publish taps, the
 * caller's result, the JSON answer, job lists, log lines), while the method and the store get
 * the real values.
 */
import { expect } from 'chai';
import {
  Entity, event, field, redact, REDACTED, sensitive, z,
  type Change, type CommandRecord, type UnitOfWork,
} from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import jobsPlugin, { type JobsService } from '../../plugins/jobs/index.js';
import { recordingLogger } from '../fixtures/logger.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const SECRET_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
const seen = { pins: [] as string[], passwords: [] as string[], tokens: [] as string[] };

class Vault extends Entity {
  static override scope = 'record' as const;
  owner = '';
  @field(z.string(), { hidden: true }) masterHash = '';
  /** Plain values; a pin marked sensitive; a password-like name; a nested password-like member. */
  opens = 0;

  @event({ method: 'post', args: { pin: sensitive(z.string().length(4)) } })
  unlock(pin: string, reason = '') {
    seen.pins.push(pin);
    this.opens++;
    void reason;
  }

  @event({ method: 'post' })
  rotate(newPassword: string, label = '') {
    seen.passwords.push(newPassword);
    this.masterHash = `hash-of-${newPassword}`;
    this.owner = label || this.owner;
  }

  @event({ method: 'post', args: { settings: z.object({ name: z.string(), apiKey: z.string() }) } })
  configure(settings: { name: string; apiKey: string }) {
    seen.tokens.push(settings.apiKey);
    this.owner = settings.name;
  }

  /** An argument named after the hidden field is a secret too. */
  @event({ method: 'post' })
  setMasterHash(masterHash: string) {
    this.masterHash = masterHash;
  }
}

class Deposit extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event({ method: 'post', background: true, args: { pin: sensitive(z.string()) } })
  deposit(pin: string, amount = 1) {
    seen.pins.push(pin);
    this.count += amount;
  }
}

/** Every value at any depth, as text, so a spec can say a secret appears nowhere in it. */
const text = (value: unknown) => JSON.stringify(value);

describe('redaction of secrets in records of a command', function () {
  describe('commit and publish taps, the caller and log lines', function () {
    let t: TestKernel;
    const commits: CommandRecord[] = [];
    const states: UnitOfWork['state'][] = [];
    const changes: Change[] = [];
    const log = recordingLogger();

    before(async () => {
      t = await createTestKernel({ entities: [Vault], logger: log.logger });
      const api = t.kernel.pluginApi('spec-tap');
      api.hooks.commit.tap((unit) => {
        commits.push(unit.command);
        states.push(unit.state);
      });
      api.hooks.publish.tap((change) => {
        changes.push(change);
      });
    });
    after(() => t.close());
    beforeEach(() => {
      commits.length = 0;
      states.length = 0;
      changes.length = 0;
      seen.pins.length = 0;
      seen.passwords.length = 0;
      seen.tokens.length = 0;
    });

    /** A new vault, its creation's records cleared. */
    async function newVault(): Promise<string> {
      const created = await t.client().send(Vault, 'create', { body: { owner: 'ada' } });
      commits.length = 0;
      states.length = 0;
      changes.length = 0;
      return created.id;
    }

    it('shows a hidden field as the marker in the built-in create, while the store saves the real value', async () => {
      // Server code may set a hidden field through create (a client may not).
      const result = await t.kernel.dispatch({ entity: Vault, event: 'create', args: { owner: 'ada', masterHash: SECRET_HASH } }, { sessionId: 'session-of-ada', locals: new Map() });
      expect(commits[0]!.args).to.deep.equal({ owner: 'ada', masterHash: REDACTED });
      expect(changes[0]!.command.args).to.deep.equal({ owner: 'ada', masterHash: REDACTED });
      expect(result.command.args).to.deep.equal({ owner: 'ada', masterHash: REDACTED });
      expect(states[0]!.masterHash, 'the commit still saves the real hash').to.equal(SECRET_HASH);
      const stored = await t.kernel.storeFor(t.kernel.registry.get(Vault)).get(t.kernel.registry.get(Vault), result.id);
      expect(stored!.state.masterHash).to.equal(SECRET_HASH);
      expect(text([commits, changes, result.command])).to.not.include(SECRET_HASH);
    });

    it('shows an argument marked sensitive() as the marker, while the method gets the real value', async () => {
      const id = await newVault();
      const result = await t.client().send(Vault, 'unlock', { id, body: { pin: '4711', reason: 'audit' } });
      expect(seen.pins).to.deep.equal(['4711']);
      expect(commits[0]!.args).to.deep.equal({ pin: REDACTED, reason: 'audit' });
      expect(changes[0]!.command.args).to.deep.equal({ pin: REDACTED, reason: 'audit' });
      expect(result.command.args).to.deep.equal({ pin: REDACTED, reason: 'audit' });
    });

    it('shows password-like names as the marker by default, at any depth', async () => {
      const id = await newVault();
      await t.client().send(Vault, 'rotate', { id, body: { newPassword: 'correct horse battery', label: 'home' } });
      await t.client().send(Vault, 'configure', { id, body: { settings: { name: 'bob', apiKey: 'sk-live-123456' } } });
      expect(seen.passwords).to.deep.equal(['correct horse battery']);
      expect(seen.tokens).to.deep.equal(['sk-live-123456']);
      expect(commits.map((record) => record.args)).to.deep.equal([
        { newPassword: REDACTED, label: 'home' },
        { settings: { name: 'bob', apiKey: REDACTED } },
      ]);
      expect(changes.map((change) => change.command.args)).to.deep.equal(commits.map((record) => record.args));
      expect(states[0]!.masterHash).to.equal('hash-of-correct horse battery');
    });

    it('shows an argument named after a hidden field as the marker', async () => {
      const id = await newVault();
      await t.client().send(Vault, 'setMasterHash', { id, body: { masterHash: SECRET_HASH } });
      expect(commits[0]!.args).to.deep.equal({ masterHash: REDACTED });
      expect(states[0]!.masterHash).to.equal(SECRET_HASH);
    });

    it('never names the session in a record: the actor keeps the user, the session id is the marker', async () => {
      const client = t.client({ user: { id: 'ada' } });
      const id = await newVault();
      await client.send(Vault, 'unlock', { id, body: { pin: '1234' } });
      expect(commits[0]!.actor).to.deep.equal({ sessionId: REDACTED, userId: 'ada' });
      expect(text(commits)).to.not.include(client.sessionId);
    });

    it('redacts log fields and scrubs log messages, whatever logger the app gave', () => {
      log.lines.length = 0;
      t.kernel.log.child('spec').warn('login failed for password=hunter2 via postgres://app:s3cret@db/app', { user: { name: 'ada', passwordHash: SECRET_HASH, sessionId: 'abc' }, attempt: 2 });
      const line = log.lines.at(-1)!;
      expect(line.message).to.equal(`login failed for password=${REDACTED} via postgres://app:${REDACTED}@db/app`);
      expect(line.fields).to.deep.equal({ user: { name: 'ada', passwordHash: REDACTED, sessionId: REDACTED }, attempt: 2 });
    });

    it('keeps values with nothing to redact as they are (no copy)', () => {
      const args = { amount: 5, when: new Date(0), tags: ['a'] };
      expect(redact(args)).to.equal(args);
    });
  });

  describe('over HTTP: the JSON answer carries the redacted record', function () {
    let web: WebApp;
    before(async () => {
      web = await startWebApp([Vault]);
    });
    after(() => web.close());

    it('answers an event with its command, the sensitive argument and the session id redacted', async () => {
      const created = await web.app.kernel.dispatch({ entity: Vault, event: 'create', args: { owner: 'ada' } }, { locals: new Map() });
      const response = await fetch(`${web.url}/vault/${created.id}/unlock`, {
        method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ pin: '9876' }),
      });
      expect(response.status).to.equal(200);
      const cookie = response.headers.get('set-cookie') ?? '';
      const sessionId = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
      const body = (await response.json()) as { command: CommandRecord };
      expect(body.command.args).to.deep.equal({ pin: REDACTED });
      expect(body.command.actor).to.deep.equal({ sessionId: REDACTED });
      expect(sessionId).to.have.length.above(10);
      expect(text(body)).to.not.include('9876').and.not.include(sessionId);
    });
  });

  describe('job lists', function () {
    let t: TestKernel;
    let jobs: JobsService;
    before(async () => {
      t = await createTestKernel({ entities: [Deposit], logger: recordingLogger().logger, plugins: { '@starmodel/jobs': jobsPlugin({ redis: false }) } });
      jobs = t.kernel.service('jobs')!;
    });
    after(() => t.close());

    it('list and get show the secret argument and the session id as the marker; the worker runs with the real values', async () => {
      seen.pins.length = 0;
      const client = t.client();
      const queued = await client.send(Deposit, 'deposit', { body: { pin: '2468', amount: 3 } });
      expect(queued.takenOver?.status).to.equal(202);
      expect(queued.command.args).to.deep.equal({ pin: REDACTED, amount: 3 });
      const jobId = String(queued.takenOver?.info?.jobId);
      const deadline = Date.now() + 5000;
      while ((await jobs.get(jobId))?.state !== 'completed') {
        if (Date.now() > deadline) throw new Error('the job did not complete');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(seen.pins).to.deep.equal(['2468']);
      expect((await t.kernel.load(Deposit)).count).to.equal(3);
      const listed = await jobs.list('completed');
      const got = await jobs.get(jobId);
      for (const info of [...listed, got!]) {
        expect(info.data.args).to.deep.equal({ pin: REDACTED, amount: 3 });
        expect(info.data.sessionId).to.equal(REDACTED);
      }
      expect(text([listed, got])).to.not.include('2468').and.not.include(client.sessionId);
    });
  });
});
