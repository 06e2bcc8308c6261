import { expect } from 'chai';
import { Bus, Entity, entityTopic, event, REDACTED, typeTopic, type Change } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { recordingLogger, type RecordingLogger } from '../fixtures/logger.js';

class Cart extends Entity {
  items = 0;
  note = '';
  @event() add(count = 1, note = '') {
    this.items += count;
    this.note = note;
  }
}

class Inbox extends Entity {
  static override scope = 'user' as const;
  unread = 0;
  @event() receive() { this.unread++; }
}

describe('In-process bus', () => {
  let t: TestKernel;
  let log: RecordingLogger;

  beforeEach(async () => {
    log = recordingLogger();
    t = await createTestKernel({ entities: [Cart, Inbox], logger: log.logger });
  });

  afterEach(() => t.close());

  it('names a topic per entity and per type', () => {
    expect(entityTopic('Cart', 'abc')).to.equal('entity:Cart:abc');
    expect(typeTopic('Cart')).to.equal('type:Cart');
  });

  it("delivers a change to its entity's topic only, and to its type's topic", async () => {
    const alice = t.client();
    const bob = t.client();
    const ofAlice: Change[] = [];
    const ofBob: Change[] = [];
    const ofType: Change[] = [];
    t.kernel.bus.subscribe(entityTopic('Cart', alice.sessionId), (change) => ofAlice.push(change));
    t.kernel.bus.subscribe(entityTopic('Cart', bob.sessionId), (change) => ofBob.push(change));
    t.kernel.bus.subscribe(typeTopic('Cart'), (change) => ofType.push(change));
    await alice.call(Cart, 'add', 2, '');
    await bob.call(Cart, 'add', 1, '');
    expect(ofAlice.map((change) => change.id)).to.deep.equal([alice.sessionId]);
    expect(ofBob.map((change) => change.id)).to.deep.equal([bob.sessionId]);
    expect(ofType.map((change) => change.id)).to.deep.equal([alice.sessionId, bob.sessionId]);
  });

  it('carries type, id, version, patch, whole signals and the command', async () => {
    const client = t.client();
    const changes: Change[] = [];
    t.kernel.bus.subscribe(typeTopic('Cart'), (change) => changes.push(change));
    await client.call(Cart, 'add', 1, 'first');
    const before = Date.now();
    await client.send(Cart, 'add', { query: { count: '2' } });
    const after = Date.now();
    expect(changes).to.have.length(2);
    const change = changes[1]!;
    expect(change.type).to.equal('Cart');
    expect(change.id).to.equal(client.sessionId);
    expect(change.version).to.equal(2);
    expect(change.patch).to.deep.equal({ items: 3, note: '' });
    expect(change.signals).to.deep.equal({ id: client.sessionId, items: 3, note: '' });
    expect(change.elements).to.deep.equal([]);
    expect(change.origin).to.equal(t.kernel.instanceId);
    // The record says a session caused it, never which: the session id is redacted.
    expect(change.command).to.deep.include({ entity: 'Cart', event: 'add', args: { count: 2 }, actor: { sessionId: REDACTED } });
    expect(change.command.at).to.be.within(before, after);
  });

  it('names the signed-in user as the actor', async () => {
    const changes: Change[] = [];
    t.kernel.bus.subscribe(typeTopic('Inbox'), (change) => changes.push(change));
    const client = t.client({ user: { id: 'ada' } });
    await client.call(Inbox, 'receive');
    expect(changes[0]?.command.actor).to.deep.equal({ sessionId: REDACTED, userId: 'ada' });
  });

  it('stops delivering after unsubscribe and forgets empty topics', async () => {
    const client = t.client();
    const changes: Change[] = [];
    const topic = entityTopic('Cart', client.sessionId);
    const stop = t.kernel.bus.subscribe(topic, (change) => changes.push(change));
    expect(t.kernel.bus.listenerCount(topic)).to.equal(1);
    await client.call(Cart, 'add', 1, '');
    stop();
    await client.call(Cart, 'add', 1, '');
    expect(changes).to.have.length(1);
    expect(t.kernel.bus.listenerCount(topic)).to.equal(0);
  });

  it('keeps delivering to other listeners when one throws, and reports the error', async () => {
    const client = t.client();
    const changes: Change[] = [];
    t.kernel.bus.subscribe(typeTopic('Cart'), () => { throw new Error('listener broke'); });
    t.kernel.bus.subscribe(typeTopic('Cart'), (change) => changes.push(change));
    const result = await client.call(Cart, 'add', 1, '');
    expect(result.version).to.equal(1);
    expect(changes).to.have.length(1);
    expect(log.errors().join('\n')).to.include('listener broke');
  });

  it('works on its own, outside a kernel', () => {
    const errors: unknown[] = [];
    const bus = new Bus((error) => errors.push(error));
    const got: string[] = [];
    bus.subscribe('type:Thing', (change) => got.push(change.id));
    bus.subscribe('entity:Thing:1', () => { throw new Error('x'); });
    bus.deliver({ type: 'Thing', id: '1', version: 1, patch: {}, signals: {}, elements: [], origin: 'here', final: true, command: { entity: 'Thing', event: 'e', id: '1', args: {}, actor: {}, at: 0 } });
    expect(got).to.deep.equal(['1']);
    expect(errors).to.have.length(1);
  });
});
