/**
 * Abuse limits: the sliding window itself (on a clock the spec moves), and the per-address limits
 * on sign-in and sign-up over HTTP.
 */
import { expect } from 'chai';
import { SlidingWindowLimiter } from '../../../plugins/auth/index.js';
import { PASSWORD, startAuthApp, uniqueEmail, type AuthApp } from './support.js';

describe('sliding window limiter', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('refuses the attempt after `max` inside the window, and allows again as the oldest slides out', () => {
    const limiter = new SlidingWindowLimiter({ max: 5, windowSeconds: 60 }, clock);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(limiter.retryAfterMs('ann'), `attempt ${attempt + 1}`).to.equal(0);
      limiter.hit('ann');
      now += 1000;
    }
    // Hits at t0 .. t0+4s; now is t0+5s: the oldest leaves the window at t0+60s.
    expect(limiter.retryAfterMs('ann')).to.equal(55_000);
    expect(limiter.retryAfterMs('bob'), 'other keys are counted apart').to.equal(0);
    now += 55_000;
    expect(limiter.retryAfterMs('ann'), 'one slot freed').to.equal(0);
    limiter.hit('ann');
    expect(limiter.retryAfterMs('ann')).to.be.greaterThan(0);
  });

  it('forgets a key on reset (a successful sign-in)', () => {
    const limiter = new SlidingWindowLimiter({ max: 2, windowSeconds: 60 }, clock);
    limiter.hit('ann');
    limiter.hit('ann');
    expect(limiter.retryAfterMs('ann')).to.be.greaterThan(0);
    limiter.reset('ann');
    expect(limiter.retryAfterMs('ann')).to.equal(0);
  });

  it('holds a bounded number of keys, dropping the least recently counted', () => {
    const limiter = new SlidingWindowLimiter({ max: 1, windowSeconds: 60 }, clock, 100);
    for (let index = 0; index < 1000; index++) limiter.hit(`attacker-${index}@example.com`);
    expect(limiter.size).to.equal(100);
    expect(limiter.retryAfterMs('attacker-999@example.com')).to.be.greaterThan(0);
    expect(limiter.retryAfterMs('attacker-0@example.com')).to.equal(0);
  });
});

describe('per-address limits over HTTP', function () {
  let app: AuthApp;
  before(async () => {
    app = await startAuthApp([], 'memory', { seedAdmin: false, limits: { loginPerAddress: { max: 3, windowSeconds: 600 }, signupPerAddress: { max: 2, windowSeconds: 600 } } });
  });
  after(() => app.close());

  it('refuses sign-in from an address after too many failures across different accounts', async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await app.client().login(uniqueEmail(`spray${attempt}`), 'password spraying')).status).to.equal(401);
    }
    const refused = await app.client().login(uniqueEmail('spray4'), 'password spraying');
    expect(refused.status).to.equal(429);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 600);
  });

  it('refuses the third sign-up from one address inside the window', async () => {
    await app.client().signup(uniqueEmail('first'), PASSWORD);
    await app.client().signup(uniqueEmail('second'), PASSWORD);
    const third = await app.client().post('/auth/signup', { email: uniqueEmail('third'), password: PASSWORD });
    expect(third.status).to.equal(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).to.equal('SM_AUTH_RATE_LIMITED');
  });
});
