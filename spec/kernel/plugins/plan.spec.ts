import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { KERNEL_VERSION, planPlugins, type PlanInput, type PlannedPlugin } from '../../../kernel/index.js';
import { throwsWith } from '../../fixtures/errors.js';
import { makeFixtureApp, manifest, plugin, removeFixtureApps, type FixtureAppSpec } from '../../fixtures/plugin-apps.js';

function plan(app: FixtureAppSpec, input: Partial<PlanInput> = {}): PlannedPlugin[] {
  const appDir = makeFixtureApp(app);
  return planPlugins({ appDir, kernelName: 'starmodel', kernelVersion: KERNEL_VERSION, configDir: appDir, ...input });
}

function planIn(appDir: string, input: Partial<PlanInput> = {}): PlannedPlugin[] {
  return planPlugins({ appDir, kernelName: 'starmodel', kernelVersion: KERNEL_VERSION, configDir: appDir, ...input });
}

const names = (plugins: readonly PlannedPlugin[]) => plugins.map((item) => item.name);

describe('Plugin planner', () => {
  after(removeFixtureApps);

  describe('discovery', () => {
    it('finds direct dependencies that carry a starmodel manifest and ignores the others', () => {
      const plugins = plan({
        dependencies: ['@acme/web', 'left-pad', 'not-installed', 'starmodel'],
        packages: [
          plugin('@acme/web', { provides: ['web'] }, { version: '2.3.4' }),
          { name: 'left-pad', files: { 'index.js': 'export default 1;\n' } },
          { name: 'starmodel', starmodel: { note: 'the kernel itself is never a plugin' } },
        ],
      });
      expect(names(plugins)).to.deep.equal(['@acme/web']);
      const [web] = plugins;
      expect(web).to.include({ name: '@acme/web', version: '2.3.4', source: 'dependency' });
      expect(web?.manifest.provides).to.deep.equal(['web']);
      expect(web?.options).to.deep.equal({});
      expect(web?.entry).to.match(/node_modules[/\\]@acme[/\\]web[/\\]index\.js$/);
    });

    it('ignores a package whose starmodel field is app config rather than a plugin manifest', () => {
      const plugins = plan({ dependencies: ['configured'], packages: [{ name: 'configured', starmodel: { plugins: {} } }] });
      expect(plugins).to.deep.equal([]);
    });

    it('returns no plugins for an app without dependencies (or without a package.json)', () => {
      expect(plan({})).to.deep.equal([]);
      expect(planIn(join(makeFixtureApp({}), 'no-such-folder'))).to.deep.equal([]);
    });

    it('adds a plugin by path from the config, with its options', () => {
      const appDir = makeFixtureApp({ packages: [plugin('local-plugin', {}, { at: 'plugins/local' })] });
      const plugins = planIn(appDir, { settings: { './plugins/local': { greeting: 'hi' } } });
      expect(names(plugins)).to.deep.equal(['local-plugin']);
      expect(plugins[0]).to.include({ source: 'config', dir: realpathSync(join(appDir, 'plugins/local')) });
      expect(plugins[0]?.options).to.deep.equal({ greeting: 'hi' });
    });

    it('adds an installed plugin by name from the config even when it is not a dependency', () => {
      const plugins = plan({ packages: [plugin('@acme/extra')] }, { settings: { '@acme/extra': true } });
      expect(names(plugins)).to.deep.equal(['@acme/extra']);
      expect(plugins[0]?.source).to.equal('config');
    });

    it('passes config options to a discovered plugin', () => {
      const plugins = plan({ dependencies: ['@acme/web'], packages: [plugin('@acme/web')] }, { settings: { '@acme/web': { port: 0 } } });
      expect(plugins).to.have.length(1);
      expect(plugins[0]?.options).to.deep.equal({ port: 0 });
    });

    it('disables a discovered plugin with false', () => {
      const plugins = plan({ dependencies: ['@acme/web', '@acme/jobs'], packages: [plugin('@acme/web'), plugin('@acme/jobs')] }, { settings: { '@acme/jobs': false } });
      expect(names(plugins)).to.deep.equal(['@acme/web']);
    });

    it('accepts false for a plugin that is not installed', () => {
      expect(plan({}, { settings: { '@acme/absent': false } })).to.deep.equal([]);
    });

    it('refuses a configured plugin that cannot be found with SM_PLUGIN_NOT_FOUND naming it and the config file', () => {
      const error = throwsWith(() => plan({}, { settings: { '@acme/absent': {} }, configFile: '/app/starmodel.config.ts' }), 'SM_PLUGIN_NOT_FOUND');
      expect(error.message).to.include('@acme/absent').and.include('/app/starmodel.config.ts');
    });

    it('refuses a configured package that is not a plugin', () => {
      const error = throwsWith(() => plan({ packages: [{ name: 'left-pad' }] }, { settings: { 'left-pad': true } }), 'SM_PLUGIN_MANIFEST_INVALID');
      expect(error.message).to.include('left-pad');
    });
  });

  describe('dedupe', () => {
    it('loads a package listed twice (dependency and config, by name and by path) once, merging options', () => {
      const appDir = makeFixtureApp({ dependencies: ['@acme/web'], packages: [plugin('@acme/web')] });
      const plugins = planIn(appDir, { settings: { '@acme/web': { port: 1 }, './node_modules/@acme/web': { host: 'x' } } });
      expect(names(plugins)).to.deep.equal(['@acme/web']);
      expect(plugins[0]?.options).to.deep.equal({ port: 1, host: 'x' });
    });

    it('refuses two different copies of one plugin with SM_PLUGIN_DUPLICATE naming both folders', () => {
      const appDir = makeFixtureApp({
        dependencies: ['@acme/web'],
        packages: [plugin('@acme/web'), plugin('@acme/web', {}, { at: 'vendor/web' })],
      });
      const error = throwsWith(() => planIn(appDir, { settings: { './vendor/web': true } }), 'SM_PLUGIN_DUPLICATE');
      expect(error.message).to.include('@acme/web')
        .and.include(realpathSync(join(appDir, 'node_modules/@acme/web')))
        .and.include(realpathSync(join(appDir, 'vendor/web')));
    });
  });

  describe('checks', () => {
    it('refuses an unmet kernel range with SM_PLUGIN_KERNEL_RANGE naming the plugin, its range and the kernel version', () => {
      const error = throwsWith(() => plan({ dependencies: ['@acme/future'], packages: [plugin('@acme/future', { kernel: '^9.0.0' }, { version: '9.1.0' })] }), 'SM_PLUGIN_KERNEL_RANGE');
      expect(error.message).to.include('@acme/future@9.1.0').and.include('^9.0.0').and.include(KERNEL_VERSION);
    });

    it('accepts a plugin whose range includes this kernel', () => {
      expect(names(plan({ dependencies: ['ok'], packages: [plugin('ok', { kernel: `>=${KERNEL_VERSION}` })] }))).to.deep.equal(['ok']);
    });

    it('refuses a missing requirement with SM_PLUGIN_REQUIRES_MISSING naming the plugin and the requirement', () => {
      const error = throwsWith(() => plan({ dependencies: ['@acme/jobs'], packages: [plugin('@acme/jobs', { requires: ['store:redis'] })] }), 'SM_PLUGIN_REQUIRES_MISSING');
      expect(error.message).to.include('@acme/jobs').and.include('store:redis');
    });

    it('counts a capability the kernel provides (store:memory) as present', () => {
      expect(names(plan({ dependencies: ['cache'], packages: [plugin('cache', { requires: ['store:memory'] })] }))).to.deep.equal(['cache']);
    });

    it('refuses a requirement that a disabled plugin would have met', () => {
      const app = { dependencies: ['@acme/jobs', '@acme/redis'], packages: [plugin('@acme/jobs', { requires: ['@acme/redis'] }), plugin('@acme/redis')] };
      const error = throwsWith(() => plan(app, { settings: { '@acme/redis': false } }), 'SM_PLUGIN_REQUIRES_MISSING');
      expect(error.message).to.include('@acme/jobs').and.include('@acme/redis');
    });

    it('refuses two providers of store:sql naming both', () => {
      const error = throwsWith(() => plan({
        dependencies: ['@acme/pg', '@acme/sqlite'],
        packages: [plugin('@acme/pg', { provides: ['store:sql'] }), plugin('@acme/sqlite', { provides: ['store:sql'] })],
      }), 'SM_PLUGIN_DUPLICATE_PROVIDER');
      expect(error.message).to.include('@acme/pg').and.include('@acme/sqlite').and.include('store:sql');
    });

    it("refuses a plugin that provides what the kernel provides", () => {
      const error = throwsWith(() => plan({ dependencies: ['mem'], packages: [plugin('mem', { provides: ['store:memory'] })] }), 'SM_PLUGIN_DUPLICATE_PROVIDER');
      expect(error.message).to.include('mem').and.include('store:memory');
    });

    it('refuses a requires cycle naming the plugins in it', () => {
      const error = throwsWith(() => plan({
        dependencies: ['a-plugin', 'b-plugin', 'c-free'],
        packages: [plugin('a-plugin', { requires: ['b-plugin'] }), plugin('b-plugin', { requires: ['a-plugin'] }), plugin('c-free')],
      }), 'SM_PLUGIN_CYCLE');
      expect(error.message).to.include('a-plugin').and.include('b-plugin').and.not.include('c-free');
    });

    it('names the file of an invalid manifest', () => {
      const appDir = makeFixtureApp({ dependencies: ['broken'], packages: [{ name: 'broken', starmodel: { plugin: './index.js', kernel: '^0.1.0', provides: 'web' } }] });
      const error = throwsWith(() => planIn(appDir), 'SM_PLUGIN_MANIFEST_INVALID');
      expect(error.message).to.include('broken').and.include(join(appDir, 'node_modules/broken/package.json')).and.include('provides');
    });

    for (const [title, bad, reason] of [
      ['an empty plugin entry', { plugin: '', kernel: '^0.1.0' }, '"plugin"'],
      ['a missing kernel range', { plugin: './index.js' }, '"kernel"'],
      ['a kernel range that is not semver', { plugin: './index.js', kernel: 'latest please' }, 'not a semver range'],
      ['a requires that is not a list of strings', { plugin: './index.js', kernel: '^0.1.0', requires: [1] }, '"requires"'],
    ] as const) {
      it(`refuses ${title} with SM_PLUGIN_MANIFEST_INVALID`, () => {
        const error = throwsWith(() => plan({ dependencies: ['broken'], packages: [{ name: 'broken', starmodel: bad }] }), 'SM_PLUGIN_MANIFEST_INVALID');
        expect(error.message).to.include('package.json').and.include(reason);
      });
    }
  });

  describe('order', () => {
    for (const listed of [['aaa-web', 'zzz-db'], ['zzz-db', 'aaa-web']]) {
      it(`loads a plugin after the plugin it requires, whatever the listing order (${listed.join(', ')})`, () => {
        const plugins = plan({
          dependencies: listed,
          packages: [plugin('aaa-web', { requires: ['zzz-db'] }), plugin('zzz-db')],
        });
        expect(names(plugins)).to.deep.equal(['zzz-db', 'aaa-web']);
      });
    }

    for (const listed of [['aaa-app', 'mmm-sql', 'zzz-auth'], ['zzz-auth', 'mmm-sql', 'aaa-app']]) {
      it(`orders by required capabilities, not listing order (${listed.join(', ')})`, () => {
        const plugins = plan({
          dependencies: listed,
          packages: [
            plugin('aaa-app', { requires: ['store:sql', 'auth'] }),
            plugin('mmm-sql', { provides: ['store:sql'] }),
            plugin('zzz-auth', { provides: ['auth'], requires: ['store:sql'] }),
          ],
        });
        expect(names(plugins)).to.deep.equal(['mmm-sql', 'zzz-auth', 'aaa-app']);
      });
    }

    it('orders unrelated plugins by name so the plan never depends on load order', () => {
      const plugins = plan({ dependencies: ['c', 'a', 'b'], packages: [plugin('c'), plugin('a'), plugin('b')] });
      expect(names(plugins)).to.deep.equal(['a', 'b', 'c']);
    });

    it('lets a plugin require a capability it provides itself', () => {
      expect(names(plan({ dependencies: ['self'], packages: [plugin('self', { provides: ['x'], requires: ['x'] })] }))).to.deep.equal(['self']);
    });
  });

  it('uses the manifest entry relative to the package folder', () => {
    const appDir = makeFixtureApp({ dependencies: ['nested'], packages: [{ name: 'nested', starmodel: manifest({ plugin: './dist/plugin.js' }) }] });
    expect(planIn(appDir)[0]?.entry).to.equal(join(realpathSync(join(appDir, 'node_modules/nested')), 'dist/plugin.js'));
  });
});
