import { join } from 'node:path';
import { expect } from 'chai';
import { Entity, checkConfig, defineConfig, loadConfig } from '../../kernel/index.js';
import { rejectsWith, throwsWith } from '../fixtures/errors.js';
import { makeFixtureApp, removeFixtureApps } from '../fixtures/plugin-apps.js';

class Counter extends Entity {
  count = 0;
}

describe('Configuration', () => {
  after(removeFixtureApps);

  describe('loadConfig', () => {
    it('finds starmodel.config.ts and reads its default export', async () => {
      const dir = makeFixtureApp({
        files: {
          'starmodel.config.ts': [
            "const dialect: 'v1' = 'v1';",
            'export default {',
            '  datastar: { dialect },',
            "  plugins: { '@acme/web': { port: 0 }, '@acme/jobs': false },",
            '  kernel: { maxAttempts: 3 },',
            "  custom: { anything: 'goes' },",
            '};',
            '',
          ].join('\n'),
        },
      });
      const loaded = await loadConfig(dir);
      expect(loaded.file).to.equal(join(dir, 'starmodel.config.ts'));
      expect(loaded.config).to.deep.equal({
        datastar: { dialect: 'v1' },
        plugins: { '@acme/web': { port: 0 }, '@acme/jobs': false },
        kernel: { maxAttempts: 3 },
        custom: { anything: 'goes' },
      });
    });

    it('finds a starmodel key in package.json', async () => {
      const dir = makeFixtureApp({ packageJson: { starmodel: { datastar: { dialect: 'beta11' }, plugins: { './local': true } } } });
      const loaded = await loadConfig(dir);
      expect(loaded.file).to.equal(join(dir, 'package.json'));
      expect(loaded.config).to.deep.equal({ datastar: { dialect: 'beta11' }, plugins: { './local': true } });
    });

    it('returns an empty config and no file when there is none', async () => {
      const loaded = await loadConfig(makeFixtureApp({}));
      expect(loaded).to.deep.equal({ config: {}, file: undefined });
    });

    it('does not search parent folders', async () => {
      const dir = makeFixtureApp({ files: { 'starmodel.config.ts': "export default { secret: 'parent-secret-0123456789' };\n", 'app/.keep': '' } });
      expect((await loadConfig(join(dir, 'app'))).file).to.equal(undefined);
    });

    it('refuses an invalid config with SM_CONFIG_INVALID naming the file and the key', async () => {
      const dir = makeFixtureApp({ files: { 'starmodel.config.ts': 'export default { plugins: 5 };\n' } });
      const error = await rejectsWith(loadConfig(dir), 'SM_CONFIG_INVALID');
      expect(error.message).to.include(join(dir, 'starmodel.config.ts')).and.include('"plugins"');
    });

    it('refuses an invalid starmodel key in package.json naming package.json and the key', async () => {
      const dir = makeFixtureApp({ packageJson: { starmodel: { datastar: { dialect: 'v2' } } } });
      const error = await rejectsWith(loadConfig(dir), 'SM_CONFIG_INVALID');
      expect(error.message).to.include(join(dir, 'package.json')).and.include('datastar.dialect');
    });
  });

  describe('checkConfig', () => {
    const file = '/app/starmodel.config.ts';

    it('accepts a valid config as it is', () => {
      const config = defineConfig({ entities: [Counter], plugins: { '@acme/web': { port: 0 } }, secret: 'a-secret-of-sixteen+', datastar: { dialect: 'v1' } });
      expect(checkConfig(config, file)).to.equal(config);
    });

    it('accepts entities as a module namespace', () => {
      expect(() => checkConfig({ entities: { Counter, helper: () => 1, VERSION: '1' } }, file)).to.not.throw();
    });

    for (const [title, config, key] of [
      ['a default export that is not an object', 5, '(root)'],
      ['plugins that is not an object', { plugins: 5 }, 'plugins'],
      ['plugins given as a list', { plugins: ['@acme/web'] }, 'plugins'],
      ['a plugin setting that is not options, true or false', { plugins: { '@acme/web': 'yes' } }, 'plugins.@acme/web'],
      ['an entity that is not an Entity class', { entities: [Counter, class NotEntity {}] }, 'entities[1]'],
      ['an unknown dialect', { datastar: { dialect: 'v2' } }, 'datastar.dialect'],
      ['a short secret', { secret: 'short' }, 'secret'],
      ['a secret that is not a string', { secret: 1234567890123456789 }, 'secret'],
    ] as const) {
      it(`refuses ${title} with SM_CONFIG_INVALID naming the file and "${key}"`, () => {
        const error = throwsWith(() => checkConfig(config, file), 'SM_CONFIG_INVALID');
        expect(error.message).to.include(file).and.include(`"${key}"`);
      });
    }
  });
});
