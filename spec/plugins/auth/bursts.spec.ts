/**
 * Sign-in under concurrency (issue 18): limits count attempts as they start, not failures as they
 * end, so a burst evaluates at most the limit; with Redis the limit holds across instances; a burst
 * of sign-ins leaves the SQLite store answering everyone else; and when the user store cannot
 * answer, a request that carries a session is refused with 503, never served as signed out.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import knex from 'knex';
import { serviceUrl } from '../../../kernel/testing/index.js';
import { startTcpProxy, type TcpProxy } from '../../reliability/tcp-proxy.js';
import { dropPrefix, redisUrl, uniquePrefix } from '../redis/support.js';
import { KNEX_PLUGIN, PASSWORD, REDIS_PLUGIN, startAuthApp, uniqueEmail, type AuthApp } from './support.js';

const WRONG = 'not the password at all';
const statuses = (responses: Response[]) => responses.map((response) => response.status);
const count = (list: number[], status: number) => list.filter((each) => each === status).length;

describe('auth: sign-in limits hold under concurrency', function () {
  this.timeout(60_000);

  describe('in one process', () => {
    let app: AuthApp;
    before(async () => {
      app = await startAuthApp([], 'memory', { seedAdmin: false, limits: { loginPerAccount: { max: 5, windowSeconds: 600 }, loginPerAddress: { max: 20, windowSeconds: 600 } } });
    });
    after(() => app.close());

    it('evaluates at most 5 of 12 concurrent sign-ins to one account, then refuses the right password too', async () => {
      const email = uniqueEmail('burst');
      await app.client().signup(email, PASSWORD);
      const answers = statuses(await Promise.all(Array.from({ length: 12 }, () => app.client().login(email, WRONG))));
      expect(count(answers, 401), `answers: ${answers.join(' ')}`).to.be.at.most(5);
      expect(count(answers, 429)).to.equal(12 - count(answers, 401));
      const right = await app.client().login(email, PASSWORD);
      expect(right.status, 'the right password after the limit').to.equal(429);
      expect(Number(right.headers.get('retry-after'))).to.be.within(1, 600);
      expect(((await right.json()) as { error: { code: string } }).error.code).to.equal('SM_AUTH_RATE_LIMITED');
    });

    it('evaluates at most 20 of 100 concurrent sign-ins from one address', async () => {
      const answers = statuses(await Promise.all(Array.from({ length: 100 }, (_, index) => app.client().login(uniqueEmail(`spray${index}`), WRONG))));
      expect(answers.filter((status) => status !== 429).length, `answers: ${answers.join(' ')}`).to.be.at.most(20);
      expect(count(answers, 500)).to.equal(0);
    });
  });

  describe('across two instances sharing Redis', () => {
    let url: string | undefined;
    const prefix = uniquePrefix('auth-limits');
    const apps: AuthApp[] = [];
    before(async function () {
      url = await redisUrl(this);
      if (!url) return;
      const redis = { [REDIS_PLUGIN]: { url, prefix } };
      const limits = { loginPerAccount: { max: 5, windowSeconds: 600 }, loginPerAddress: { max: 1000, windowSeconds: 600 } };
      // One user store both instances read: a SQLite file each would hold different accounts.
      for (let index = 0; index < 2; index++) apps.push(await startAuthApp([], 'memory', { seedAdmin: false, limits }, redis));
    });
    after(async () => {
      for (const app of apps) await app.close();
      if (url) await dropPrefix(url, prefix);
    });

    it('counts one limit for both: 12 concurrent sign-ins split between them evaluate at most 5', async () => {
      const email = uniqueEmail('shared');
      // Unknown to both stores: every attempt costs the same hash and answers 401 until the limit.
      const answers = statuses(await Promise.all(Array.from({ length: 12 }, (_, index) => apps[index % 2]!.client().login(email, WRONG))));
      expect(count(answers, 401), `answers: ${answers.join(' ')}`).to.be.at.most(5);
      expect(count(answers, 429)).to.equal(12 - count(answers, 401));
      for (const app of apps) expect((await app.client().login(email, WRONG)).status).to.equal(429);
    });
  });
});

describe('auth: a sign-in burst on SQLite', function () {
  this.timeout(120_000);
  let app: AuthApp;
  before(async () => {
    app = await startAuthApp([], 'sql', { seedAdmin: false });
  });
  after(() => app.close());

  it('leaves a signed-in user answered within a second, signed in, while 100 sign-ins hash', async () => {
    const user = app.client();
    const email = uniqueEmail('steady');
    await user.signup(email, PASSWORD);
    let bursting = true;
    const burst = Promise.all(Array.from({ length: 100 }, (_, index) => app.client().login(uniqueEmail(`anon${index}`), WRONG)))
      .finally(() => { bursting = false; });
    const latencies: number[] = [];
    const seen: string[] = [];
    while (bursting || latencies.length < 10) {
      const started = performance.now();
      const response = await user.get('/auth/me');
      latencies.push(performance.now() - started);
      const body = (await response.json()) as { user: { email: string } | null };
      seen.push(`${response.status} ${body.user?.email ?? 'signed out'}`);
    }
    const answers = statuses(await burst);
    expect(seen.filter((line) => line !== `200 ${email}`), 'answers other than "200, signed in"').to.deep.equal([]);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
    expect(p99, `p99 of ${latencies.length} reads, in ms`).to.be.below(1000);
    expect(answers.filter((status) => status !== 401 && status !== 503), `sign-in answers: ${answers.join(' ')}`).to.deep.equal([]);
  });
});

describe('auth: when the user store cannot answer', function () {
  this.timeout(60_000);
  let app: AuthApp | undefined;
  let proxy: TcpProxy | undefined;
  let admin: ReturnType<typeof knex> | undefined;
  const schema = `sm_auth_down_${randomBytes(5).toString('hex')}`;

  before(async function () {
    const url = await serviceUrl(this, { env: 'DATABASE_URL', fallback: 'postgres://postgres@127.0.0.1:5432/test', what: 'PostgreSQL' });
    if (!url) return;
    admin = knex({ client: 'pg', connection: url });
    await admin.raw(`create schema ${schema}`);
    const target = new URL(url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const sql = { [KNEX_PLUGIN]: { client: 'pg', connection: { connectionString: through.href, options: `-c search_path=${schema}` }, acquireTimeoutMs: 1000, pool: { min: 0, max: 2 } } };
    app = await startAuthApp([], 'sql', { seedAdmin: false }, sql);
  });
  after(async () => {
    await app?.close();
    await proxy?.close();
    await admin?.raw(`drop schema if exists ${schema} cascade`);
    await admin?.destroy();
  });

  it('answers 503 to a request that carries a session, never "signed out", and serves a new visitor', async () => {
    const user = app!.client();
    const email = uniqueEmail('outage');
    await user.signup(email, PASSWORD);
    expect((await user.me())?.email).to.equal(email);
    await proxy!.cut();
    try {
      const during = await user.get('/auth/me');
      expect(during.status, await during.clone().text()).to.equal(503);
      expect(((await during.json()) as { error: { code: string } }).error.code).to.equal('SM_STORE_UNAVAILABLE');
      const stranger = await app!.client().get('/auth/me');
      expect(stranger.status, 'a browser without a session is served (as signed out)').to.equal(200);
    } finally {
      await proxy!.restore();
    }
    expect((await user.me())?.email, 'signed in again once the store answers').to.equal(email);
  });
});
