import { expect } from 'chai';
import { Entity, event, versionOf, z } from '../../kernel/index.js';
import { createTestKernel, type TestClient, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith } from '../fixtures/errors.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  label = '';
  open = false;

  @event() increment(amount = 1) {
    this.count += amount;
  }

  @event() move(by = 1, label = 'moved') {
    this.count += by;
    this.label = label;
  }

  @event() setOpen(open = false) {
    this.open = open;
  }

  @event() rename(label: string) {
    this.label = label;
  }

  @event({ args: { n: z.number().int().min(1) } }) repeat(n: number) {
    this.count += n;
  }

  @event({ args: { tags: z.array(z.string()).max(2) } }) tag(tags: string[]) {
    this.label = tags.join(',');
  }
}

describe('Argument binding', () => {
  let t: TestKernel;
  let client: TestClient;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Counter] });
    client = t.client();
  });

  afterEach(() => t.close());

  const count = async () => (await t.kernel.load(Counter)).count;

  describe('sources', () => {
    it('takes positional arguments in parameter order', async () => {
      await t.kernel.dispatch({ entity: Counter, event: 'move', positional: [3, 'three'] });
      expect(await t.kernel.load(Counter)).to.include({ count: 3, label: 'three' });
    });

    it('takes named arguments', async () => {
      await t.kernel.dispatch({ entity: Counter, event: 'move', args: { label: 'named', by: 4 } });
      expect(await t.kernel.load(Counter)).to.include({ count: 4, label: 'named' });
    });

    it('uses the default when an argument is not given', async () => {
      await client.send(Counter, 'move');
      expect(await t.kernel.load(Counter)).to.include({ count: 1, label: 'moved' });
    });

    it('coerces query text to the type of the default, with no schema written', async () => {
      await client.send(Counter, 'increment', { query: { amount: '5' } });
      expect(await count()).to.equal(5);
    });

    it('accepts negative and decimal numbers from the query', async () => {
      await client.send(Counter, 'increment', { query: { amount: '-2.5' } });
      expect(await count()).to.equal(-2.5);
    });

    it("reads booleans from 'true' and from a checkbox's 'on'", async () => {
      await client.send(Counter, 'setOpen', { query: { open: 'true' } });
      expect((await t.kernel.load(Counter)).open).to.equal(true);
      await client.send(Counter, 'setOpen', { query: { open: 'false' } });
      expect((await t.kernel.load(Counter)).open).to.equal(false);
      await client.send(Counter, 'setOpen', { query: { open: 'on' } });
      expect((await t.kernel.load(Counter)).open).to.equal(true);
    });

    it("reads an argument from the entity's own signal namespace in the body", async () => {
      await client.send(Counter, 'increment', { body: { Counter: { amount: 3 } } });
      expect(await count()).to.equal(3);
    });

    it('reads an argument from a top-level body key', async () => {
      await client.send(Counter, 'increment', { body: { amount: 4 } });
      expect(await count()).to.equal(4);
    });

    it('prefers the namespaced signal over a top-level body key', async () => {
      await client.send(Counter, 'increment', { body: { amount: 4, Counter: { amount: 3 } } });
      expect(await count()).to.equal(3);
    });

    it('lets the URL query win over signals', async () => {
      await client.send(Counter, 'increment', { query: { amount: '5' }, body: { Counter: { amount: 3 }, amount: 4 } });
      expect(await count()).to.equal(5);
    });

    it("ignores other entities' signals", async () => {
      await client.send(Counter, 'increment', { body: { Other: { amount: 50 } } });
      expect(await count()).to.equal(1);
    });

    it('ignores unknown keys everywhere', async () => {
      const result = await client.send(Counter, 'increment', { query: { amount: '2', count: '100', evil: '<script>' }, body: { Counter: { count: 100, label: 'x' }, open: true } });
      expect(result.command.args).to.deep.equal({ amount: 2 });
      expect(await t.kernel.load(Counter)).to.include({ count: 2, label: '', open: false });
    });
  });

  describe('validation', () => {
    it('rejects a bad value with SM_VALIDATION_FAILED naming the argument, and changes nothing', async () => {
      await client.send(Counter, 'increment', { query: { amount: '1' } });
      const error = await rejectsWith(client.send(Counter, 'increment', { query: { amount: 'abc' } }), 'SM_VALIDATION_FAILED');
      expect(error.status).to.equal(400);
      expect(error.fields).to.have.property('amount').that.is.a('string');
      expect(error.toJSON().error.fields).to.deep.equal(error.fields);
      const counter = await t.kernel.load(Counter);
      expect(counter.count).to.equal(1);
      expect(versionOf(counter)).to.equal(1);
    });

    it('names every bad argument at once', async () => {
      const error = await rejectsWith(client.send(Counter, 'move', { query: { by: 'far', label: '7' }, body: { label: 7 } }), 'SM_VALIDATION_FAILED');
      expect(Object.keys(error.fields ?? {})).to.deep.equal(['by']);
      const both = await rejectsWith(t.kernel.dispatch({ entity: Counter, event: 'move', args: { by: 'far', label: 7 } }), 'SM_VALIDATION_FAILED');
      expect(Object.keys(both.fields ?? {}).sort()).to.deep.equal(['by', 'label']);
    });

    it("reports a missing required argument as 'Required'", async () => {
      const error = await rejectsWith(client.send(Counter, 'rename'), 'SM_VALIDATION_FAILED');
      expect(error.fields).to.deep.equal({ label: 'Required' });
    });

    it('enforces an explicit @event({ args }) schema', async () => {
      const zero = await rejectsWith(client.send(Counter, 'repeat', { query: { n: '0' } }), 'SM_VALIDATION_FAILED');
      expect(zero.fields).to.have.property('n');
      const fraction = await rejectsWith(client.send(Counter, 'repeat', { query: { n: '1.5' } }), 'SM_VALIDATION_FAILED');
      expect(fraction.fields).to.have.property('n');
      const missing = await rejectsWith(client.send(Counter, 'repeat'), 'SM_VALIDATION_FAILED');
      expect(missing.fields).to.deep.equal({ n: 'Required' });
      await client.send(Counter, 'repeat', { query: { n: '3' } });
      expect(await count()).to.equal(3);
    });

    it('coerces and checks every item of an array argument', async () => {
      await client.send(Counter, 'tag', { query: { tags: ['a', 'b'] } });
      expect((await t.kernel.load(Counter)).label).to.equal('a,b');
      await client.send(Counter, 'tag', { query: { tags: 'solo' } });
      expect((await t.kernel.load(Counter)).label).to.equal('solo');
      const error = await rejectsWith(client.send(Counter, 'tag', { query: { tags: ['a', 'b', 'c'] } }), 'SM_VALIDATION_FAILED');
      expect(error.fields).to.have.property('tags');
    });

    it('shows the validated arguments to dispatch taps', async () => {
      const seen: unknown[] = [];
      t.kernel.pluginApi('spy').hooks.dispatch.tap((command) => { seen.push(command.args); });
      await client.send(Counter, 'move', { query: { by: '2' } });
      expect(seen, 'arguments left out stay out; the method applies its defaults').to.deep.equal([{ by: 2 }]);
    });
  });
});
