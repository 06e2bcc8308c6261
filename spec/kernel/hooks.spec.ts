import { expect } from 'chai';
import {
  Entity, STAGE_AFTER_PERSIST, STAGE_DELIVER, STAGE_PERSIST, STAGE_TAKE_OVER, STAGE_VALIDATE,
  describeTaps, entityTopic, event, refuse, versionOf, type Change, type DispatchResult,
} from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith, rejection } from '../fixtures/errors.js';
import { recordingLogger, type RecordingLogger } from '../fixtures/logger.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  runs = 0;
  @event() increment(amount = 1) {
    this.count += amount;
    this.runs++;
  }
}

describe('Kernel hooks', () => {
  let t: TestKernel;
  let log: RecordingLogger;

  beforeEach(async () => {
    log = recordingLogger();
    t = await createTestKernel({ entities: [Counter], logger: log.logger });
  });

  afterEach(() => t.close());

  const hooksOf = (name: string) => t.kernel.pluginApi(name).hooks;

  describe('dispatch', () => {
    it('lets a tap take the command over: the method does not run and its result is returned', async () => {
      hooksOf('jobs').dispatch.tap((command): DispatchResult => ({
        type: command.entity, id: '', version: 0, patch: {}, signals: {}, elements: [], value: undefined,
        command: { entity: command.entity, event: command.event, id: command.id, args: command.args, actor: command.actor, at: command.at },
        takenOver: { by: 'jobs', status: 202, info: { queued: true } },
      }), { stage: STAGE_TAKE_OVER });
      const result = await t.client().call(Counter, 'increment', 5);
      expect(result.takenOver).to.deep.equal({ by: 'jobs', status: 202, info: { queued: true } });
      expect(result.command.args).to.deep.equal({ amount: 5 });
      const counter = await t.kernel.load(Counter);
      expect(counter.runs).to.equal(0);
      expect(versionOf(counter)).to.equal(0);
    });

    it('lets the command run when taps return nothing', async () => {
      hooksOf('audit').dispatch.tap(() => undefined);
      hooksOf('metrics').dispatch.tap(async () => { /* observe only */ });
      await t.client().call(Counter, 'increment', 2);
      expect((await t.kernel.load(Counter)).count).to.equal(2);
    });

    it('lets a tap refuse by throwing: the error reaches the caller and nothing changes', async () => {
      hooksOf('auth').dispatch.tap((command) => {
        if ((command.args.amount as number) > 10) refuse('Too much at once.');
      }, { stage: STAGE_VALIDATE });
      const watch = t.client().watch(Counter);
      const error = await rejectsWith(t.client().call(Counter, 'increment', 11), 'SM_EVENT_REFUSED');
      watch.stop();
      expect(error.message).to.equal('Too much at once.');
      expect(watch.changes).to.deep.equal([]);
      const counter = await t.kernel.load(Counter);
      expect(counter.count).to.equal(0);
      expect(versionOf(counter)).to.equal(0);
    });

    it('stops at the first tap that refuses: later taps do not run', async () => {
      const ran: string[] = [];
      hooksOf('late').dispatch.tap(() => { ran.push('late'); }, { stage: 10 });
      hooksOf('gate').dispatch.tap(() => { ran.push('gate'); throw new Error('closed'); }, { stage: -10 });
      expect(await rejection(t.client().call(Counter, 'increment'))).to.have.property('message', 'closed');
      expect(ran).to.deep.equal(['gate']);
    });

    it('shares context.locals between taps and can read the caller context', async () => {
      const seen: unknown[] = [];
      hooksOf('first').dispatch.tap((_command, context) => { context.locals.set('first', context.sessionId); }, { stage: -1 });
      hooksOf('second').dispatch.tap((_command, context) => { seen.push(context.locals.get('first')); });
      const client = t.client();
      await client.call(Counter, 'increment');
      expect(seen).to.deep.equal([client.sessionId]);
    });
  });

  describe('ordering', () => {
    it('orders taps by stage, not by registration order', async () => {
      const order: string[] = [];
      hooksOf('c-deliver').dispatch.tap(() => { order.push('c-deliver'); }, { stage: STAGE_DELIVER });
      hooksOf('a-validate').dispatch.tap(() => { order.push('a-validate'); }, { stage: STAGE_VALIDATE });
      hooksOf('b-default').dispatch.tap(() => { order.push('b-default'); });
      await t.client().call(Counter, 'increment');
      expect(order).to.deep.equal(['a-validate', 'b-default', 'c-deliver']);
    });

    it('puts a tap before the plugin it names with `before`', async () => {
      const order: string[] = [];
      hooksOf('audit').dispatch.tap(() => { order.push('audit'); });
      hooksOf('auth').dispatch.tap(() => { order.push('auth'); }, { before: 'audit' });
      await t.client().call(Counter, 'increment');
      expect(order).to.deep.equal(['auth', 'audit']);
    });

    it('describes every tap with its plugin name and stage, in running order', () => {
      hooksOf('@acme/audit').commit.tap(() => undefined, { stage: STAGE_AFTER_PERSIST });
      hooksOf('@acme/auth').dispatch.tap(() => undefined, { stage: STAGE_VALIDATE });
      hooksOf('@acme/lock').commit.tap(() => undefined, { stage: STAGE_VALIDATE });
      const taps = describeTaps(t.kernel.hooks);
      expect(taps.dispatch).to.deep.equal([{ name: '@acme/auth', stage: STAGE_VALIDATE }]);
      expect(taps.commit).to.deep.equal([
        { name: '@acme/lock', stage: STAGE_VALIDATE },
        { name: 'starmodel', stage: STAGE_PERSIST },
        { name: '@acme/audit', stage: STAGE_AFTER_PERSIST },
      ]);
      expect(taps.publish).to.deep.equal([{ name: 'starmodel', stage: STAGE_DELIVER }]);
    });
  });

  describe('the plugin facade', () => {
    it('can tap but cannot call any hook', () => {
      const api = t.kernel.pluginApi('@acme/plugin');
      expect(api.name).to.equal('@acme/plugin');
      for (const [name, hook] of Object.entries(api.hooks)) {
        expect(Object.keys(hook), name).to.deep.equal(['tap']);
        for (const method of ['call', 'callAsync', 'promise', 'intercept', 'taps']) {
          expect((hook as Record<string, unknown>)[method], `${name}.${method}`).to.equal(undefined);
        }
      }
    });
  });

  describe('commit', () => {
    it('sees the write about to happen: state, patch and expected version', async () => {
      const units: unknown[] = [];
      hooksOf('audit').commit.tap((unit) => {
        units.push({ id: unit.id, state: unit.state, patch: unit.patch, expectedVersion: unit.expectedVersion, saved: unit.saved?.version });
      }, { stage: STAGE_AFTER_PERSIST });
      await t.client().call(Counter, 'increment', 3);
      expect(units).to.deep.equal([{ id: 'global', state: { count: 3, runs: 1 }, patch: { count: 3, runs: 1 }, expectedVersion: 0, saved: 1 }]);
    });

    it('rolls back the entity and the store when a tap after the persist tap throws, and publishes nothing', async () => {
      const client = t.client();
      await client.call(Counter, 'increment', 1);
      let fail = true;
      hooksOf('audit').commit.tap(() => {
        if (fail) throw new Error('audit log is full');
      }, { stage: STAGE_AFTER_PERSIST });
      const changes: Change[] = [];
      const stop = t.kernel.bus.subscribe(entityTopic('Counter', 'global'), (change) => changes.push(change));
      const error = await rejection(client.call(Counter, 'increment', 5));
      stop();
      expect(error).to.have.property('message').that.includes('audit log is full');
      expect(changes, 'nothing published').to.deep.equal([]);
      const counter = await t.kernel.load(Counter);
      expect(counter.count).to.equal(1);
      expect(versionOf(counter)).to.equal(1);
      const stored = await t.kernel.store('memory')!.get(t.kernel.registry.get(Counter), 'global');
      expect(stored?.version).to.equal(1);
      expect(stored?.state).to.deep.equal({ count: 1, runs: 1 });

      fail = false;
      const next = await client.call(Counter, 'increment', 2);
      expect(next.version, 'the next event goes on from the restored version').to.equal(2);
      expect((await t.kernel.load(Counter)).count).to.equal(3);
    });

    it('removes a first save again when a later commit tap throws', async () => {
      hooksOf('audit').commit.tap(() => { throw new Error('no'); }, { stage: STAGE_AFTER_PERSIST });
      await rejection(t.client().call(Counter, 'increment'));
      expect(await t.kernel.store('memory')!.get(t.kernel.registry.get(Counter), 'global')).to.equal(undefined);
    });

    it('runs the undo actions of earlier taps in reverse order when a later tap throws', async () => {
      const undone: string[] = [];
      hooksOf('one').commit.tap((unit) => { unit.onRollback(() => { undone.push('one'); }); }, { stage: 10 });
      hooksOf('two').commit.tap((unit) => { unit.onRollback(() => { undone.push('two'); }); }, { stage: 20 });
      hooksOf('boom').commit.tap(() => { throw new Error('boom'); }, { stage: 30 });
      await rejection(t.client().call(Counter, 'increment'));
      expect(undone).to.deep.equal(['two', 'one']);
    });

    it('refuses before anything is written when a tap ahead of the persist tap throws', async () => {
      hooksOf('guard').commit.tap(() => { refuse('Read-only today.'); }, { stage: STAGE_VALIDATE });
      await rejectsWith(t.client().call(Counter, 'increment'), 'SM_EVENT_REFUSED');
      expect(await t.kernel.store('memory')!.get(t.kernel.registry.get(Counter), 'global')).to.equal(undefined);
    });
  });

  describe('publish', () => {
    it('receives each committed change', async () => {
      const seen: unknown[] = [];
      hooksOf('metrics').publish.tap((change) => { seen.push([change.type, change.version, change.patch]); });
      await t.client().call(Counter, 'increment', 2);
      expect(seen).to.deep.equal([['Counter', 1, { count: 2, runs: 1 }]]);
    });

    it('a throwing tap does not fail the event, other taps still run, and the error is logged', async () => {
      const seen: string[] = [];
      hooksOf('broken').publish.tap(() => { throw new Error('metrics server down'); }, { stage: 0 });
      hooksOf('audit').publish.tap((change) => { seen.push(`audit v${change.version}`); }, { stage: 10 });
      const watch = t.client().watch(Counter);
      const result = await t.client().call(Counter, 'increment', 2);
      watch.stop();
      expect(result.version).to.equal(1);
      expect((await t.kernel.load(Counter)).count).to.equal(2);
      expect(seen).to.deep.equal(['audit v1']);
      expect(watch.changes, 'the bus still delivers').to.have.length(1);
      expect(log.errors().join('\n')).to.include('metrics server down');
    });

    it('is not called when an event changes nothing', async () => {
      class Idle extends Entity {
        static override scope = 'global' as const;
        n = 0;
        @event() noop() { this.n = 0; }
      }
      t.kernel.register(Idle);
      const seen: Change[] = [];
      hooksOf('spy').publish.tap((change) => { seen.push(change); });
      await t.kernel.dispatch({ entity: Idle, event: 'noop' });
      expect(seen).to.deep.equal([]);
    });
  });

  describe('lifecycle', () => {
    it('runs close taps in reverse order of registration, even when one throws', async () => {
      const closed: string[] = [];
      hooksOf('first').close.tap(() => { closed.push('first'); });
      hooksOf('second').close.tap(() => { closed.push('second'); throw new Error('already closed'); });
      hooksOf('third').close.tap(async () => { closed.push('third'); });
      await t.close();
      expect(closed).to.deep.equal(['third', 'second', 'first']);
      expect(log.errors().join('\n')).to.include('already closed');
    });

    it('refuses events once closing with SM_KERNEL_CLOSED (503), and closing twice is harmless', async () => {
      await t.close();
      await t.close();
      const error = await rejectsWith(t.client().call(Counter, 'increment'), 'SM_KERNEL_CLOSED');
      expect(error.status).to.equal(503);
      expect(t.kernel.closing).to.equal(true);
    });

    it('runs setup before ready when the kernel starts', async () => {
      const order: string[] = [];
      const other = await createTestKernel({
        logger: log.logger,
        plugins: {
          lifecycle: {
            setup(api) {
              api.hooks.ready.tap(() => { order.push('ready'); });
              api.hooks.setup.tap(() => { order.push('setup'); });
            },
          },
        },
      });
      await other.close();
      expect(order).to.deep.equal(['setup', 'ready']);
    });
  });

  describe('the entity hook', () => {
    it('reports an async tap\'s rejection instead of dropping it, and still runs the other taps', async () => {
      class Later extends Entity {
        static override scope = 'global' as const;
        n = 0;
      }
      const seen: string[] = [];
      hooksOf('broken').entity.tap(async (meta) => { throw new Error(`cannot route ${meta.name}`); });
      hooksOf('fine').entity.tap((meta) => { seen.push(meta.name); });
      t.kernel.register(Later);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).to.deep.equal(['Later']);
      expect(log.errors().join('\n')).to.contain('cannot route Later').and.to.contain('broken');
    });
  });

  describe('ordering with before', () => {
    it('puts a `before` tap ahead of the named plugin even when taps of the same stage came after it', async () => {
      const order: string[] = [];
      hooksOf('audit').commit.tap(() => { order.push('audit'); }, { stage: 60 });
      hooksOf('mirror').commit.tap(() => { order.push('mirror'); }, { stage: 60 });
      hooksOf('guard').commit.tap(() => { order.push('guard'); }, { stage: 60, before: 'audit' });
      await t.client().call(Counter, 'increment');
      expect(order).to.deep.equal(['guard', 'audit', 'mirror']);
    });
  });
});
