/**
 * The auth plugin's parts on their own: scrypt hashes, options (and the production refusals),
 * and rules checked when an entity is registered.
 */
import { expect } from 'chai';
import { Entity, event } from '../../../kernel/index.js';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from '../../../plugins/auth/index.js';
import { parseAuthOptions } from '../../../plugins/auth/options.js';
import { startAuthApp } from './support.js';

describe('auth: password hashes', () => {
  it('stores scrypt parameters, salt and key in the hash, and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const [scheme, logN, r, p, salt, key] = hash.split('$');
    expect([scheme, logN, r, p]).to.deep.equal(['scrypt', '15', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).to.have.length(16);
    expect(Buffer.from(key!, 'base64url')).to.have.length(64);
    expect(await verifyPassword('correct horse battery staple', hash)).to.equal(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).to.equal(false);
    expect(await hashPassword('correct horse battery staple'), 'a fresh salt each time').to.not.equal(hash);
  });

  it('treats canonically equal Unicode passwords alike (NFKC)', async () => {
    const hash = await hashPassword('caf\u00e9 au lait, please');
    expect(await verifyPassword('cafe\u0301 au lait, please', hash)).to.equal(true);
  });

  it('never matches a malformed or out-of-bounds stored hash', async () => {
    expect(await verifyPassword('anything at all', '')).to.equal(false);
    expect(await verifyPassword('anything at all', 'plaintext-password')).to.equal(false);
    expect(await verifyPassword('anything at all', 'scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA')).to.equal(false);
  });

  it('asks for a rehash when the parameters changed', async () => {
    const weak = await hashPassword('correct horse battery staple', { ...DEFAULT_SCRYPT, logN: 12 });
    expect(needsRehash(weak)).to.equal(true);
    expect(needsRehash(await hashPassword('correct horse battery staple'))).to.equal(false);
  });
});

describe('auth: options', () => {
  it('defaults to SQL users, 14-day sessions, 10..200 character passwords and the development admin', () => {
    const options = parseAuthOptions({}, false);
    expect(options).to.deep.include({ userStore: 'sql', sessionStore: 'sql', sessionTtlSeconds: 1_209_600, routePrefix: '/auth', password: { min: 10, max: 200 } });
    expect(options.seedAdmin).to.deep.equal({ email: 'admin@starmodel.dev', password: 'starmodel-dev-admin', name: 'Admin' });
    expect(options.limits.loginPerAccount).to.deep.equal({ max: 5, windowSeconds: 900 });
  });

  it('seeds nobody in production, and refuses a configured seed account there', () => {
    expect(parseAuthOptions({}, true).seedAdmin).to.equal(false);
    expect(() => parseAuthOptions({ seedAdmin: { email: 'root@example.com', password: 'root-password-123' } }, true)).to.throw(/refused in production/);
    expect(() => parseAuthOptions({ seedAdmin: true }, true)).to.throw(/refused in production/);
  });

  it('names the option that is wrong', () => {
    expect(() => parseAuthOptions({ userStore: 3 }, false)).to.throw(/userStore/);
    expect(() => parseAuthOptions({ afterLogin: 'https://evil.example' }, false)).to.throw(/afterLogin/);
    expect(() => parseAuthOptions({ scrypt: { logN: 40 } }, false)).to.throw(/logN/);
    expect(() => parseAuthOptions({ limits: { loginPerAccount: { max: 0 } } }, false)).to.throw(/loginPerAccount\.max/);
  });
});

describe('auth: rules are checked when an entity is registered', () => {
  it('refuses an app whose entity has a malformed access rule', async () => {
    class Typo extends Entity {
      static override access = { read: 'anyone', write: 'Admins!' };
      n = 0;
      @event() bump() { this.n++; }
    }
    let failure: unknown;
    try {
      const app = await startAuthApp([Typo], 'memory', { seedAdmin: false });
      await app.close();
    } catch (error) {
      failure = error;
    }
    expect((failure as { code?: string }).code).to.equal('SM_ENTITY_INVALID');
    expect(String((failure as Error).message)).to.contain('access.write');
  });

  it('refuses an event with a malformed auth option', async () => {
    class BadEvent extends Entity {
      n = 0;
      @event({ auth: '' }) bump() { this.n++; }
    }
    let failure: unknown;
    try {
      const app = await startAuthApp([BadEvent], 'memory', { seedAdmin: false });
      await app.close();
    } catch (error) {
      failure = error;
    }
    expect((failure as { code?: string }).code).to.equal('SM_ENTITY_INVALID');
  });
});
