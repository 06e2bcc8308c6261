/**
 * The bus between instances, with two kernels in this process sharing one Redis prefix (the same
 * wiring as two processes: separate connections, separate instance ids).
 *
 * "Exactly once" is checked without waiting for a quiet period: each scenario ends with a marker
 * change from the other kernel. Redis delivers a channel's messages in the order it received
 * them, so once the marker arrived, any duplicate or echo of earlier changes would have too.
 */
import { expect } from 'chai';
import { Entity, event, type Change } from '../../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js';
import redisPlugin, { connectionLabel } from '../../../plugins/redis/index.js';
import { dropPrefix, eventually, killConnection, redisUrl, uniquePrefix } from './support.js';

/** Shared between instances through Redis. */
class SharedCounter extends Entity {
  static override scope = 'global' as const;
  static override store = 'redis';
  count = 0;
  @event() increment(amount = 1) {
    this.count += amount;
  }
}

/** Kept in each process's memory: its changes mean nothing to another instance. */
class LocalCounter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) {
    this.count += amount;
  }
}

describe('@starmodel/redis bus between instances', function () {
  this.timeout(20_000);
  const prefix = uniquePrefix('bridge');
  let url: string;
  let first: TestKernel;
  let second: TestKernel;

  const start = (options: Record<string, unknown> = {}) => createTestKernel({ entities: [SharedCounter, LocalCounter], plugins: { '@starmodel/redis': redisPlugin({ url, prefix, ...options }) } });

  before(async function () {
    const found = await redisUrl(this);
    if (!found) return;
    url = found;
    first = await start();
    second = await start();
  });
  after(async () => {
    await first?.close();
    await second?.close();
    if (url) await dropPrefix(url, prefix);
  });

  /** Collects what each kernel's bus delivers for one entity. */
  function watchBoth(cls: typeof SharedCounter | typeof LocalCounter) {
    const onFirst = first.client().watch(cls);
    const onSecond = second.client().watch(cls);
    return { onFirst, onSecond, stop: () => { onFirst.stop(); onSecond.stop(); } };
  }

  const versions = (changes: Change[]) => changes.map((change) => change.version);

  it('delivers each change made on one instance to the other\'s bus exactly once, and never back to its own', async () => {
    const { onFirst, onSecond, stop } = watchBoth(SharedCounter);
    try {
      const made: number[] = [];
      for (let step = 0; step < 5; step++) made.push((await first.client().call(SharedCounter, 'increment', 1)).version);
      const marker = (await second.client().call(SharedCounter, 'increment', 100)).version;
      await eventually('the marker on the first instance', () => (onFirst.changes.some((change) => change.version === marker) ? true : undefined));
      await eventually('every change on the second instance', () => (onSecond.changes.length >= made.length + 1 ? true : undefined));

      expect(versions(onSecond.changes)).to.deep.equal([...made, marker]);
      expect(versions(onFirst.changes), 'the first instance hears its own changes once (locally) and the marker once').to.deep.equal([...made, marker]);
      expect(onSecond.changes.slice(0, 5).every((change) => change.origin === first.kernel.instanceId)).to.equal(true);
      expect(onSecond.changes.at(-1)?.signals.count, 'the second instance sees the whole state after both instances\' increments').to.equal(105);
      expect(second.kernel.service('redis')!.bridgeStats().received).to.be.at.least(5);
    } finally {
      stop();
    }
  });

  it('carries the whole change: patch, whole signals, elements and the command', async () => {
    const { onSecond, stop } = watchBoth(SharedCounter);
    try {
      const result = await first.client().call(SharedCounter, 'increment', 7);
      const [change] = await eventually('the change on the second instance', () => (onSecond.changes.length > 0 ? onSecond.changes : undefined));
      expect(change).to.deep.include({ type: 'SharedCounter', id: 'global', version: result.version, patch: { count: result.signals.count }, signals: result.signals, elements: [] });
      expect(change?.command).to.deep.include({ entity: 'SharedCounter', event: 'increment', args: { amount: 7 } });
    } finally {
      stop();
    }
  });

  it('does not send changes of entities kept in process memory (another instance holds a different state for them)', async () => {
    const local = watchBoth(LocalCounter);
    const shared = watchBoth(SharedCounter);
    try {
      await first.client().call(LocalCounter, 'increment', 1);
      const marker = (await first.client().call(SharedCounter, 'increment', 1)).version;
      await eventually('the marker on the second instance', () => (shared.onSecond.changes.some((change) => change.version === marker) ? true : undefined));
      expect(local.onFirst.changes).to.have.length(1);
      expect(local.onSecond.changes).to.deep.equal([]);
    } finally {
      local.stop();
      shared.stop();
    }
  });

  it('tells its live streams to resend the whole state when its subscription to Redis was cut and came back', async () => {
    const resyncs: (string | undefined)[] = [];
    const stopListening = second.kernel.bus.onResync((type) => resyncs.push(type));
    try {
      const killed = await killConnection(url, `${connectionLabel(prefix, second.kernel.instanceId)}-subscriber`);
      expect(killed, 'the second instance\'s subscriber connection was found and cut').to.equal(1);
      await eventually('a resync after the reconnect', () => (resyncs.length > 0 ? true : undefined));
      expect(resyncs).to.deep.equal([undefined]);
      // And the subscription works again, still exactly once.
      const { onSecond, stop } = watchBoth(SharedCounter);
      try {
        const made = (await first.client().call(SharedCounter, 'increment', 1)).version;
        const marker = (await first.client().call(SharedCounter, 'increment', 1)).version;
        await eventually('both changes', () => (onSecond.changes.length >= 2 ? true : undefined));
        expect(versions(onSecond.changes)).to.deep.equal([made, marker]);
      } finally {
        stop();
      }
    } finally {
      stopListening();
    }
  });

  it('tells the other instances to resend the whole state when it could not send a change', async () => {
    // Sharing memory entities here makes a change whose commit succeeds while its publish cannot.
    const sender = await start({ localStores: [] });
    const resyncs: (string | undefined)[] = [];
    const stopListening = second.kernel.bus.onResync((type) => resyncs.push(type));
    try {
      const service = sender.kernel.service('redis')!;
      await killConnection(url, `${connectionLabel(prefix, sender.kernel.instanceId)}-commands`);
      await eventually('the sender to notice the cut', async () => ((await service.ping()).ok ? undefined : true), 5000, 1);
      await sender.client().call(LocalCounter, 'increment', 1);
      expect(service.bridgeStats().missed).to.equal(1);
      await eventually('the other instance to be told to resync', () => (resyncs.length > 0 ? true : undefined));
      expect((await service.ping()).ok).to.equal(true);
    } finally {
      stopListening();
      await sender.close();
    }
  });
});
