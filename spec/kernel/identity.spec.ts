import { expect } from 'chai';
import { Entity, GLOBAL_ID, event, type IdentifyContext } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith } from '../fixtures/errors.js';

class Cart extends Entity {
  items = 0;
  @event() add(count = 1) { this.items += count; }
}

class Hits extends Entity {
  static override scope = 'global' as const;
  hits = 0;
  @event() hit() { this.hits++; }
}

class Inbox extends Entity {
  static override scope = 'user' as const;
  unread = 0;
  @event() receive() { this.unread++; }
}

class Note extends Entity {
  static override scope = 'record' as const;
  text = '';
  @event() write(text = '') { this.text = text; }
  @event({ method: 'post' }) static create(text = '') {
    const note = new Note();
    note.text = text;
    return note;
  }
}

/** One board per team: the team is the user's first role. */
class TeamBoard extends Entity {
  static override identify = (context: IdentifyContext) => context.user?.roles?.[0];
  posts = 0;
  @event() post() { this.posts++; }
}

describe('Scopes (which entity a request addresses)', () => {
  let t: TestKernel;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Cart, Hits, Inbox, Note, TeamBoard] });
  });

  afterEach(() => t.close());

  describe('session (the default)', () => {
    it('gives every session its own entity, keyed by the session id', async () => {
      const alice = t.client();
      const bob = t.client();
      await alice.call(Cart, 'add', 2);
      await bob.call(Cart, 'add', 5);
      await alice.call(Cart, 'add', 1);
      expect((await alice.signals(Cart)).items).to.equal(3);
      expect((await bob.signals(Cart)).items).to.equal(5);
      expect((await alice.signals(Cart)).id).to.equal(alice.sessionId);
    });

    it('refuses a request without a session with SM_SCOPE_NO_SESSION', async () => {
      const error = await rejectsWith(t.kernel.dispatch({ entity: Cart, event: 'add' }), 'SM_SCOPE_NO_SESSION');
      expect(error.status).to.equal(400);
    });
  });

  describe('global', () => {
    it('shares one entity between every session', async () => {
      await t.client().call(Hits, 'hit');
      await t.client().call(Hits, 'hit');
      const signals = await t.client().signals(Hits);
      expect(signals).to.include({ id: GLOBAL_ID, hits: 2 });
    });

    it('needs no session', async () => {
      const result = await t.kernel.dispatch({ entity: Hits, event: 'hit' });
      expect(result.id).to.equal(GLOBAL_ID);
    });
  });

  describe('user', () => {
    it('shares the entity between the sessions of one user and separates users', async () => {
      const laptop = t.client({ user: { id: 'ada' } });
      const phone = t.client({ user: { id: 'ada' } });
      const other = t.client({ user: { id: 'grace' } });
      await laptop.call(Inbox, 'receive');
      await phone.call(Inbox, 'receive');
      await other.call(Inbox, 'receive');
      expect(await phone.signals(Inbox)).to.include({ id: 'ada', unread: 2 });
      expect(await other.signals(Inbox)).to.include({ id: 'grace', unread: 1 });
    });

    it('refuses an anonymous request with SM_SCOPE_NO_USER (401)', async () => {
      const error = await rejectsWith(t.client().call(Inbox, 'receive'), 'SM_SCOPE_NO_USER');
      expect(error.status).to.equal(401);
    });
  });

  describe('record', () => {
    it('addresses the record named by the request', async () => {
      const client = t.client();
      const created = await client.send(Note, 'create', { query: { text: 'first' } });
      await client.send(Note, 'write', { id: created.id, query: { text: 'edited' } });
      expect(await client.signals(Note, created.id)).to.include({ id: created.id, text: 'edited' });
    });

    it('refuses a request that names no record with SM_RECORD_ID_MISSING', async () => {
      const error = await rejectsWith(t.client().send(Note, 'write', { query: { text: 'x' } }), 'SM_RECORD_ID_MISSING');
      expect(error.message).to.include('/note/<id>/<event>');
    });

    it('refuses an unknown record with SM_RECORD_NOT_FOUND (404) and creates nothing', async () => {
      const error = await rejectsWith(t.client().send(Note, 'write', { id: 'missing', query: { text: 'x' } }), 'SM_RECORD_NOT_FOUND');
      expect(error.status).to.equal(404);
      expect((await t.kernel.find(Note)).total).to.equal(0);
    });
  });

  describe('custom static identify()', () => {
    it('uses the id that identify() returns', async () => {
      const ada = t.client({ user: { id: 'ada', roles: ['blue'] } });
      const grace = t.client({ user: { id: 'grace', roles: ['blue'] } });
      const alan = t.client({ user: { id: 'alan', roles: ['red'] } });
      await ada.call(TeamBoard, 'post');
      await grace.call(TeamBoard, 'post');
      await alan.call(TeamBoard, 'post');
      expect(await ada.signals(TeamBoard)).to.include({ id: 'blue', posts: 2 });
      expect(await alan.signals(TeamBoard)).to.include({ id: 'red', posts: 1 });
    });

    it('refuses a request for which identify() returns nothing with SM_SCOPE_NO_IDENTITY', async () => {
      await rejectsWith(t.client().call(TeamBoard, 'post'), 'SM_SCOPE_NO_IDENTITY');
    });
  });
});
