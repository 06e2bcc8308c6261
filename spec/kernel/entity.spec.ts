import { expect } from 'chai';
import { Entity, baseType, event, field, html, metaOf, versionOf, z } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith } from '../fixtures/errors.js';

class Profile extends Entity {
  static override scope = 'global' as const;
  name = 'Ada';
  age = 36;
  admin = false;
  tags: string[] = [];
  prefs: Record<string, unknown> = {};
  born = new Date('1815-12-10T00:00:00.000Z');
  @field(z.string().min(1).max(20)) title = 'Countess';
  @field(z.string(), { hidden: true }) secret = 's3cret';

  get greeting(): string {
    return `Hello, ${this.name}`;
  }

  @event() rename(name = '') {
    this.name = name;
  }

  @event() setBorn(at: Date) {
    this.born = at;
  }

  @event() retitle(title = '') {
    this.title = title;
  }

  @event() setAgeText(age = '') {
    this.age = age as unknown as number;
  }

  @event() touch() {
    this.age += 0;
  }

  @event() rotateSecret(secret = '') {
    this.secret = secret;
  }

  @event() renameAndRotate(name = '', secret = '') {
    this.name = name;
    this.secret = secret;
  }
}

class Visit extends Entity {
  static override ttl = 60;
  pages = 0;
  @event() view() {
    this.pages++;
  }
}

