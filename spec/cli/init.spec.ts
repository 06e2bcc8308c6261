/**
 * `starmodel init` end to end: scaffold, install (linking this checkout's packages), start the new
 * app, create a record over HTTP, and run the new app's own spec.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/starmodel.js');

describe('starmodel init', function () {
  this.timeout(180_000);
  let parent: string;
  let app: string;

  before(() => {
    parent = mkdtempSync(join(tmpdir(), 'sm-init-'));
    app = join(parent, 'shop');
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('scaffolds an app and installs it with the local packages linked', () => {
    const result = spawnSync(process.execPath, [bin, 'init', 'shop', '--install'], { cwd: parent, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('created starmodel.config.ts').and.include('Installing dependencies');
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.starmodel).to.equal(`file:${root}`);
  });

  it('refuses to scaffold into a folder that is not empty', () => {
    const result = spawnSync(process.execPath, [bin, 'init', 'shop'], { cwd: parent, encoding: 'utf8' });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.include('is not empty');
  });

  it('starts the new app, which creates and lists records over HTTP and serves its page', async () => {
    const child = spawn(process.execPath, [bin, 'start'], { cwd: app, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STARMODEL_SECRET: 'init-spec-secret-0123456789abcdef' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`the new app did not start:\n${output}`)), 60_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const match = output.match(/listening on (http:\/\/\S+)/);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`the new app exited with ${code}:\n${output}`)));
      });
      const json = { Accept: 'application/json', 'Content-Type': 'application/json' };
      const created = await fetch(`${url}/todo/create`, { method: 'POST', headers: json, body: JSON.stringify({ title: 'Ship it' }) });
      expect(created.status).to.equal(200);
      const list = (await (await fetch(`${url}/todo`, { headers: json })).json()) as { items: { title: string }[]; total: number };
      expect(list.items.map((item) => item.title)).to.include('Ship it');
      const invalid = await fetch(`${url}/todo/create`, { method: 'POST', headers: json, body: JSON.stringify({ title: '' }) });
      expect(invalid.status).to.equal(400);
      const page = await (await fetch(`${url}/`)).text();
      expect(page).to.include('Ship it').and.include('/_starmodel/datastar.js');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it("passes the new app's own spec", () => {
    const result = spawnSync('npm', ['test'], { cwd: app, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/1 passing/);
  });
});
