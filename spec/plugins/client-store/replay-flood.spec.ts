/**
 * Replay protection that a flood cannot defeat. Before, the memory of signed versions was a plain
 * LRU: 100,050 anonymous requests pushed an entity out and its old state was accepted again. Now
 * a state the memory no longer knows is refused when it was signed before the memory had to
 * forget anything for room. Over HTTP, with a small bound and floods of three times it, from new
 * sessions and from within one session.
 */
import { expect } from 'chai';
import clientStorePlugin, { ClientEntity } from '../../../plugins/client-store/index.js';
import { event } from '../../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js';
import koaPlugin from '../../../plugins/koa/index.js';

class Wallet extends ClientEntity {
  static override store = 'client-local';
  static override replayProtection = true;
  credits = 100;
  @event({ method: 'post' }) spend(amount = 10) {
    this.credits -= amount;
  }
}

type State = Record<string, unknown>;
interface Answer { status: number; body: Record<string, any> }

const BOUND = 200;

describe('client-store: replay protection under a flood', function () {
  let app: TestKernel;
  let url = '';

  before(async () => {
    app = await createTestKernel({
      secret: 'spec-secret-client-store-flood', entities: [Wallet],
      plugins: { '@starmodel/koa': koaPlugin({ port: 0, host: '127.0.0.1' }), '@starmodel/client-store': clientStorePlugin({ replayMaxEntries: BOUND }) },
    });
    url = app.kernel.service('web')?.url() ?? '';
  });
  after(() => app?.close());

  /** Spends with the state a browser holds (none: a new state under a fresh id). */
  async function spend(state: State | undefined, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${url}/wallet/spend`, {
      method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(state ? { Wallet: state } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }
  const held = (answer: Answer): State => answer.body.entity.signals as State;

  /** `count` new states, 20 requests at a time; each one is a state the memory must remember. */
  async function flood(count: number, headers: Record<string, string> = {}): Promise<void> {
    for (let sent = 0; sent < count; sent += 20) {
      const answers = await Promise.all(Array.from({ length: Math.min(20, count - sent) }, () => spend(undefined, headers)));
      expect(answers.every((answer) => answer.status === 200)).to.equal(true);
    }
  }

  /** A victim: a state at credits 90 (v1) that it spends down to 80 (v2); the attacker keeps v1. */
  async function victim(): Promise<{ old: State; current: State }> {
    const old = held(await spend(undefined));
    const current = held(await spend(old));
    expect([old.credits, current.credits]).to.deep.equal([90, 80]);
    const replay = await spend(old);
    expect([replay.status, replay.body.error.code], 'refused before any flood').to.deep.equal([409, 'SM_CLIENT_STATE_STALE']);
    return { old, current };
  }

  it(`refuses the old state after ${3 * BOUND} new states from new sessions (three times the bound)`, async () => {
    const { old } = await victim();
    await flood(3 * BOUND);
    const replay = await spend(old);
    expect(replay.status).to.equal(409);
    expect(replay.body.error.code).to.equal('SM_CLIENT_STATE_FORGOTTEN');
    expect(replay.body.error.fields.sig).to.match(/Reset it/);
    expect(replay.body).to.not.have.property('entity');
  });

  it(`refuses the old state after ${3 * BOUND} new states sent within one session`, async () => {
    const { old } = await victim();
    const first = await fetch(`${url}/wallet/spend`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).to.match(/^sm\.sid=/);
    await flood(3 * BOUND, { cookie });
    const replay = await spend(old);
    expect([replay.status, replay.body.error.code]).to.deep.equal([409, 'SM_CLIENT_STATE_FORGOTTEN']);
  });

  it('keeps working for states signed after the flood, and for those still remembered', async () => {
    const { current } = await victim();
    const next = await spend(current);
    expect([next.status, held(next).credits]).to.deep.equal([200, 70]);
  });
});
