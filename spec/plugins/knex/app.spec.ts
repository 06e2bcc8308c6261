/**
 * The SQL plugin inside an app: found through the app's dependencies like any plugin, record
 * events persist rows, two kernels sharing one SQLite file lose no update, and closing the app
 * releases the database.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { consoleLogger, createApp, Entity, event, field, isStarmodelError, z, type App } from '../../../kernel/index.js';
import { KnexStore } from '../../../plugins/knex/index.js';
import { removeTempFolders, tempFolder } from './support.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

class Ledger extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(z.string().min(1)) owner = '';
  balance = 0;
  @event({ method: 'post' }) deposit(amount = 1) { this.balance += amount; }
}

/** An app folder depending on the SQL plugin only (node_modules is the repo's). */
function appFolder(): string {
  const dir = tempFolder('starmodel-sql-app-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ledger-app', private: true, type: 'module', dependencies: { '@starmodel/knex': '*' } }));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

async function sqlApp(dir: string, filename: string): Promise<App> {
  const app = await createApp({
    dir, ignoreConfigFile: true, entities: [Ledger], logger: consoleLogger('error'),
    pluginOptions: { '@starmodel/knex': { client: 'sqlite3', filename } },
  });
  await app.start();
  return app;
}

describe('SQL plugin in an app', function () {
  this.timeout(30_000);
  let dir: string;
  let filename: string;
  const apps: App[] = [];
  before(() => {
    dir = appFolder();
    filename = join(tempFolder(), 'app.sqlite');
  });
  after(async () => {
    for (const app of apps) await app.close();
    removeTempFolders();
  });

  it('is discovered from the app\'s dependencies and provides the "sql" store', async () => {
    const app = await sqlApp(dir, filename);
    apps.push(app);
    const report = app.describe().find((plugin) => plugin.name === '@starmodel/knex');
    expect(report?.provides).to.deep.equal(['store:sql']);
    // The plugin is loaded through node_modules, so its class is another module instance than this spec's import.
    const store = app.kernel.store('sql') as KnexStore | undefined;
    expect(store?.constructor.name).to.equal(KnexStore.name);
    expect(store?.database.description).to.equal(`SQLite file ${filename}`);
  });

  it('stores records created, changed and deleted through events as rows', async () => {
    const { kernel } = apps[0]!;
    const store = kernel.store('sql') as KnexStore;
    const created = await kernel.dispatch({ entity: Ledger, event: 'create', args: { owner: 'Ada' } });
    await kernel.dispatch({ entity: Ledger, event: 'deposit', id: created.id, args: { amount: 5 } });
    const row = (await store.knex('ledger').where('id', created.id).first()) as Record<string, unknown>;
    expect(row).to.include({ owner: 'Ada', balance: 5, version: 2 });
    expect((await Ledger.find({ where: { owner: 'Ada' } })).items.map((item) => item.balance)).to.deep.equal([5]);
    await kernel.dispatch({ entity: Ledger, event: 'delete', id: created.id });
    expect(await store.knex('ledger').where('id', created.id).first()).to.equal(undefined);
  });

  it('loses no update when two kernels on one SQLite file change the same record concurrently', async () => {
    const first = apps[0]!;
    const second = await sqlApp(dir, filename);
    apps.push(second);
    const { id } = await first.kernel.dispatch({ entity: Ledger, event: 'create', args: { owner: 'Shared' } });
    let conflicts = 0;
    const deposit = async (app: App) => {
      for (;;) {
        try {
          return await app.kernel.dispatch({ entity: Ledger, event: 'deposit', id, args: { amount: 1 } });
        } catch (error) {
          // The dispatcher already retried; the client is told to try again, and does.
          if (!isStarmodelError(error) || error.code !== 'SM_CONCURRENCY_CONFLICT') throw error;
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, index) => deposit(index % 2 === 0 ? first : second)));
    const loaded = await first.kernel.load(Ledger, {}, id);
    expect(loaded.balance, `after ${conflicts} conflicts reported to the client`).to.equal(40);
  });

  it('releases the database when the app closes', async () => {
    const app = apps.pop()!;
    const store = app.kernel.store('sql') as KnexStore;
    await app.close();
    expect(() => store.knex).to.throw().with.property('code', 'SM_STORE_UNAVAILABLE');
  });
});
