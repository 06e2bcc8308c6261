import { join } from 'node:path';
import { expect } from 'chai';
import { Entity, createApp, event, type App } from '../../kernel/index.js';
import { rejectsWith } from '../fixtures/errors.js';
import { recordingLogger } from '../fixtures/logger.js';
import { makeFixtureApp, manifest, removeFixtureApps } from '../fixtures/plugin-apps.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
}

/** A plugin entry (plain JS) that records what it was given on globalThis under `key`. */
const recordingPluginJs = (key: string) => `
export default (options) => ({
  setup(api) {
    const seen = (globalThis[${JSON.stringify(key)}] ??= { options, names: [], events: [] });
    seen.names.push(api.name);
    api.hooks.dispatch.tap((command) => { seen.events.push(command.event); }, { stage: -100 });
    api.hooks.commit.tap(() => {}, { stage: 50 });
    api.hooks.publish.tap(() => {});
    api.hooks.close.tap(() => { seen.closed = true; });
  },
});
`;

/** The same plugin written in TypeScript. */
const typedPluginTs = (key: string) => `
interface Options { readonly greeting?: string }
interface Api { readonly name: string; hooks: { ready: { tap(fn: () => void): void } } }
export default (options: Options) => ({
  setup(api: Api): void {
    const store = globalThis as unknown as Record<string, unknown>;
    api.hooks.ready.tap(() => { store[${JSON.stringify(key)}] = \`\${options.greeting ?? 'hello'} from \${api.name}\`; });
  },
});
`;

interface Seen { options: Record<string, unknown>; names: string[]; events: string[]; closed?: boolean }
const seenBy = (key: string) => (globalThis as unknown as Record<string, Seen | undefined>)[key];

describe('createApp', () => {
  const apps: App[] = [];
  const open = async (...args: Parameters<typeof createApp>) => {
    const app = await createApp(...args);
    apps.push(app);
    return app;
  };

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  after(removeFixtureApps);

  it('loads a discovered plugin, passes it the options from starmodel.config.ts and lists the hooks it tapped', async () => {
    const key = `__sm_spec_${Math.random().toString(36).slice(2)}`;
    const dir = makeFixtureApp({
      dependencies: ['@acme/recorder'],
      packages: [{ name: '@acme/recorder', version: '1.2.3', starmodel: manifest({ provides: ['recording'] }), files: { 'index.js': recordingPluginJs(key) } }],
      files: { 'starmodel.config.ts': "export default { plugins: { '@acme/recorder': { greeting: 'hi', depth: 2 } } };\n" },
    });
    const app = await open({ dir, entities: [Counter], logger: recordingLogger().logger });
    expect(app.configFile).to.equal(join(dir, 'starmodel.config.ts'));
    expect(seenBy(key)?.options).to.deep.equal({ greeting: 'hi', depth: 2 });
    expect(seenBy(key)?.names, 'taps carry the package name').to.deep.equal(['@acme/recorder']);
    const [report] = app.describe();
    expect(report).to.deep.include({ name: '@acme/recorder', version: '1.2.3', source: 'dependency', provides: ['recording'], requires: [] });
    expect(report?.taps).to.have.members(['dispatch@-100', 'commit@50', 'publish@0', 'close@0']);

    await app.start();
    await app.kernel.dispatch({ entity: Counter, event: 'increment' });
    expect(seenBy(key)?.events).to.deep.equal(['increment']);
    await app.close();
    expect(seenBy(key)?.closed).to.equal(true);
  });

  it('loads a plugin entry written in TypeScript, added by path from package.json config', async () => {
    const key = `__sm_spec_${Math.random().toString(36).slice(2)}`;
    const dir = makeFixtureApp({
      packageJson: { starmodel: { plugins: { './plugins/greeter': { greeting: 'bonjour' } } } },
      packages: [{ name: 'greeter', at: 'plugins/greeter', starmodel: manifest({ plugin: './index.ts' }), files: { 'index.ts': typedPluginTs(key) } }],
    });
    const app = await open({ dir, logger: recordingLogger().logger });
    expect(app.plan.map((item) => [item.name, item.source])).to.deep.equal([['greeter', 'config']]);
    await app.start();
    expect((globalThis as unknown as Record<string, unknown>)[key]).to.equal('bonjour from greeter');
    expect(app.describe()[0]?.taps).to.deep.equal(['ready@0']);
  });

  it('merges pluginOptions over the config file', async () => {
    const key = `__sm_spec_${Math.random().toString(36).slice(2)}`;
    const dir = makeFixtureApp({
      dependencies: ['rec'],
      packages: [{ name: 'rec', starmodel: manifest(), files: { 'index.js': recordingPluginJs(key) } }],
      files: { 'starmodel.config.ts': "export default { plugins: { rec: { a: 1, b: 1 } } };\n" },
    });
    await open({ dir, pluginOptions: { rec: { b: 2 } }, logger: recordingLogger().logger });
    expect(seenBy(key)?.options).to.deep.equal({ a: 1, b: 2 });
  });

  it('registers the entities named in the config', async () => {
    const dir = makeFixtureApp({});
    const app = await open({ dir, ignoreConfigFile: true, config: { entities: [Counter] }, logger: recordingLogger().logger });
    await app.start();
    const result = await app.kernel.dispatch({ entity: 'Counter', event: 'increment', query: { amount: '3' } });
    expect(result.patch).to.deep.equal({ count: 3 });
  });

  it('fails with SM_CONFIG_INVALID naming the file and the key when the config is invalid', async () => {
    const dir = makeFixtureApp({ files: { 'starmodel.config.ts': 'export default { plugins: 5 };\n' } });
    const error = await rejectsWith(createApp({ dir }), 'SM_CONFIG_INVALID');
    expect(error.message).to.include(join(dir, 'starmodel.config.ts')).and.include('"plugins"');
  });

  it('fails with SM_PLUGIN_LOAD_FAILED naming the plugin when its entry is missing', async () => {
    const dir = makeFixtureApp({ dependencies: ['ghost'], packages: [{ name: 'ghost', starmodel: manifest() }] });
    const error = await rejectsWith(createApp({ dir, logger: recordingLogger().logger }), 'SM_PLUGIN_LOAD_FAILED');
    expect(error.message).to.include('ghost').and.include('index.js');
  });

  it('fails with SM_PLUGIN_LOAD_FAILED when the default export is not a factory', async () => {
    const dir = makeFixtureApp({ dependencies: ['odd'], packages: [{ name: 'odd', starmodel: manifest(), files: { 'index.js': 'export default { setup() {} };\n' } }] });
    const error = await rejectsWith(createApp({ dir, logger: recordingLogger().logger }), 'SM_PLUGIN_LOAD_FAILED');
    expect(error.message).to.include('odd').and.include('default export');
  });

  it('fails with SM_PLUGIN_LOAD_FAILED naming the plugin when its setup throws', async () => {
    const dir = makeFixtureApp({ dependencies: ['fragile'], packages: [{ name: 'fragile', starmodel: manifest(), files: { 'index.js': "export default () => ({ setup() { throw new Error('no database'); } });\n" } }] });
    const error = await rejectsWith(createApp({ dir, logger: recordingLogger().logger }), 'SM_PLUGIN_LOAD_FAILED');
    expect(error.message).to.include('fragile').and.include('no database');
  });
});
