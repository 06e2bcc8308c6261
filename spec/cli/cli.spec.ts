/**
 * The `starmodel` command line, run in-process through `main()` with captured output.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../kernel/cli/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function run(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => { outText += chunk.toString(); });
  err.on('data', (chunk: Buffer) => { errText += chunk.toString(); });
  const previous = process.env.STARMODEL_LOG_LEVEL;
  process.env.STARMODEL_LOG_LEVEL = 'error';
  try {
    const code = await main(argv, { out, err, input: new PassThrough() }, cwd);
    return { code, out: outText, err: errText };
  } finally {
    if (previous === undefined) delete process.env.STARMODEL_LOG_LEVEL;
    else process.env.STARMODEL_LOG_LEVEL = previous;
  }
}

describe('starmodel CLI', function () {
  this.timeout(30_000);

  it('lists every entity with its store, scope and routes as JSON', async () => {
    const { code, out } = await run(['entities', 'list', '--json']);
    expect(code).to.equal(0);
    const entities = JSON.parse(out) as { name: string; store: string; scope: string; events: { name: string; route: string }[] }[];
    const counter = entities.find((entity) => entity.name === 'Counter');
    expect(counter).to.deep.include({ store: 'memory', scope: 'global' });
    expect(counter?.events.map((item) => item.route)).to.include('GET /counter/increment');
  });

  it('prints the plugin plan with where each plugin came from and the hooks it taps', async () => {
    const { code, out } = await run(['plugins']);
    expect(code).to.equal(0);
    expect(out).to.match(/@starmodel\/koa@0\.1\.0 {2}\(dependency: .*plugins\/koa\)/);
    expect(out).to.include('provides: web');
    expect(out).to.match(/taps: .*entity@0/);
  });

  it('suggests the nearest command for an unknown one and exits 2', async () => {
    const { code, err } = await run(['plugns']);
    expect(code).to.equal(2);
    expect(err).to.include('unknown command "plugns"').and.include('Did you mean "starmodel plugins"?');
  });

  it('lists its commands with help', async () => {
    const { code, out } = await run(['help']);
    expect(code).to.equal(0);
    for (const name of ['init', 'dev', 'doctor', 'plugins', 'entities list', 'start']) expect(out).to.include(`  ${name}`);
  });

  describe('in an app with a plugin that contributes a command', () => {
    let app: string;
    before(() => {
      app = mkdtempSync(join(tmpdir(), 'sm-cli-'));
      const plugin = join(app, 'node_modules', 'greeter');
      mkdirSync(join(plugin, 'commands'), { recursive: true });
      mkdirSync(join(app, 'node_modules'), { recursive: true });
      symlinkSync(root, join(app, 'node_modules', 'starmodel'));
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-app', type: 'module', dependencies: { greeter: '1.0.0', starmodel: '*' } }));
      writeFileSync(join(plugin, 'package.json'), JSON.stringify({ name: 'greeter', version: '1.0.0', type: 'module', starmodel: { plugin: './index.js', kernel: '^0.1.0', commands: { 'say hello': './commands/hello.js' } } }));
      writeFileSync(join(plugin, 'index.js'), 'export default () => ({ setup() {} });\n');
      writeFileSync(join(plugin, 'commands', 'hello.js'), "export default { summary: 'greets', run({ argv, out }) { out.write(`hello ${argv.join(' ')}\\n`); return 0; } };\n");
    });
    after(() => rmSync(app, { recursive: true, force: true }));

    it('runs the plugin-contributed command with its arguments', async () => {
      const { code, out } = await run(['say', 'hello', 'world'], app);
      expect(code).to.equal(0);
      expect(out).to.equal('hello world\n');
    });

    it('shows the plugin command in help', async () => {
      expect((await run(['help'], app)).out).to.match(/say hello +greets/);
    });

    it('points a config error at the file and the key', async () => {
      writeFileSync(join(app, 'starmodel.config.mjs'), 'export default { plugins: 5 };\n');
      try {
        const { code, err } = await run(['entities', 'list'], app);
        expect(code).to.equal(1);
        expect(err).to.include('starmodel.config.mjs').and.include('"plugins"').and.include('SM_CONFIG_INVALID');
      } finally {
        rmSync(join(app, 'starmodel.config.mjs'));
      }
    });
  });

  it('reports problems with doctor and a non-zero exit code', async () => {
    const previous = process.env.REDIS_URL;
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    try {
      const { code, out } = await run(['doctor']);
      expect(code).to.equal(1);
      expect(out).to.include('✓ Node.js').and.include('✗ Redis: REDIS_URL does not answer');
    } finally {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
    }
  });
});
