import { expect } from 'chai';
import {
  Entity, MemoryStore, VersionConflict, event, versionOf,
  type EntityMeta, type FindQuery, type FindResult, type SaveRequest, type Store, type StoredRecord,
} from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith } from '../fixtures/errors.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counts how many events run at once, across every entity. */
const running = { now: 0, max: 0 };

/** Resolves once `count` events are inside `meet()` at the same time (or after a guard delay). */
function meeting(count: number) {
  let arrived = 0;
  let open!: () => void;
  // The guard only keeps a broken (serialised) dispatcher from hanging the spec.
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const guard = setTimeout(() => open(), 2000);
  return async () => {
    arrived++;
    if (arrived >= count) {
      clearTimeout(guard);
      open();
    }
    await gate;
    return arrived >= count;
  };
}
let meet: () => Promise<boolean> = async () => true;

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) {
    this.count += amount;
  }
  @event() async slowIncrement() {
    running.now++;
    running.max = Math.max(running.max, running.now);
    await tick();
    await tick();
    this.count++;
    running.now--;
  }
}

class Room extends Entity {
  met = false;
  @event() async gather() {
    this.met = await meet();
  }
}

/** A memory store whose writes can be made to lose a race. */
class RacingStore implements Store {
  readonly inner = new MemoryStore({ sweepIntervalMs: 0 });
  saves = 0;
  /** Before the next save: another writer changes the record first (a real conflict). */
  interleave: ((meta: EntityMeta, id: string) => Promise<void>) | undefined;
  /** Every save conflicts. */
  alwaysConflict = false;

  get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    return this.inner.get(meta, id);
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    this.saves++;
    if (this.alwaysConflict) throw new VersionConflict(meta.name, request.id, request.expectedVersion, request.expectedVersion + 1);
    const other = this.interleave;
    this.interleave = undefined;
    if (other) await other(meta, request.id);
    return this.inner.save(meta, request);
  }

  delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    return this.inner.delete(meta, id, expectedVersion);
  }

  find(meta: EntityMeta, query: FindQuery): Promise<FindResult> {
    return this.inner.find(meta, query);
  }

  restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    return this.inner.restore(meta, id, previous, writtenVersion);
  }
}

class Shared extends Entity {
  static override scope = 'global' as const;
  static override store = 'shared';
  count = 0;
  @event() async increment() {
    await tick();
    this.count++;
  }
}

class Ledger extends Entity {
  static override scope = 'global' as const;
  static override store = 'flaky';
  balance = 0;
  runs = 0;
  @event() deposit(amount = 1) {
    this.balance += amount;
    this.runs++;
  }
}

describe('Dispatcher concurrency', () => {
  let t: TestKernel;
  let flaky: RacingStore;

  beforeEach(async () => {
    running.now = 0;
    running.max = 0;
    flaky = new RacingStore();
    t = await createTestKernel({
      entities: [Counter, Room, Ledger],
      maxAttempts: 4,
      plugins: { flaky: { setup: (api) => api.provideStore('flaky', flaky) } },
    });
  });

  afterEach(() => t.close());

  it('loses no update: 200 concurrent increments of one global entity end at exactly +200', async () => {
    await t.client().call(Counter, 'increment', 7);
    const clients = Array.from({ length: 20 }, () => t.client());
    await Promise.all(Array.from({ length: 200 }, (_, index) => clients[index % clients.length]!.call(Counter, 'increment', 1)));
    const counter = await t.kernel.load(Counter);
    expect(counter.count).to.equal(207);
    expect(versionOf(counter)).to.equal(201);
  });

  it('loses no update when two kernels (two processes) write one entity through a shared store', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const plugins = { shared: { setup: (api: { provideStore(name: string, store: Store): void }) => api.provideStore('shared', store) } };
    const one = await createTestKernel({ entities: [Shared], plugins, maxAttempts: 100 });
    const two = await createTestKernel({ entities: [Shared], plugins, maxAttempts: 100 });
    try {
      await Promise.all(Array.from({ length: 60 }, (_, index) => (index % 2 ? one : two).client().call(Shared, 'increment')));
      expect((await one.kernel.load(Shared)).count).to.equal(60);
      expect((await two.kernel.load(Shared)).count).to.equal(60);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('runs events on one entity one at a time', async () => {
    await Promise.all(Array.from({ length: 20 }, () => t.client().call(Counter, 'slowIncrement')));
    expect(running.max).to.equal(1);
    expect((await t.kernel.load(Counter)).count).to.equal(20);
  });

  it('runs events on different entities in parallel', async () => {
    meet = meeting(2);
    const alice = t.client();
    const bob = t.client();
    const [first, second] = await Promise.all([alice.call(Room, 'gather'), bob.call(Room, 'gather')]);
    expect(first.patch, 'both events were inside the method at once').to.deep.equal({ met: true });
    expect(second.patch).to.deep.equal({ met: true });
  });

  it('reloads and runs the event again when the store reports a version conflict', async () => {
    const client = t.client();
    await client.call(Ledger, 'deposit', 1);
    // While the next deposit runs, another process deposits 100 first.
    flaky.interleave = async (meta, id) => {
      const current = await flaky.inner.get(meta, id);
      await flaky.inner.save(meta, { id, state: { ...current!.state, balance: (current!.state.balance as number) + 100 }, expectedVersion: current!.version });
    };
    const result = await client.call(Ledger, 'deposit', 5);
    expect(result.patch).to.deep.equal({ balance: 106, runs: 2 });
    expect(result.version).to.equal(3);
    const ledger = await t.kernel.load(Ledger);
    expect(ledger.balance, 'neither deposit is lost').to.equal(106);
    expect(versionOf(ledger)).to.equal(3);
  });

  it('publishes only the attempt that won', async () => {
    const client = t.client();
    await client.call(Ledger, 'deposit', 1);
    const watch = client.watch(Ledger);
    flaky.interleave = async (meta, id) => {
      const current = await flaky.inner.get(meta, id);
      await flaky.inner.save(meta, { id, state: current!.state, expectedVersion: current!.version });
    };
    await client.call(Ledger, 'deposit', 5);
    watch.stop();
    expect(watch.changes.map((change) => change.version)).to.deep.equal([3]);
  });

  it('gives up after maxAttempts with SM_CONCURRENCY_CONFLICT (409) when the store always conflicts', async () => {
    flaky.alwaysConflict = true;
    const watch = t.client().watch(Ledger);
    const error = await rejectsWith(t.client().call(Ledger, 'deposit', 5), 'SM_CONCURRENCY_CONFLICT');
    watch.stop();
    expect(error.status).to.equal(409);
    expect(error.expose).to.equal(true);
    expect(error.message).to.include('Ledger').and.include('4 times');
    expect(flaky.saves).to.equal(4);
    expect(watch.changes).to.deep.equal([]);
    expect((await t.kernel.load(Ledger)).balance).to.equal(0);
  });
});
