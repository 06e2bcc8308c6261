import { expect } from 'chai';
import { Entity, baseType, event, metaOf } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith } from '../fixtures/errors.js';

// Module-level names that the event parameters below shadow. esbuild (which tsx uses) renames a
// shadowing parameter in the compiled code (`amount` becomes `amount2`), so the kernel must take
// parameter names from the original source.
const amount = 10;
const title = 'module title';
const STEP = 2;

class Wallet extends Entity {
  static override scope = 'global' as const;
  balance = 0;
  title = '';
  when = '';
  active = false;

  @event() add(amount = 1) {
    this.balance += amount;
  }

  @event() addTitled(amount = 1, title = 'deposit') {
    this.balance += amount;
    this.title = title;
  }

  @event() rename(title: string) {
    this.title = title;
  }

  @event() setBalance(value: number) {
    this.balance = value;
  }

  @event() activate(flag: boolean) {
    this.active = flag;
  }

  @event() schedule(at: Date) {
    this.when = at.toISOString();
  }

  @event() maybeRename(title?: string) {
    this.title = title ?? 'untitled';
  }

  @event() addThousands(amount = 1_000) {
    this.balance += amount;
  }

  @event() addTypedStep(amount: number = STEP) {
    this.balance += amount;
  }

  @event()
  spread(
    first = 1, // the first part
    /* the second part */ second = 2,
  ) {
    this.balance += first * 10 + second;
  }
}

describe('Event parameters read from the source', () => {
  let t: TestKernel;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Wallet] });
  });

  afterEach(() => t.close());

  it('binds a parameter that shadows a module-level name by its written name', async () => {
    expect(amount).to.equal(10);
    await t.client().send(Wallet, 'add', { query: { amount: '2' } });
    expect((await t.kernel.load(Wallet)).balance).to.equal(2);
    expect(metaOf(Wallet).events.get('add')?.args.map((arg) => arg.name)).to.deep.equal(['amount']);
  });

  it('binds several shadowing parameters and keeps their defaults', async () => {
    expect(title).to.equal('module title');
    await t.client().send(Wallet, 'addTitled', { query: { title: 'salary' } });
    expect(await t.kernel.load(Wallet)).to.include({ balance: 1, title: 'salary' });
  });

  it('gives a TS-annotated parameter without default its declared type and makes it required', async () => {
    const [arg] = metaOf(Wallet).events.get('rename')!.args;
    expect(arg?.name).to.equal('title');
    expect(arg?.optional).to.equal(false);
    expect(baseType(arg!.schema)).to.equal('string');
    const missing = await rejectsWith(t.client().send(Wallet, 'rename'), 'SM_VALIDATION_FAILED');
    expect(missing.fields).to.deep.equal({ title: 'Required' });
    const wrong = await rejectsWith(t.kernel.dispatch({ entity: Wallet, event: 'rename', args: { title: 5 } }), 'SM_VALIDATION_FAILED');
    expect(wrong.fields).to.have.property('title');
    await t.client().send(Wallet, 'rename', { query: { title: 'Savings' } });
    expect((await t.kernel.load(Wallet)).title).to.equal('Savings');
  });

  it('coerces query text for number, boolean and Date annotations', async () => {
    const client = t.client();
    await client.send(Wallet, 'setBalance', { query: { value: '42' } });
    await client.send(Wallet, 'activate', { query: { flag: 'on' } });
    await client.send(Wallet, 'schedule', { query: { at: '2030-01-02T03:04:05.000Z' } });
    expect(await t.kernel.load(Wallet)).to.include({ balance: 42, active: true, when: '2030-01-02T03:04:05.000Z' });
    const bad = await rejectsWith(client.send(Wallet, 'setBalance', { query: { value: 'lots' } }), 'SM_VALIDATION_FAILED');
    expect(bad.fields).to.have.property('value');
  });

  it('treats an optional parameter (`title?: string`) as optional', async () => {
    await t.client().send(Wallet, 'maybeRename');
    expect((await t.kernel.load(Wallet)).title).to.equal('untitled');
  });

  it('uses an annotated type when the default is not a literal', async () => {
    await t.client().send(Wallet, 'addTypedStep', { query: { amount: '5' } });
    await t.client().send(Wallet, 'addTypedStep');
    expect((await t.kernel.load(Wallet)).balance).to.equal(7);
  });

  it('reads a numeric default written with separators (1_000) as a number', async () => {
    await t.client().send(Wallet, 'addThousands', { query: { amount: '5' } });
    await t.client().send(Wallet, 'addThousands');
    expect((await t.kernel.load(Wallet)).balance).to.equal(1005);
  });

  it('refuses, at registration, a parameter whose type cannot be read, naming it and saying how to declare it', async () => {
    // A default that is an expression (not a literal) and no annotation: the kernel cannot know the
    // type, and handing query text to the method would be wrong, so the class is refused up front.
    class Untyped extends Entity {
      static override scope = 'global' as const;
      balance = 0;
      @event() addStep(amount = STEP) {
        this.balance += amount;
      }
    }
    const error = (() => {
      try {
        metaOf(Untyped);
      } catch (thrown) {
        return thrown as { code?: string; message?: string };
      }
      return undefined;
    })();
    expect(error?.code).to.equal('SM_ENTITY_INVALID');
    expect(error?.message).to.include('"amount"').and.include('addStep').and.include('args');
  });

  it('reads literal unions, arrays and optional annotations', async () => {
    class Typed extends Entity {
      static override scope = 'global' as const;
      mode = '';
      tags: string[] = [];
      @event() setMode(mode: 'fast' | 'slow', tags: string[], note: string | undefined) {
        this.mode = mode;
        this.tags = tags;
        void note;
      }
    }
    const k = await createTestKernel({ entities: [Typed] });
    try {
      await k.client().send(Typed, 'setMode', { query: { mode: 'slow', tags: 'a' } });
      expect(await k.kernel.load(Typed)).to.deep.include({ mode: 'slow', tags: ['a'] });
      const bad = await rejectsWith(k.client().send(Typed, 'setMode', { query: { mode: 'medium', tags: 'a' } }), 'SM_VALIDATION_FAILED');
      expect(bad.fields).to.have.property('mode');
    } finally {
      await k.close();
    }
  });

  it('reads parameters written over several lines with comments', async () => {
    expect(metaOf(Wallet).events.get('spread')?.args.map((arg) => arg.name)).to.deep.equal(['first', 'second']);
    await t.client().send(Wallet, 'spread', { query: { first: '3', second: '4' } });
    expect((await t.kernel.load(Wallet)).balance).to.equal(34);
  });
});
