/**
 * The example third-party plugin (sandbox/plugins/audit-log): loaded from its package.json like any
 * plugin, it records every command in the same unit of work as the change.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { createApp, consoleLogger, Entity, event, STAGE_AFTER_PERSIST, type App } from '../../../kernel/index.js';
import { AuditEntry } from '../../../sandbox/plugins/audit-log/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

class Ledger extends Entity {
  static override scope = 'global' as const;
  total = 0;
  @event() add(amount = 1) { this.total += amount; }
  @event() addUnlucky(amount = 13) { this.total += amount; }
}

describe('example plugin: starmodel-audit-log', () => {
  let app: App;
  before(async () => {
    app = await createApp({
      dir: root, ignoreConfigFile: true, entities: [Ledger], logger: consoleLogger('error'),
      pluginOptions: { './sandbox/plugins/audit-log': {}, '@starmodel/koa': { listen: false } },
    });
    // A later commit tap that refuses one event, to show the audit row is undone with it.
    app.kernel.pluginApi('spec-refuser').hooks.commit.tap((unit) => {
      if (unit.command.event === 'addUnlucky') throw new Error('refused by policy');
    }, { stage: STAGE_AFTER_PERSIST + 10 });
    await app.start();
  });
  after(() => app.close());

  it('is found through its package.json manifest and taps commit', () => {
    const report = app.describe().find((plugin) => plugin.name === 'starmodel-audit-log');
    expect(report?.provides).to.deep.equal(['audit']);
    expect(report?.taps).to.include(`commit@${STAGE_AFTER_PERSIST}`);
  });

  it('records each command with its entity, event, arguments, actor and version', async () => {
    await app.kernel.dispatch({ entity: Ledger, event: 'add', args: { amount: 5 } }, { sessionId: 'alice' });
    const { items } = await AuditEntry.find({ where: { entity: 'Ledger', event: 'add' } });
    expect(items).to.have.length(1);
    // The session is never named (its id keys the browser's cookie): an anonymous actor is 'anonymous'.
    expect(items[0]).to.deep.include({ entityId: 'global', args: '{"amount":5}', actor: 'anonymous', version: 1 });
  });

  it('leaves no audit row when a later commit tap refuses the change', async () => {
    let refused: unknown;
    await app.kernel.dispatch({ entity: Ledger, event: 'addUnlucky' }, { sessionId: 'bob' }).catch((error: unknown) => (refused = error));
    expect(refused).to.have.property('code', 'SM_STORE_FAILED');
    expect((await AuditEntry.find({ where: { event: 'addUnlucky' } })).total).to.equal(0);
    expect((await app.kernel.load(Ledger)).total).to.equal(5);
  });
});

describe('example plugin: starmodel-audit-log keeps a bounded number of rows', () => {
  let app: App;
  const maxRows = 25;
  before(async () => {
    app = await createApp({
      dir: root, ignoreConfigFile: true, entities: [Ledger], logger: consoleLogger('error'),
      pluginOptions: { './sandbox/plugins/audit-log': { maxRows }, '@starmodel/koa': { listen: false } },
    });
    await app.start();
  });
  after(() => app.close());

  it(`after maxRows + N events only maxRows remain, the newest kept`, async () => {
    const events = maxRows + 40;
    for (let amount = 1; amount <= events; amount++) await app.kernel.dispatch({ entity: Ledger, event: 'add', args: { amount } }, { locals: new Map() });
    const { items, total } = await AuditEntry.find({ orderBy: [{ field: 'at' }], limit: 1000 });
    expect(total).to.equal(maxRows);
    const amounts = items.map((item) => (JSON.parse(item.args) as { amount: number }).amount).sort((a, b) => a - b);
    expect(amounts).to.deep.equal(Array.from({ length: maxRows }, (_, index) => events - maxRows + 1 + index));
  });

  it('refuses a maxRows that is not a whole number of at least 1, naming the option', async () => {
    for (const bad of [0, -5, 2.5, '1000']) {
      const refusal = await createApp({
        dir: root, ignoreConfigFile: true, entities: [], logger: consoleLogger('silent'),
        pluginOptions: { './sandbox/plugins/audit-log': { maxRows: bad }, '@starmodel/koa': { listen: false } },
      }).then((made) => made.close().then(() => undefined), (error: unknown) => error);
      expect(refusal, `maxRows: ${String(bad)}`).to.have.property('code', 'SM_CONFIG_INVALID');
      expect((refusal as Error).message).to.contain('maxRows');
    }
  });
});