describe('Entity model', () => {
  let t: TestKernel;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Profile] });
  });

  afterEach(() => t.close());

  describe('fields', () => {
    it('infers a schema type for each field from its initializer', () => {
      const { fields } = metaOf(Profile);
      const types = Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, baseType(schema)]));
      expect(types).to.deep.equal({
        name: 'string', age: 'number', admin: 'boolean', tags: 'array', prefs: 'record', born: 'date', title: 'string', secret: 'string',
      });
    });

    it('keeps the initial values as the defaults of a new entity', async () => {
      const profile = await t.kernel.load(Profile);
      expect(profile.name).to.equal('Ada');
      expect(profile.age).to.equal(36);
      expect(profile.born).to.be.instanceOf(Date);
      expect(versionOf(profile)).to.equal(0);
    });

    it('stores a Date field and gives it back as a Date (and as ISO text in signals)', async () => {
      const result = await t.client().send(Profile, 'setBorn', { query: { at: '1906-12-09T00:00:00.000Z' } });
      expect(result.patch).to.deep.equal({ born: '1906-12-09T00:00:00.000Z' });
      const profile = await t.kernel.load(Profile);
      expect(profile.born).to.be.instanceOf(Date);
      expect(profile.born.toISOString()).to.equal('1906-12-09T00:00:00.000Z');
    });

    it('refuses an event that breaks a @field refinement, naming the field, and saves nothing', async () => {
      const client = t.client();
      await client.send(Profile, 'retitle', { query: { title: 'Dr' } });
      for (const title of ['', 'x'.repeat(21)]) {
        const error = await rejectsWith(client.send(Profile, 'retitle', { query: { title } }), 'SM_VALIDATION_FAILED');
        expect(error.fields).to.have.property('title');
      }
      const profile = await t.kernel.load(Profile);
      expect(profile.title).to.equal('Dr');
      expect(versionOf(profile)).to.equal(1);
    });

    it('never stores a value of the wrong type in a field', async () => {
      const client = t.client();
      const refusedOrStored = async (age: string) => {
        try {
          await client.send(Profile, 'setAgeText', { query: { age } });
        } catch (error) {
          expect(error).to.have.property('code', 'SM_VALIDATION_FAILED');
        }
      };
      await refusedOrStored('old');
      await refusedOrStored('40');
      const { age } = await t.kernel.load(Profile);
      expect(age, `age became ${JSON.stringify(age)}`).to.be.a('number');
    });

    it('validates whole records against the inferred types', () => {
      const { schema } = metaOf(Profile);
      const valid = { name: 'Ada', age: 1, admin: true, tags: ['x'], prefs: {}, born: new Date(), title: 'Dr', secret: 'x' };
      expect(schema.safeParse(valid).success).to.equal(true);
      expect(schema.safeParse({ ...valid, age: 'old' }).success).to.equal(false);
      expect(schema.safeParse({ ...valid, admin: 'yes' }).success).to.equal(false);
    });

    it('refines a field with @field(schema)', () => {
      const title = metaOf(Profile).fields.title!;
      expect(title.safeParse('Dr').success).to.equal(true);
      expect(title.safeParse('').success, 'min(1)').to.equal(false);
      expect(title.safeParse('x'.repeat(21)).success, 'max(20)').to.equal(false);
    });
  });

  describe('computed fields (getters)', () => {
    it('sends getters as signals', async () => {
      const signals = await t.client().signals(Profile);
      expect(signals.greeting).to.equal('Hello, Ada');
    });

    it('recomputes getters in the patch after an event', async () => {
      const result = await t.client().send(Profile, 'rename', { query: { name: 'Grace' } });
      expect(result.patch).to.deep.equal({ name: 'Grace', greeting: 'Hello, Grace' });
    });

    it('never accepts a getter (or any field) from client input', async () => {
      const client = t.client();
      await client.send(Profile, 'touch', { body: { Profile: { greeting: 'pwned', name: 'Mallory', age: 1 }, greeting: 'pwned', name: 'Mallory' } });
      const profile = await t.kernel.load(Profile);
      expect(profile.name).to.equal('Ada');
      expect(profile.age).to.equal(36);
      expect(profile.greeting).to.equal('Hello, Ada');
    });

    it('is not a stored field', () => {
      const meta = metaOf(Profile);
      expect(meta.computed).to.deep.equal(['greeting']);
      expect(Object.keys(meta.fields)).to.not.include('greeting');
    });
  });

  describe('hidden fields', () => {
    it('leaves hidden fields out of the signals', async () => {
      const signals = await t.client().signals(Profile);
      expect(signals).to.not.have.property('secret');
      expect(signals).to.include({ name: 'Ada' });
    });

    it('leaves hidden fields out of the rendered element', async () => {
      const profile = await t.kernel.load(Profile);
      expect(String(html`${profile}`)).to.not.include('s3cret');
    });

    it('leaves hidden fields out of patches and published changes', async () => {
      const client = t.client();
      const watch = client.watch(Profile);
      const result = await client.send(Profile, 'renameAndRotate', { query: { name: 'Grace', secret: 'n3w' } });
      watch.stop();
      expect(result.patch).to.deep.equal({ name: 'Grace', greeting: 'Hello, Grace' });
      expect(watch.changes).to.have.length(1);
      expect(watch.changes[0]!.patch).to.not.have.property('secret');
      expect(watch.changes[0]!.signals).to.not.have.property('secret');
    });

    it('still stores hidden fields on the server', async () => {
      await t.client().send(Profile, 'renameAndRotate', { query: { name: 'Grace', secret: 'n3w' } });
      expect((await t.kernel.load(Profile)).secret).to.equal('n3w');
    });

    it('stores an event that changes only a hidden field', async () => {
      await t.client().send(Profile, 'rotateSecret', { query: { secret: 'n3w' } });
      const profile = await t.kernel.load(Profile);
      expect(profile.secret).to.equal('n3w');
      expect(versionOf(profile)).to.equal(1);
    });
  });

  describe('static ttl', () => {
    it('forgets an entity once its ttl has passed since its last change', async () => {
      let now = 1_000_000;
      const timed = await createTestKernel({ entities: [Visit], memory: { sweepIntervalMs: 0, now: () => now } });
      try {
        const client = timed.client();
        await client.call(Visit, 'view');
        now += 59_000;
        await client.call(Visit, 'view');
        now += 59_000;
        expect((await client.signals(Visit)).pages, 'each change restarts the ttl').to.equal(2);
        now += 1_000;
        expect((await client.signals(Visit)).pages).to.equal(0);
        const fresh = await client.call(Visit, 'view');
        expect(fresh.version, 'an expired entity starts again').to.equal(1);
      } finally {
        await timed.close();
      }
    });
  });
});
